internal import CFFmpeg
import Foundation
import PhimCore

/// Reads the packets of a file's best audio stream, for copying them into an MP4 unchanged (no decoding, no
/// re-encoding): timestamps are moved so that the file's start is 0, the clock Phim's decoders use.
///
/// Not `Sendable`: one writer reads it.
final class AudioPacketReader {
    /// The file, as the user named it, for messages.
    let path: String
    private let input: FormatInput
    private let streamIndex: Int
    private let timeBase: AVRational
    /// The file's start, in the stream's time base.
    private let offset: Int64

    /// Opens the best audio stream of `url`.
    /// - Throws: `PhimError` naming the file when it is missing, unreadable, corrupt or has no audio.
    init(url: URL) throws(PhimError) {
        let located = try StreamDecoder.locate(AVMEDIA_TYPE_AUDIO, in: url, kind: "audio")
        try located.info.audio.first { $0.index == located.streamIndex }!.checkLimits(subject: .file(url.displayPath))
        self.input = located.input
        self.path = url.displayPath
        self.streamIndex = located.streamIndex
        self.timeBase = located.timeBase
        let start = located.input.context.pointee.start_time
        self.offset = start == CFFmpeg_AV_NOPTS_VALUE() ? 0 : av_rescale_q(start, CFFmpeg_AV_TIME_BASE_Q(), timeBase)
    }

    /// Sets up `stream` of the MP4 being written to carry the copied packets.
    /// - Throws: `PhimError` `.unsupported` when MP4 cannot hold the stream's codec.
    func configure(_ stream: UnsafeMutablePointer<AVStream>, for format: UnsafeMutablePointer<AVFormatContext>) throws(PhimError) {
        let source = input.stream(streamIndex).pointee.codecpar!
        guard avformat_query_codec(format.pointee.oformat, source.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1 else {
            let name = avcodec_get_name(source.pointee.codec_id).map { String(cString: $0) } ?? "unknown"
            throw PhimError(.unsupported, "its audio (\(name)) cannot be copied into an MP4", subject: .file(path))
        }
        try ffmpegCheck(avcodec_parameters_copy(stream.pointee.codecpar, source), "copying the audio stream's settings", subject: .file(path))
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = timeBase
    }

    /// Reads the stream's next packet into `packet`.
    /// - Returns: `false` at the end of the file (or of what a truncated file holds).
    func read(into packet: Packet) throws(PhimError) -> Bool {
        while true {
            if av_read_frame(input.context, packet.pointer) < 0 { return false }
            if Int(packet.pointer.pointee.stream_index) == streamIndex { return true }
            av_packet_unref(packet.pointer)
        }
    }

    /// When a packet read by ``read(into:)`` starts, in seconds from the file's start.
    func seconds(of packet: Packet) -> Double {
        let p = packet.pointer.pointee
        let time = p.pts != CFFmpeg_AV_NOPTS_VALUE() ? p.pts : p.dts
        guard time != CFFmpeg_AV_NOPTS_VALUE() else { return 0 }
        return Double(time - offset) * timeBase.doubleValue
    }

    /// Moves a packet read by ``read(into:)`` onto `stream`'s clock, ready to be written.
    func retime(_ packet: Packet, to stream: UnsafeMutablePointer<AVStream>) {
        let p = packet.pointer
        if p.pointee.pts != CFFmpeg_AV_NOPTS_VALUE() { p.pointee.pts -= offset }
        if p.pointee.dts != CFFmpeg_AV_NOPTS_VALUE() { p.pointee.dts -= offset }
        av_packet_rescale_ts(p, timeBase, stream.pointee.time_base)
        p.pointee.stream_index = stream.pointee.index
        p.pointee.pos = -1
    }
}
