import Foundation
import PhimCore
import PhimSubtitles

/// Any engine, with pauses and question intonation taken from the text's punctuation, the same for every engine.
///
/// After the engine speaks:
/// - **Questions rise** (yes/no questions: in English, one that starts with a question word such as "where" falls like
///   a statement; and not in tonal languages such as Vietnamese, where pitch is part of the word). The last word of each question (its written token ends with `?`) is measured: when its pitch
///   does not already end at least 15 % above the question's median (Festival's HTS voice ignores the question mark;
///   espeak-ng and Piper rise on their own, more or less, by voice), it is raised by ``PitchShifter`` along a smooth
///   curve so that the second half of the word averages 25 % above the median (at most 60 % above where it was).
/// - **Punctuation pauses.** Each word followed by punctuation is followed by at least ``minimumPause(after:)`` of
///   quiet: a comma 150 ms, a colon, semicolon or dash 250 ms, a full stop or exclamation 350 ms, a question
///   400 ms, scaled by the rate (shorter when faster). Engines pause on their own, but unevenly (Festival and Piper
///   about 170 ms between sentences; list items and headings come as sentences too); where the quiet is shorter, silence
///   is added in its quietest 5 ms, and the words after it move later. Pauses are never shortened.
///
/// Which punctuation counts is read from the normalised text (``TextNormalizer``): `Mr.` and `e.g.` are said as words
/// and end no sentence.
public struct ProsodicSynthesizer: SpeechSynthesizer {
    /// The engine that speaks.
    public let base: any SpeechSynthesizer

    public init(_ base: any SpeechSynthesizer) { self.base = base }

    public func prepare(_ voice: VoiceSettings, concurrency: Int) { base.prepare(voice, concurrency: concurrency) }

    /// Speaks `text` with the base engine, then applies the punctuation's intonation and pauses.
    /// - Throws: what the base engine throws.
    /// - Complexity: the engine's, plus O(n) in the samples.
    public func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        var clip = try base.synthesize(text, voice: voice)
        let normalized = TextNormalizer(language: voice.language).normalize(text.nfc)
        guard normalized.tokens.count == clip.words.count, !clip.samples.isEmpty else { return clip }
        let marks = normalized.tokens.map { token -> Character? in
            guard let last = token.spoken.last, last < normalized.spokenTokens.count else { return nil }
            return Self.punctuation(ending: normalized.spokenTokens[last])
        }
        let language = FestivalInstallation.primarySubtag(voice.language)
        if !Self.tonalLanguages.contains(language) { Self.raiseQuestions(&clip, marks: marks, language: language) }
        Self.lengthenPauses(&clip, marks: marks, wordsPerMinute: voice.wordsPerMinute)
        return clip
    }

    /// Languages whose words' pitch contours are their tones (Vietnamese, Chinese, Thai, Lao, Burmese): raising the
    /// pitch of a question's last word would change the word, so their questions keep the engine's own contour.
    static let tonalLanguages: Set<String> = ["vi", "zh", "cmn", "yue", "th", "lo", "my"]

    /// The punctuation mark a spoken token ends with (`,` `;` `:` `—` `.` `!` `?` `…`, closing quotes and brackets
    /// skipped; `-` and `–` count as `—`), or nil.
    static func punctuation(ending token: String) -> Character? {
        guard let mark = token.reversed().first(where: { !"\"'”’»)]}".contains($0) }) else { return nil }
        switch mark {
        case ",", "，", "、": return ","
        case ";", ":", "；", "：": return ";"
        case "—", "–", "-": return token.count == 1 || token.hasSuffix("—") ? "—" : nil
        case ".", "!", "。", "！": return "."
        case "?", "？": return "?"
        case "…": return "."
        default: return nil
        }
    }

    /// The shortest quiet after a word ending with `mark`, in seconds at the natural rate (165 words per minute).
    static func minimumPause(after mark: Character) -> Double {
        switch mark {
        case ",": 0.15
        case ";", "—": 0.25
        case ".": 0.35
        case "?": 0.40
        default: 0
        }
    }

    /// Adds quiet where a punctuation pause is too short.
    static func lengthenPauses(_ clip: inout SpeechClip, marks: [Character?], wordsPerMinute: Double) {
        let rate = Double(clip.sampleRate)
        let scale = min(1.5, max(0.6, 165 / wordsPerMinute))
        // Where silence goes, in order.
        var insertions: [(at: Int, count: Int, after: Int)] = []
        for index in clip.words.indices.dropLast() {
            guard let mark = marks[index] else { continue }
            let wanted = minimumPause(after: mark) * scale
            let end = clip.words[index].end, next = clip.words[index + 1].start
            let missing = wanted - max(0, next - end)
            guard missing > 0.005 else { continue }
            let low = Int(end * rate), high = max(low, Int(next * rate))
            insertions.append((at: quietest(clip.samples, low..<high, sampleRate: clip.sampleRate), count: Int(missing * rate), after: index))
        }
        guard !insertions.isEmpty else { return }
        var samples: [Float] = []
        samples.reserveCapacity(clip.samples.count + insertions.reduce(0) { $0 + $1.count })
        var copied = 0
        let fade = max(1, clip.sampleRate / 400)
        for insertion in insertions {
            let at = min(max(insertion.at, copied), clip.samples.count)
            samples += clip.samples[copied..<at]
            // A short fade on each side of the silence: the quiet there is not always digital silence.
            for step in 0..<min(fade, samples.count) { samples[samples.count - 1 - step] *= Float(step) / Float(fade) }
            samples += [Float](repeating: 0, count: insertion.count)
            copied = at
            for step in 0..<min(fade, clip.samples.count - at) { clip.samples[at + step] *= Float(step) / Float(fade) }
        }
        samples += clip.samples[copied...]
        var shift = 0.0, next = 0
        for index in clip.words.indices {
            clip.words[index].start += shift
            clip.words[index].end += shift
            while next < insertions.count, insertions[next].after == index {
                shift += Double(insertions[next].count) / rate
                next += 1
            }
        }
        clip.samples = samples
    }

    /// The centre of the quietest 5 ms in `range` (its start when it is shorter than that).
    static func quietest(_ samples: [Float], _ range: Range<Int>, sampleRate: Int) -> Int {
        let window = max(1, sampleRate / 200)
        let range = range.clamped(to: 0..<samples.count)
        guard range.count > window else { return range.lowerBound }
        var energy: Float = 0
        for index in range.lowerBound..<(range.lowerBound + window) { energy += samples[index] * samples[index] }
        var best = energy, bestStart = range.lowerBound
        for start in (range.lowerBound + 1)...(range.upperBound - window) {
            energy += samples[start + window - 1] * samples[start + window - 1] - samples[start - 1] * samples[start - 1]
            if energy < best { best = energy; bestStart = start }
        }
        return bestStart + window / 2
    }

    /// How far above the question's median pitch the second half of its last word should be, on average; above
    /// ``nativeRise`` the engine's own rise is kept; ``maxRaise`` bounds the factor at the word's end.
    static let questionRise = 1.25, nativeRise = 1.15, maxRaise = 1.6

    /// English question words: a question that starts with one (after any leading words such as "and" or "so") asks
    /// for information and falls at its end, like a statement.
    static let englishQuestionWords: Set<String> = ["what", "where", "when", "why", "who", "whom", "whose", "which", "how"]
    static let englishLeadWords: Set<String> = ["and", "but", "so", "then", "now", "well", "or", "oh"]

    /// Whether the question made of `words` should rise at its end: in English, yes/no questions do and questions
    /// that start with a question word do not; in other languages every question does.
    static func rises(_ words: ArraySlice<String>, language: String) -> Bool {
        guard language == "en" else { return true }
        let lowered = words.map { $0.lowercased().filter { $0.isLetter || $0 == "'" } }
        guard let first = lowered.first(where: { !$0.isEmpty && !englishLeadWords.contains($0) }) else { return true }
        let base = first.split(separator: "'").first.map(String.init) ?? first   // "what's", "how's"
        return !englishQuestionWords.contains(base)
    }

    /// Raises the end of each question that does not rise on its own.
    static func raiseQuestions(_ clip: inout SpeechClip, marks: [Character?], language: String) {
        let rate = Double(clip.sampleRate)
        let peak = clip.samples.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return }
        let tracker = PitchTracker(sampleRate: clip.sampleRate)
        let floor = peak * 0.03
        var sentenceStart = 0
        for index in clip.words.indices {
            guard let mark = marks[index], mark == "." || mark == "?" else { continue }
            defer { sentenceStart = index + 1 }
            guard mark == "?", rises(clip.words[sentenceStart...index].map(\.text)[...], language: language) else { continue }
            // The last word, and the one before when it is short (under 250 ms).
            var first = index
            if first > sentenceStart, clip.words[index].end - clip.words[index].start < 0.25 { first -= 1 }
            let region = Int(clip.words[first].start * rate)..<Int(clip.words[index].end * rate)
            let sentence = Int(max(clip.words[sentenceStart].start, clip.words[index].end - 3) * rate)..<region.upperBound
            guard region.count > clip.sampleRate / 20,
                  let median = tracker.medianFrequency(clip.samples, in: sentence, floor: floor) else { continue }
            // Around the voice's median, so that a strong formant does not pass for two or three times the pitch.
            let voice = (median * 0.6)...(median * 1.8)
            let secondHalf = (region.lowerBound + region.count / 2)..<region.upperBound
            let ending = PitchTracker(sampleRate: clip.sampleRate, frequencies: voice)
                .medianFrequency(clip.samples, in: secondHalf, floor: floor) ?? median
            guard ending < median * nativeRise else { continue }
            // The factor follows a smoothstep from 1 to `target`; its mean over the second half is 0.8125 of the way.
            let target = min(maxRaise, max(1.1, 1 + (questionRise * median / ending - 1) / 0.8125))
            PitchShifter.shift(&clip.samples, range: region, sampleRate: clip.sampleRate, floor: floor, frequencies: voice) { position in
                1 + (target - 1) * position * position * (3 - 2 * position)
            }
        }
    }
}
