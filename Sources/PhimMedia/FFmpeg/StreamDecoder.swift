internal import CFFmpeg
import Foundation
import PhimCore

/// The demux-and-decode loop shared by the video and audio decoders: reads packets of one stream, feeds the
/// codec, hands out frames, seeks, and tolerates a few damaged packets as players do.
///
/// Not `Sendable`.
final class StreamDecoder {
    let url: URL
    let streamIndex: Int
    private(set) var input: FormatInput
    private(set) var codec: CodecDecoder
    private let threads: Int
    /// "video" or "audio", for messages.
    private let kind: String
    private let packet: Packet
    private var inputEnded = false
    private var consecutiveErrors = 0
    private var framesReceived = 0

    /// A file opened and its best stream of one kind chosen, before any decoder is allocated: callers check the
    /// stream against ``Limits`` first.
    struct Located {
        let input: FormatInput
        let streamIndex: Int
        /// The file's description, which lists the stream.
        let info: MediaInfo
        let timeBase: AVRational
        /// The file's start time, which decoders subtract.
        let origin: Double
    }

    /// Opens `url` and chooses its best stream of `type`.
    /// - Throws: `PhimError` naming the file when it is missing, unreadable, corrupt or has no such stream.
    static func locate(_ type: AVMediaType, in url: URL, kind: String) throws(PhimError) -> Located {
        let input = try FormatInput(url: url)
        let (index, info) = try input.bestStreamDescribed(type, kind: kind)
        return Located(input: input, streamIndex: index, info: info, timeBase: input.stream(index).pointee.time_base,
                       origin: input.startTime)
    }

    init(url: URL, located: Located, threads: Int, kind: String) throws(PhimError) {
        let input = located.input, streamIndex = located.streamIndex
        self.url = url
        self.input = input
        self.streamIndex = streamIndex
        self.threads = threads
        self.kind = kind
        self.packet = try Packet()
        self.codec = try CodecDecoder(stream: input.stream(streamIndex), path: url.displayPath, threads: threads)
    }

    var timeBase: AVRational { input.stream(streamIndex).pointee.time_base }

    /// Pulls packets through the codec until a frame is ready in `frame`.
    /// - Returns: `false` at the end of the stream (or of what a truncated file holds).
    /// - Throws: `PhimError` `.corruptMedia` when the stream yields nothing but errors.
    func receive(into frame: Frame) throws(PhimError) -> Bool {
        while true {
            let received = avcodec_receive_frame(codec.context, frame.pointer)
            if received == 0 {
                consecutiveErrors = 0
                framesReceived += 1
                return true
            }
            if received == CFFmpeg_AVERROR_EOF() { return false }
            if received != CFFmpeg_AVERROR_EAGAIN() {
                try noteError(received)
                continue
            }
            if inputEnded { return false }
            if av_read_frame(input.context, packet.pointer) < 0 {
                // End of file, or a truncated file: flush what the codec holds.
                inputEnded = true
                avcodec_send_packet(codec.context, nil)
                continue
            }
            defer { av_packet_unref(packet.pointer) }
            guard Int(packet.pointer.pointee.stream_index) == streamIndex else { continue }
            let sent = avcodec_send_packet(codec.context, packet.pointer)
            if sent < 0 && sent != CFFmpeg_AVERROR_EAGAIN() { try noteError(sent) }
        }
    }

    /// Moves to the keyframe at or before `seconds` (file time, `origin` being the file's start), or back to the
    /// start of a file that has no index to seek with.
    func seek(to seconds: Double, origin: Double) throws(PhimError) {
        let target = av_rescale_q(Int64((max(0, seconds) + origin) * Double(AV_TIME_BASE)), CFFmpeg_AV_TIME_BASE_Q(), timeBase)
        if av_seek_frame(input.context, Int32(streamIndex), target, AVSEEK_FLAG_BACKWARD) < 0 {
            input = try FormatInput(url: url)
            codec = try CodecDecoder(stream: input.stream(streamIndex), path: url.displayPath, threads: threads)
        } else {
            avcodec_flush_buffers(codec.context)
        }
        inputEnded = false
        consecutiveErrors = 0
    }

    private func noteError(_ status: Int32) throws(PhimError) {
        consecutiveErrors += 1
        if consecutiveErrors > 25 || (inputEnded && framesReceived == 0 && consecutiveErrors > 3) {
            throw PhimError(.corruptMedia, "\(kind) cannot be decoded (\(ffmpegErrorText(status)))", subject: .file(url.displayPath))
        }
    }
}
