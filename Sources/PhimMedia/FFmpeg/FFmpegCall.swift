internal import CFFmpeg
import PhimCore

/// FFmpeg's text for an error code, e.g. "Invalid data found when processing input".
func ffmpegErrorText(_ status: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE) + 1)
    av_strerror(status, &buffer, buffer.count - 1)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The one place FFmpeg status codes become errors (swift-nio's `syscall` idea): a negative status throws a
/// `PhimError` that says what Phim was doing, FFmpeg's reason, and the file it concerns.
///
/// - Parameters:
///   - status: what the `av…` function returned.
///   - doing: what the call was for, as a user reads it ("opening", "decoding").
///   - subject: the file or stream concerned.
///   - code: the error code when the call fails; invalid data is always `.corruptMedia`.
/// - Returns: `status` when it is not negative.
@discardableResult
func ffmpegCheck(
    _ status: Int32, _ doing: @autoclosure () -> String, subject: PhimError.Subject?, code: PhimError.Code = .operationFailed,
    function: String = #function, file: String = #fileID, line: Int = #line
) throws(PhimError) -> Int32 {
    guard status < 0 else { return status }
    let reason = ffmpegErrorText(status)
    let resolvedCode: PhimError.Code = status == CFFmpeg_AVERROR_INVALIDDATA() ? .corruptMedia : code
    throw PhimError(resolvedCode, "\(doing()) failed: \(reason)", subject: subject,
                    function: function, file: file, line: line)
}

/// FFmpeg's log goes quiet unless `PHIM_FFMPEG_LOG` names a level (`error`, `warning`, `info`, `debug`):
/// Phim reports failures itself, as one line.
enum FFmpegLogging {
    static let configured: Void = {
        let level: Int32
        switch getenv("PHIM_FFMPEG_LOG").map({ String(cString: $0) }) {
        case "error": level = AV_LOG_ERROR
        case "warning": level = AV_LOG_WARNING
        case "info": level = AV_LOG_INFO
        case "debug": level = AV_LOG_DEBUG
        default: level = AV_LOG_QUIET
        }
        av_log_set_level(level)
    }()
}

extension AVRational {
    var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
}

#if canImport(Glibc)
import Glibc
#endif
