internal import CFFmpeg
import Foundation
import PhimCore

/// Reads what a media file holds without decoding it.
public enum MediaProbe {
    /// Describes the file at `url`.
    /// - Throws: `PhimError` `.fileNotFound`, `.unreadableFile` or `.corruptMedia` naming the file.
    public static func probe(_ url: URL) throws(PhimError) -> MediaInfo {
        let input = try FormatInput(url: url)
        return describe(input)
    }

    static func describe(_ input: FormatInput) -> MediaInfo {
        let context = input.context
        let formatName = context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        let containerDuration = context.pointee.duration
        var info = MediaInfo(
            path: input.path, format: formatName,
            duration: containerDuration > 0 ? Double(containerDuration) / Double(AV_TIME_BASE) : nil,
            bitRate: context.pointee.bit_rate > 0 ? Int(context.pointee.bit_rate) : nil,
            video: [], audio: [], tags: dictionary(context.pointee.metadata))
        let isImageContainer = formatName.hasSuffix("_pipe") || formatName == "image2"
        for index in 0..<input.streamCount {
            let stream = input.stream(index)
            let parameters = stream.pointee.codecpar.pointee
            let codec = String(cString: avcodec_get_name(parameters.codec_id))
            let duration = stream.pointee.duration > 0 && stream.pointee.duration != CFFmpeg_AV_NOPTS_VALUE()
                ? Double(stream.pointee.duration) * stream.pointee.time_base.doubleValue : nil
            switch parameters.codec_type {
            case AVMEDIA_TYPE_VIDEO:
                let average = stream.pointee.avg_frame_rate.doubleValue
                let nominal = stream.pointee.r_frame_rate.doubleValue
                let rate = average > 0 ? average : nominal
                let isAttached = (stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
                let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.format))
                info.video.append(VideoStreamInfo(
                    index: index, codec: codec, width: Int(parameters.width), height: Int(parameters.height),
                    rotation: rotation(of: stream), frameRate: rate,
                    variableFrameRate: average > 0 && nominal > 0 && abs(average - nominal) / nominal > 0.01,
                    pixelFormat: pixelFormat.map { String(cString: $0) } ?? "unknown",
                    duration: duration,
                    frameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
                    bitRate: parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil,
                    isStillImage: isAttached || isImageContainer))
            case AVMEDIA_TYPE_AUDIO:
                var layoutName = [CChar](repeating: 0, count: 64)
                var layout = parameters.ch_layout
                av_channel_layout_describe(&layout, &layoutName, layoutName.count)
                info.audio.append(AudioStreamInfo(
                    index: index, codec: codec, sampleRate: Int(parameters.sample_rate),
                    channels: Int(parameters.ch_layout.nb_channels),
                    channelLayout: String(decoding: layoutName.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                    duration: duration, bitRate: parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil))
            default:
                continue
            }
        }
        return info
    }

    /// Clockwise display rotation in degrees (0, 90, 180, 270) from the stream's display matrix.
    static func rotation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        guard let matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nil) else { return 0 }
        let counterClockwise = matrix.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard counterClockwise.isFinite else { return 0 }
        let clockwise = Int((-counterClockwise).rounded())
        return ((clockwise % 360) + 360) % 360 / 90 * 90
    }

    static func dictionary(_ dict: OpaquePointer?) -> [String: String] {
        var result: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX) {
            result[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
        return result
    }
}
