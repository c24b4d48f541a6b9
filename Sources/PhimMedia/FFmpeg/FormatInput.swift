internal import CFFmpeg
import Foundation
import PhimCore

/// An opened media file: owns one `AVFormatContext` and closes it in `deinit`.
///
/// Not `Sendable`: one thread uses it at a time.
final class FormatInput {
    let context: UnsafeMutablePointer<AVFormatContext>
    /// The path as the user gave it, for messages.
    let path: String

    /// Opens `url` and reads its stream information.
    /// - Throws: `PhimError` `.fileNotFound`, `.unreadableFile` or `.corruptMedia` naming the file.
    init(url: URL) throws(PhimError) {
        _ = FFmpegLogging.configured
        let path = url.displayPath
        try Self.checkReadableFile(url.path, shownAs: path)
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let openStatus = avformat_open_input(&context, url.path, nil, nil)
        if openStatus < 0 {
            let reason = ffmpegErrorText(openStatus)
            throw PhimError(.corruptMedia, "not a media file FFmpeg can open (\(reason))", subject: .file(path))
        }
        guard let context else { throw PhimError(.operationFailed, "FFmpeg returned no context", subject: .file(path)) }
        self.context = context
        self.path = path
        // Decoders opened for probing refuse pictures beyond Phim's limits before allocating them.
        let streamCount = Int(context.pointee.nb_streams)
        var options = [OpaquePointer?](repeating: nil, count: max(streamCount, 1))
        for index in 0..<streamCount {
            av_dict_set(&options[index], "max_pixels", String(Limits.maxFrameArea), 0)
        }
        let infoStatus = options.withUnsafeMutableBufferPointer { buffer in
            avformat_find_stream_info(context, buffer.baseAddress)
        }
        for index in 0..<options.count { av_dict_free(&options[index]) }
        if infoStatus < 0 {
            throw PhimError(.corruptMedia, "cannot read the streams (\(ffmpegErrorText(infoStatus)))", subject: .file(path))
        }
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&pointer)
    }

    /// The stream at `index`.
    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[index]!
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    /// The index of the best stream of a kind, or `nil` when there is none.
    func bestStream(_ type: AVMediaType) -> Int? {
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }

    /// The best stream of a kind and the file's description, which lists that stream.
    /// - Throws: `PhimError` `.invalidInput` when the file has no such stream.
    func bestStreamDescribed(_ type: AVMediaType, kind: String) throws(PhimError) -> (index: Int, info: MediaInfo) {
        let info = MediaProbe.describe(self)
        guard let index = bestStream(type),
              info.video.contains(where: { $0.index == index }) || info.audio.contains(where: { $0.index == index }) else {
            throw PhimError(.invalidInput, "has no \(kind) stream", subject: .file(path))
        }
        return (index, info)
    }

    /// The file's start time in seconds: the origin that decoders subtract so that audio and video share
    /// one clock starting at 0.
    var startTime: Double {
        let start = context.pointee.start_time
        return start == CFFmpeg_AV_NOPTS_VALUE() ? 0 : Double(start) / Double(AV_TIME_BASE)
    }

    static func checkReadableFile(_ filePath: String, shownAs path: String) throws(PhimError) {
        // Only regular files: FFmpeg would block for ever opening a FIFO, or read a device without end.
        let size = try InputFile.check(URL(fileURLWithPath: filePath), subject: .file(path))
        guard size > 0 else { throw PhimError(.corruptMedia, "file is empty", subject: .file(path)) }
    }
}

/// An opened decoder for one stream: owns one `AVCodecContext`.
///
/// Not `Sendable`.
final class CodecDecoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    /// Opens a decoder for `stream`, with frame and slice threads for video.
    init(stream: UnsafeMutablePointer<AVStream>, path: String, threads: Int = 0) throws(PhimError) {
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw PhimError(.unsupported, "no decoder for codec '\(name)'", subject: .file(path))
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw PhimError(.operationFailed, "cannot allocate a decoder", subject: .file(path))
        }
        self.context = context
        try ffmpegCheck(avcodec_parameters_to_context(context, parameters), "reading codec parameters", subject: .file(path))
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(threads)
        if parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
            context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
            context.pointee.max_pixels = Int64(Limits.maxFrameArea)
        }
        try ffmpegCheck(avcodec_open2(context, codec, nil), "opening the decoder", subject: .file(path), code: .corruptMedia)
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&pointer)
    }
}

/// An owned `AVPacket`.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>
    /// - Throws: `PhimError` `.operationFailed` when FFmpeg cannot allocate it (out of memory).
    init() throws(PhimError) {
        guard let pointer = av_packet_alloc() else { throw PhimError(.operationFailed, "out of memory allocating a packet") }
        self.pointer = pointer
    }
    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}

/// An owned `AVFrame`.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>
    /// - Throws: `PhimError` `.operationFailed` when FFmpeg cannot allocate it (out of memory).
    init() throws(PhimError) {
        guard let pointer = av_frame_alloc() else { throw PhimError(.operationFailed, "out of memory allocating a frame") }
        self.pointer = pointer
    }
    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }
}
