import Foundation
import PhimCore

/// How fast a voice speaks, for planning how many words fit a duration.
public enum SpeakingRate {
    private struct Key: Hashable {
        var engine: String
        var voice: VoiceSettings
    }

    /// Measured rates, shared by all callers; guarded by `lock`.
    nonisolated(unsafe) private static var cache: [Key: Double] = [:]
    private static let lock = NSLock()

    /// Measured words per second of `voice` on `synthesizer`: the calibration passage for the voice's language (about
    /// 40 words, several sentences) is synthesised once and its word count divided by the time from its first word's
    /// start to its last word's end, pauses between sentences included. Results are cached per synthesizer and settings.
    /// - Parameters:
    ///   - synthesizer: the engine that will speak the narration.
    ///   - voice: the voice and rate it will use.
    /// - Returns: words per second (about 2.5 for espeak-ng at 165 words per minute).
    /// - Throws: what the synthesizer throws for the calibration passage (an unknown voice, a failing command).
    public static func measure(_ synthesizer: some SpeechSynthesizer, voice: VoiceSettings) throws(PhimError) -> Double {
        let key = Key(engine: "\(type(of: synthesizer)):\(String(reflecting: synthesizer))", voice: voice)
        if let known = lock.withLock({ cache[key] }) { return known }
        // Measured outside the cache lock: synthesis may be slow and takes its own locks.
        let clip = try synthesizer.synthesize(calibrationPassage(language: voice.language), voice: voice)
        guard let first = clip.words.first, let last = clip.words.last, last.end > first.start else {
            throw PhimError(.operationFailed, "the voice produced no measurable speech for the calibration passage",
                            subject: voice.voice == nil ? .option("lang") : .option("voice"))
        }
        let rate = Double(clip.words.count) / (last.end - first.start)
        lock.withLock { cache[key] = rate }
        return rate
    }

    /// The built-in passage for `language` (Vietnamese or English; English for other languages).
    public static func calibrationPassage(language: String) -> String {
        let base = language.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        switch base {
        case "vi":
            return """
            Mỗi buổi sáng, người dân trong khu phố thường dậy sớm để tập thể dục bên hồ. \
            Sau đó, họ ghé quán quen ăn một bát phở nóng và trò chuyện về công việc. \
            Cuộc sống ở thành phố tuy bận rộn, nhưng vẫn có những khoảnh khắc bình yên như vậy.
            """
        default:
            return """
            Every morning, the people of our neighbourhood walk along the river before work. \
            Some of them stop at a small cafe to read the news and talk about the weather. \
            City life can be busy, but there are still quiet moments like these.
            """
        }
    }
}
