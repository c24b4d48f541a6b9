internal import CFFmpeg
import Foundation
import PhimCore
import PhimWatermark

/// H.264 settings for an MP4 Phim writes (libx264, `yuv420p`, BT.601 matrix with BT.709 primaries, limited range).
public struct VideoEncoderSettings: Sendable, Equatable {
    public var size: PixelSize
    public var frameRate: FrameRate
    /// x264's constant rate factor, 0 (lossless) to 51.
    public var crf: Int
    /// x264's speed/quality preset, `ultrafast` … `placebo`.
    public var preset: String
    /// Encoder threads; 0 lets x264 choose from the machine's cores.
    public var threads: Int

    public static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                                 "veryslow", "placebo"]

    public init(size: PixelSize, frameRate: FrameRate, crf: Int = 23, preset: String = "veryfast", threads: Int = 0) {
        self.size = size
        self.frameRate = frameRate
        self.crf = crf
        self.preset = preset
        self.threads = threads
    }
}

/// AAC settings for an MP4 Phim writes.
public struct AudioEncoderSettings: Sendable, Equatable {
    public var sampleRate: Int
    public var channelCount: Int
    public var bitRate: Int

    public init(sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2, bitRate: Int = 192_000) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.bitRate = bitRate
    }
}

/// Writes an MP4 (H.264, with AAC or a copied audio stream, `+faststart`) frame by frame with FFmpeg's libraries, to
/// a temporary file that becomes the destination only at ``commit()``. ``VideoExport`` is its one user: every MP4
/// Phim writes goes through the export's stages and sealers.
///
/// Not `Sendable`: one thread feeds a writer. Video frames may be `bgraPremultiplied` (opaque) or `rgba`.
final class MP4Writer {
    /// The sound of the MP4.
    enum AudioTrack {
        /// Interleaved float samples encoded as AAC.
        case encode(AudioEncoderSettings)
        /// Packets copied unchanged from another file's audio stream.
        case copy(AudioPacketReader)
    }

    let video: VideoEncoderSettings
    let audio: AudioEncoderSettings?
    /// Frames of video written so far.
    private(set) var videoFrameCount = 0
    /// Sample frames of audio written so far.
    private(set) var audioFrameCount = 0
    /// The destination, as the user gave it, for messages.
    let subject: PhimError.Subject

    private let output: OutputFile
    private let format: UnsafeMutablePointer<AVFormatContext>
    private let videoCodec: UnsafeMutablePointer<AVCodecContext>
    private let videoStream: UnsafeMutablePointer<AVStream>
    private var audioCodec: UnsafeMutablePointer<AVCodecContext>?
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private let yuvFrame: Frame
    private let watermark: WatermarkEmbedder?
    private let audioFrame: Frame
    private let packet: Packet
    /// Interleaved samples waiting to fill an AAC frame (1024 samples).
    private var pendingAudio: [Float] = []
    /// Where copied audio comes from, the stream it goes to, and a packet read but not yet written.
    private let audioCopy: AudioPacketReader?
    private var copiedStream: UnsafeMutablePointer<AVStream>?
    private let copiedPacket: Packet
    private var heldPacket = false
    /// The trailer is written and the file closed.
    private var written = false
    private var committed = false

    /// Opens the encoders and the temporary output beside `destination`.
    /// - Parameters:
    ///   - audio: the sound, or `nil` for a silent MP4.
    ///   - metadata: container tags (`title`, `comment`…). libavformat writes its own name as `encoder`.
    /// - Throws: `PhimError` naming the destination when it cannot be written, or the settings are invalid.
    ///   - watermark: marks each frame's luma after the colour conversion, just before the encoder.
    init(destination: URL, video: VideoEncoderSettings, audio track: AudioTrack?,
         metadata: [String: String] = [:], watermark: WatermarkEmbedder? = nil) throws(PhimError) {
        precondition(watermark.map { $0.width == video.size.width && $0.height == video.size.height } ?? true,
                     "the watermark's size differs from the video's")
        self.watermark = watermark
        _ = FFmpegLogging.configured
        guard video.size.width % 2 == 0, video.size.height % 2 == 0 else {
            throw PhimError(.invalidInput, "H.264 yuv420p needs an even width and height, not \(video.size)", subject: .file(destination.displayPath))
        }
        try Limits.check(video.size, subject: .file(destination.displayPath))
        guard (0...51).contains(video.crf) else { throw PhimError(.invalidInput, "crf must be 0…51", subject: .field("output.crf")) }
        guard VideoEncoderSettings.presets.contains(video.preset) else {
            throw PhimError(.invalidInput, "unknown preset '\(video.preset)'", subject: .field("output.preset"))
        }
        self.output = try OutputFile(destination)
        self.video = video
        self.subject = .file(destination.displayPath)
        self.yuvFrame = try Frame()
        self.audioFrame = try Frame()
        self.packet = try Packet()
        self.copiedPacket = try Packet()
        switch track {
        case .encode(let settings):
            audio = settings
            audioCopy = nil
        case .copy(let reader):
            audio = nil
            audioCopy = reader
        case nil:
            audio = nil
            audioCopy = nil
        }

        var formatContext: UnsafeMutablePointer<AVFormatContext>? = nil
        try ffmpegCheck(avformat_alloc_output_context2(&formatContext, nil, "mp4", output.temporary.path),
                        "creating the MP4", subject: subject)
        self.format = formatContext!

        guard let h264 = avcodec_find_encoder_by_name("libx264") else {
            avformat_free_context(formatContext)
            throw PhimError(.unsupported, "FFmpeg has no libx264 encoder", subject: subject)
        }
        guard let stream = avformat_new_stream(formatContext, nil), let codec = avcodec_alloc_context3(h264) else {
            avformat_free_context(formatContext)
            throw PhimError(.operationFailed, "cannot allocate the video encoder", subject: subject)
        }
        self.videoStream = stream
        self.videoCodec = codec
        let rate = video.frameRate.rate
        codec.pointee.width = Int32(video.size.width)
        codec.pointee.height = Int32(video.size.height)
        codec.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        codec.pointee.time_base = AVRational(num: Int32(rate.denominator), den: Int32(rate.numerator))
        codec.pointee.framerate = AVRational(num: Int32(rate.numerator), den: Int32(rate.denominator))
        codec.pointee.thread_count = Int32(video.threads)
        // libyuv converts with the BT.601 matrix; the stream says so, and players convert back exactly.
        codec.pointee.colorspace = AVCOL_SPC_SMPTE170M
        codec.pointee.color_primaries = AVCOL_PRI_BT709
        codec.pointee.color_trc = AVCOL_TRC_BT709
        codec.pointee.color_range = AVCOL_RANGE_MPEG
        if (format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 {
            codec.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        av_opt_set(codec.pointee.priv_data, "preset", video.preset, 0)
        av_opt_set(codec.pointee.priv_data, "crf", String(video.crf), 0)
        try ffmpegCheck(avcodec_open2(codec, h264, nil), "opening the H.264 encoder", subject: subject)
        try ffmpegCheck(avcodec_parameters_from_context(stream.pointee.codecpar, codec), "configuring the video stream", subject: subject)
        stream.pointee.time_base = codec.pointee.time_base
        stream.pointee.avg_frame_rate = codec.pointee.framerate

        yuvFrame.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        yuvFrame.pointer.pointee.width = codec.pointee.width
        yuvFrame.pointer.pointee.height = codec.pointee.height
        try ffmpegCheck(av_frame_get_buffer(yuvFrame.pointer, 64), "allocating a video frame", subject: subject)

        if let audio {
            guard let aac = avcodec_find_encoder(AV_CODEC_ID_AAC),
                  let audioStream = avformat_new_stream(formatContext, nil),
                  let audioCodec = avcodec_alloc_context3(aac) else {
                throw PhimError(.unsupported, "FFmpeg has no AAC encoder", subject: subject)
            }
            self.audioStream = audioStream
            self.audioCodec = audioCodec
            audioCodec.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
            audioCodec.pointee.sample_rate = Int32(audio.sampleRate)
            audioCodec.pointee.bit_rate = Int64(audio.bitRate)
            audioCodec.pointee.ch_layout = audio.channelCount == 1 ? CFFmpeg_mono_layout() : CFFmpeg_stereo_layout()
            audioCodec.pointee.time_base = AVRational(num: 1, den: Int32(audio.sampleRate))
            if (format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 {
                audioCodec.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
            }
            // FFmpeg's "fast" AAC coder: a third of the default two-loop search's time (3.2 s → 0.9 s per minute of
            // stereo here) with no audible difference at 192 kb/s.
            av_opt_set(audioCodec.pointee.priv_data, "aac_coder", "fast", 0)
            try ffmpegCheck(avcodec_open2(audioCodec, aac, nil), "opening the AAC encoder", subject: subject)
            try ffmpegCheck(avcodec_parameters_from_context(audioStream.pointee.codecpar, audioCodec),
                            "configuring the audio stream", subject: subject)
            audioStream.pointee.time_base = audioCodec.pointee.time_base
            let f = audioFrame.pointer
            f.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            f.pointee.nb_samples = audioCodec.pointee.frame_size
            f.pointee.sample_rate = audioCodec.pointee.sample_rate
            av_channel_layout_copy(&f.pointee.ch_layout, &audioCodec.pointee.ch_layout)
            try ffmpegCheck(av_frame_get_buffer(f, 0), "allocating an audio frame", subject: subject)
        }

        if let audioCopy {
            guard let stream = avformat_new_stream(formatContext, nil) else {
                throw PhimError(.operationFailed, "cannot allocate the audio stream", subject: subject)
            }
            try audioCopy.configure(stream, for: format)
            copiedStream = stream
        }

        for (key, value) in metadata { av_dict_set(&format.pointee.metadata, key, value, 0) }

        try ffmpegCheck(avio_open(&format.pointee.pb, output.temporary.path, AVIO_FLAG_WRITE),
                        "opening the output for writing", subject: subject, code: .writeFailed)
        var options: OpaquePointer? = nil
        av_dict_set(&options, "movflags", "+faststart", 0)
        let headerStatus = avformat_write_header(format, &options)
        av_dict_free(&options)
        try ffmpegCheck(headerStatus, "writing the MP4 header", subject: subject, code: .writeFailed)
    }

    deinit {
        var codec: UnsafeMutablePointer<AVCodecContext>? = videoCodec
        avcodec_free_context(&codec)
        avcodec_free_context(&audioCodec)
        if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
        avformat_free_context(format)
        if !committed { output.discard() }
    }

    /// The sample rate of encoded audio, or `nil` when samples are not being encoded.
    var audioSampleRate: Int? { audio?.sampleRate }

    /// Where the MP4 is being written; after ``finishWriting()`` it holds the whole file.
    var temporaryURL: URL { output.temporary }

    /// Encodes the next video frame.
    /// - Precondition: `pixels.size == video.size`.
    /// - Throws: `PhimError` when encoding or writing fails.
    func appendVideo(_ pixels: PixelBuffer) throws(PhimError) {
        precondition(pixels.size == video.size, "frame size \(pixels.size) differs from the video size \(video.size)")
        try ffmpegCheck(av_frame_make_writable(yuvFrame.pointer), "preparing a video frame", subject: subject)
        let f = yuvFrame.pointer
        guard convertToI420(pixels, y: f.pointee.data.0!, yStride: f.pointee.linesize.0, u: f.pointee.data.1!,
                            uStride: f.pointee.linesize.1, v: f.pointee.data.2!, vStride: f.pointee.linesize.2) else {
            throw PhimError(.operationFailed, "colour conversion failed", subject: subject)
        }
        if let watermark {
            watermark.embed(luma: f.pointee.data.0!, stride: Int(f.pointee.linesize.0))
            try askToKeep(watermark.faintRegions, of: f)
        }
        yuvFrame.pointer.pointee.pts = Int64(videoFrameCount)
        videoFrameCount += 1
        try encode(yuvFrame.pointer, codec: videoCodec, stream: videoStream)
    }

    /// Asks x264 to spend more bits where the watermark is faint (a regions-of-interest quantiser offset, which x264
    /// honours with adaptive quantisation on, as every preset but `ultrafast` has it), replacing the last frame's.
    private func askToKeep(_ regions: [WatermarkEmbedder.Region], of frame: UnsafeMutablePointer<AVFrame>) throws(PhimError) {
        av_frame_remove_side_data(frame, AV_FRAME_DATA_REGIONS_OF_INTEREST)
        guard !regions.isEmpty else { return }
        let size = MemoryLayout<AVRegionOfInterest>.stride
        guard let data = av_frame_new_side_data(frame, AV_FRAME_DATA_REGIONS_OF_INTEREST, regions.count * size) else {
            throw PhimError(.operationFailed, "out of memory for the encoder's regions of interest", subject: subject)
        }
        let offset = AVRational(num: Int32((WatermarkEmbedder.keepOffset * 1000).rounded()), den: 1000)
        let rois = UnsafeMutableRawPointer(data.pointee.data).bindMemory(to: AVRegionOfInterest.self, capacity: regions.count)
        for (i, region) in regions.enumerated() {
            rois[i] = AVRegionOfInterest(self_size: UInt32(size), top: Int32(region.top), bottom: Int32(region.bottom),
                                         left: Int32(region.left), right: Int32(region.right), qoffset: offset)
        }
    }

    /// Queues interleaved float samples (at `audio.sampleRate`, `audio.channelCount` channels) for AAC.
    /// - Throws: `PhimError` when encoding or writing fails.
    func appendAudio(_ samples: UnsafeBufferPointer<Float>) throws(PhimError) {
        guard let audio, let audioCodec, let audioStream else { return }
        pendingAudio.append(contentsOf: samples)
        let frameSize = Int(audioCodec.pointee.frame_size)
        let channels = audio.channelCount
        var consumed = 0
        while pendingAudio.count - consumed >= frameSize * channels {
            try fillAudioFrame(from: consumed, frames: frameSize)
            consumed += frameSize * channels
            try encode(audioFrame.pointer, codec: audioCodec, stream: audioStream)
        }
        if consumed > 0 { pendingAudio.removeFirst(consumed) }
    }

    /// Writes the copied audio stream's packets that start before `seconds` (on the output's clock, which starts
    /// at the source file's start). Does nothing when no stream is copied.
    func copyAudio(before seconds: Double) throws(PhimError) {
        guard let audioCopy, let copiedStream else { return }
        while true {
            if !heldPacket {
                guard try audioCopy.read(into: copiedPacket) else { return }
                heldPacket = true
            }
            guard audioCopy.seconds(of: copiedPacket) < seconds else { return }
            audioCopy.retime(copiedPacket, to: copiedStream)
            heldPacket = false
            try ffmpegCheck(av_interleaved_write_frame(format, copiedPacket.pointer), "writing the MP4", subject: subject,
                            code: .writeFailed)
        }
    }

    /// Flushes the encoders and writes the index at the front of the file (`+faststart`); the file stays at
    /// ``temporaryURL`` until ``commit()``. Copied audio ends with the video.
    /// - Throws: `PhimError`; the destination is then left untouched.
    func finishWriting() throws(PhimError) {
        guard !written else { return }
        if let audio, let audioCodec, let audioStream, !pendingAudio.isEmpty {
            let frames = pendingAudio.count / audio.channelCount
            try fillAudioFrame(from: 0, frames: frames)
            pendingAudio.removeAll()
            try encode(audioFrame.pointer, codec: audioCodec, stream: audioStream)
        }
        try encode(nil, codec: videoCodec, stream: videoStream)
        if let audioCodec, let audioStream { try encode(nil, codec: audioCodec, stream: audioStream) }
        if heldPacket { av_packet_unref(copiedPacket.pointer) }
        heldPacket = false
        try ffmpegCheck(av_write_trailer(format), "finishing the MP4", subject: subject, code: .writeFailed)
        avio_closep(&format.pointee.pb)
        written = true
    }

    /// Moves the finished file into place.
    /// - Precondition: ``finishWriting()`` succeeded.
    func commit() throws(PhimError) {
        precondition(written, "commit() before finishWriting()")
        committed = true
        try output.commit()
    }

    private func fillAudioFrame(from offset: Int, frames: Int) throws(PhimError) {
        let f = audioFrame.pointer
        try ffmpegCheck(av_frame_make_writable(f), "preparing an audio frame", subject: subject)
        let channels = audio!.channelCount
        let capacity = Int(audioCodec!.pointee.frame_size)
        pendingAudio.withUnsafeBufferPointer { source in
            for channel in 0..<channels {
                let plane = f.pointee.extended_data[channel]!.withMemoryRebound(to: Float.self, capacity: capacity) { $0 }
                for i in 0..<frames { plane[i] = source[offset + i * channels + channel] }
                for i in frames..<capacity { plane[i] = 0 }
            }
        }
        f.pointee.nb_samples = Int32(frames == capacity ? capacity : frames)
        f.pointee.pts = Int64(audioFrameCount)
        audioFrameCount += frames
    }

    /// Sends a frame (or `nil` to flush) and writes every packet that comes out.
    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?, codec: UnsafeMutablePointer<AVCodecContext>,
                        stream: UnsafeMutablePointer<AVStream>) throws(PhimError) {
        try ffmpegCheck(avcodec_send_frame(codec, frame), "encoding", subject: subject)
        while true {
            let status = avcodec_receive_packet(codec, packet.pointer)
            if status == CFFmpeg_AVERROR_EAGAIN() || status == CFFmpeg_AVERROR_EOF() { return }
            try ffmpegCheck(status, "encoding", subject: subject)
            av_packet_rescale_ts(packet.pointer, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointer.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(format, packet.pointer)
            try ffmpegCheck(written, "writing the MP4", subject: subject, code: .writeFailed)
        }
    }
}
