import CFFmpeg
import Foundation
import PhimCore

/// Decoded sound and where it starts.
public struct AudioChunk: Sendable {
    public var buffer: AudioBuffer
    /// Start time in seconds from the start of the file.
    public var time: Double
}

/// Decodes the audio stream of a file to interleaved float PCM at a chosen rate and channel count
/// (libswresample converts and resamples), chunk by chunk.
///
/// Not `Sendable`: one thread drives a decoder.
public final class AudioDecoder {
    public let mediaInfo: MediaInfo
    public let stream: AudioStreamInfo
    public let sampleRate: Int
    public let channelCount: Int

    private let url: URL
    private var input: FormatInput
    private var decoder: CodecDecoder
    private let streamIndex: Int
    private let timeBase: AVRational
    private let origin: Double
    private var resampler: OpaquePointer?
    private let packet = Packet()
    private let frame = Frame()
    private var inputEnded = false
    private var flushed = false
    /// The time of the next sample handed out, once known.
    private var position: Double?
    /// Samples before this time are dropped (after a seek).
    private var discardBefore: Double?
    private var consecutiveErrors = 0
    private var chunksDecoded = 0

    /// Opens the first audio stream of `url`.
    /// - Parameters:
    ///   - sampleRate: output rate (Phim mixes at 48 kHz).
    ///   - channelCount: 1 or 2 output channels.
    /// - Throws: `PhimError` naming the file when it is missing, unreadable or has no audio.
    public init(url: URL, sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2) throws(PhimError) {
        let input = try FormatInput(url: url)
        guard let index = input.bestStream(AVMEDIA_TYPE_AUDIO) else {
            throw PhimError(.invalidInput, "has no audio stream", subject: url.displayPath)
        }
        let info = MediaProbe.describe(input)
        guard let stream = info.audio.first(where: { $0.index == index }) else {
            throw PhimError(.invalidInput, "has no audio stream", subject: url.displayPath)
        }
        guard (1...2).contains(channelCount), (8_000...192_000).contains(sampleRate) else {
            throw PhimError(.unsupported, "cannot decode to \(channelCount) channels at \(sampleRate) Hz", subject: url.displayPath)
        }
        self.url = url
        self.input = input
        self.mediaInfo = info
        self.stream = stream
        self.streamIndex = index
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.timeBase = input.stream(index).pointee.time_base
        self.origin = input.startTime
        self.decoder = try CodecDecoder(stream: input.stream(index), path: url.path, threads: 1)
    }

    deinit { swr_free(&resampler) }

    /// Whether `url` has an audio stream (without reporting why not).
    public static func hasAudio(_ url: URL) -> Bool {
        guard let input = try? FormatInput(url: url) else { return false }
        return input.bestStream(AVMEDIA_TYPE_AUDIO) != nil
    }

    /// The next run of samples, or `nil` at the end of the stream.
    /// - Throws: `PhimError` `.corruptMedia` when the stream cannot be decoded.
    public func nextChunk() throws(PhimError) -> AudioChunk? {
        while true {
            guard let converted = try decodeAndConvert() else { return nil }
            var (samples, time) = converted
            if let cutoff = discardBefore {
                let frames = samples.count / channelCount
                let drop = min(frames, max(0, Int(((cutoff - time) * Double(sampleRate)).rounded())))
                if drop >= frames {
                    position = time + Double(frames) / Double(sampleRate)
                    continue
                }
                if drop > 0 { samples.removeFirst(drop * channelCount) }
                time += Double(drop) / Double(sampleRate)
                discardBefore = nil
            }
            position = time + Double(samples.count / channelCount) / Double(sampleRate)
            chunksDecoded += 1
            return AudioChunk(buffer: AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, samples: samples), time: time)
        }
    }

    /// Moves so that the next chunk starts exactly at `seconds` (to the sample).
    /// - Throws: `PhimError` if the file cannot be read again.
    public func seek(to seconds: Double) throws(PhimError) {
        let target = av_rescale_q(Int64((max(0, seconds) + origin) * Double(AV_TIME_BASE)), CFFmpeg_AV_TIME_BASE_Q(), timeBase)
        if av_seek_frame(input.context, Int32(streamIndex), target, AVSEEK_FLAG_BACKWARD) < 0 {
            input = try FormatInput(url: url)
            decoder = try CodecDecoder(stream: input.stream(streamIndex), path: url.path, threads: 1)
        } else {
            avcodec_flush_buffers(decoder.context)
        }
        swr_free(&resampler)
        inputEnded = false
        flushed = false
        position = nil
        discardBefore = seconds
        consecutiveErrors = 0
    }

    /// Reads `frameCount` frames starting at `seconds`, padding with silence past the end of the stream.
    public func read(from seconds: Double, frameCount: Int) throws(PhimError) -> AudioBuffer {
        try seek(to: seconds)
        var samples: [Float] = []
        samples.reserveCapacity(frameCount * channelCount)
        while samples.count < frameCount * channelCount, let chunk = try nextChunk() {
            samples.append(contentsOf: chunk.buffer.samples.prefix(frameCount * channelCount - samples.count))
        }
        if samples.count < frameCount * channelCount {
            samples.append(contentsOf: repeatElement(0, count: frameCount * channelCount - samples.count))
        }
        return AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, samples: samples)
    }

    /// Decodes one frame and converts it; at the end, drains the resampler.
    private func decodeAndConvert() throws(PhimError) -> (samples: [Float], time: Double)? {
        while true {
            let received = avcodec_receive_frame(decoder.context, frame.pointer)
            if received == 0 {
                consecutiveErrors = 0
                defer { av_frame_unref(frame.pointer) }
                let f = frame.pointer.pointee
                var stamp = f.best_effort_timestamp
                if stamp == CFFmpeg_AV_NOPTS_VALUE() { stamp = f.pts }
                let frameTime = stamp != CFFmpeg_AV_NOPTS_VALUE() ? Double(stamp) * timeBase.doubleValue - origin : nil
                let samples = try convert(frame.pointer)
                guard !samples.isEmpty else { continue }
                // The resampler delays output; time the converted run from where the previous one ended.
                let delay = resampler.map { Double(swr_get_delay($0, Int64(sampleRate))) / Double(sampleRate) } ?? 0
                let time = position ?? max(0, (frameTime ?? 0) - delay)
                return (samples, time)
            }
            if received == CFFmpeg_AVERROR_EOF() {
                guard !flushed, resampler != nil else { return nil }
                flushed = true
                let tail = try drainResampler()
                guard !tail.isEmpty else { return nil }
                return (tail, position ?? 0)
            }
            if received != CFFmpeg_AVERROR_EAGAIN() {
                try noteDecodeError(received)
                continue
            }
            if inputEnded { return nil }
            let read = av_read_frame(input.context, packet.pointer)
            if read < 0 {
                inputEnded = true
                avcodec_send_packet(decoder.context, nil)
                continue
            }
            defer { av_packet_unref(packet.pointer) }
            guard Int(packet.pointer.pointee.stream_index) == streamIndex else { continue }
            let sent = avcodec_send_packet(decoder.context, packet.pointer)
            if sent < 0 && sent != CFFmpeg_AVERROR_EAGAIN() { try noteDecodeError(sent) }
        }
    }

    private func convert(_ frame: UnsafeMutablePointer<AVFrame>) throws(PhimError) -> [Float] {
        if resampler == nil {
            var inLayout = AVChannelLayout()
            if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame.pointee.ch_layout.nb_channels == 0 {
                av_channel_layout_default(&inLayout, max(1, frame.pointee.ch_layout.nb_channels))
            } else {
                av_channel_layout_copy(&inLayout, &frame.pointee.ch_layout)
            }
            defer { av_channel_layout_uninit(&inLayout) }
            var outLayout = channelCount == 1 ? CFFmpeg_mono_layout() : CFFmpeg_stereo_layout()
            let status = swr_alloc_set_opts2(&resampler, &outLayout, AV_SAMPLE_FMT_FLT, Int32(sampleRate),
                                             &inLayout, AVSampleFormat(rawValue: frame.pointee.format),
                                             frame.pointee.sample_rate, 0, nil)
            try ffmpegCheck(status, "setting up the resampler", subject: url.displayPath)
            try ffmpegCheck(swr_init(resampler), "setting up the resampler", subject: url.displayPath, code: .unsupported)
        }
        let inputFrames = Int(frame.pointee.nb_samples)
        let capacity = Int(swr_get_out_samples(resampler, Int32(inputFrames))) + 32
        var output = [Float](repeating: 0, count: capacity * channelCount)
        let produced: Int32 = output.withUnsafeMutableBufferPointer { buffer in
            var destination: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return withUnsafeMutablePointer(to: &destination) { destinationPointer in
                frame.pointee.extended_data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { source in
                    swr_convert(resampler, destinationPointer, Int32(capacity), source, Int32(inputFrames))
                }
            }
        }
        try ffmpegCheck(produced, "resampling", subject: url.displayPath)
        output.removeLast(output.count - Int(produced) * channelCount)
        return output
    }

    private func drainResampler() throws(PhimError) -> [Float] {
        let capacity = Int(swr_get_out_samples(resampler, 0)) + 32
        var output = [Float](repeating: 0, count: capacity * channelCount)
        let produced: Int32 = output.withUnsafeMutableBufferPointer { buffer in
            var destination: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return swr_convert(resampler, &destination, Int32(capacity), nil, 0)
        }
        try ffmpegCheck(produced, "resampling", subject: url.displayPath)
        output.removeLast(output.count - Int(produced) * channelCount)
        return output
    }

    private func noteDecodeError(_ status: Int32) throws(PhimError) {
        consecutiveErrors += 1
        if consecutiveErrors > 25 || (inputEnded && chunksDecoded == 0 && consecutiveErrors > 3) {
            throw PhimError(.corruptMedia, "audio cannot be decoded (\(ffmpegErrorText(status)))", subject: url.displayPath)
        }
    }
}
