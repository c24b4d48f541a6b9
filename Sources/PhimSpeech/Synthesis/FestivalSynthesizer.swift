import Foundation
import PhimCore
import PhimMedia
import PhimSubtitles

/// Speech from the Festival speech synthesis system, run as the `festival` program, by default with CMU's US English
/// HTS voice `cmu_us_slt_arctic_hts`: English that an offline recogniser transcribes with a word error rate of about
/// 0.05–0.14, against 0.81–0.86 for espeak-ng.
///
/// Festival runs as `festival --pipe`, kept running between calls (``FestivalWorker``: one process per thread that
/// speaks at once, each in a temporary folder removed when it stops); each call sends it a Scheme expression that holds
/// the text as an escaped string literal (``FestivalScript``): the text never passes through a shell or a command
/// line. The expression writes the waveform and prints Festival's own timing of every word of the utterance, from its
/// `Word` and `Token` relations; each written token of the text is timed from the start of its first word to the end of its last,
/// then onsets that follow a pause are moved to where the sound starts, as for espeak-ng (``WordAligner``).
///
/// The text is first rewritten by ``TextNormalizer`` for the voice's language (numbers, dates, money, units in words),
/// then spelled in ASCII, the only text Festival's English voices read (`café` → `cafe`, curly quotes → straight ones).
/// A text with characters that have no such spelling (Cyrillic, Chinese, emoji) is spoken by espeak-ng instead, with a
/// `warning:` line through ``warn``.
///
/// Festival's voices keep their own pitch: ``VoiceSettings/pitch`` is checked but not applied. The rate scales the
/// voice's own pace, which ``naturalWordsPerMinute`` stands for. Festival speaks far faster than real time (about
/// 0.06 s of work per second of speech here; a process takes about 0.5 s to start, once).
public struct FestivalSynthesizer: SpeechSynthesizer {
    /// The Festival program and its voices.
    public let installation: FestivalInstallation
    /// Seconds one Festival run may take before it is stopped.
    public var timeout: Double
    /// The rate clips are decoded at (FFmpeg's resampler converts), also for the passages espeak-ng speaks; nil keeps
    /// the voice's own rate (32 000 Hz for `cmu_us_slt_arctic_hts`) and espeak-ng's (22 050 Hz).
    public var sampleRate: Int?
    /// Receives a `warning:` line when a passage is spoken by espeak-ng instead (once per distinct line).
    public var warn: (@Sendable (String) -> Void)?
    private let warnings = WarningMemory()
    /// Festival processes kept running between calls, shared by copies of this synthesizer.
    let workers = FestivalWorkerPool()

    /// The ``VoiceSettings/wordsPerMinute`` at which a voice speaks at its natural pace; other rates scale it.
    public static let naturalWordsPerMinute = 165.0

    /// - Parameters:
    ///   - installation: Festival and its voices (default: the `festival` program on the `PATH`).
    ///   - timeout: seconds one run may take.
    ///   - sampleRate: decode every clip at this rate, so that clips can be joined; nil keeps each engine's rate.
    ///   - warn: receives a `warning:` line when a passage falls back to espeak-ng.
    /// - Throws: `PhimError` `.invalidInput` (about `--voice`) saying how to install Festival when it is not installed.
    public init(installation: FestivalInstallation? = nil, timeout: Double = 600, sampleRate: Int? = nil,
                warn: (@Sendable (String) -> Void)? = nil) throws(PhimError) {
        guard let installation = installation ?? FestivalInstallation.find() else {
            throw PhimError(.invalidInput, "Festival is not installed (\(FestivalInstallation.installCommand))", subject: .option("voice"))
        }
        self.installation = installation
        self.timeout = timeout
        self.sampleRate = sampleRate
        self.warn = warn
    }

    /// Speaks `text`; every whitespace-separated token of the (NFC) text becomes one ``SpokenWord``, with a positive
    /// duration.
    /// - Parameters:
    ///   - text: the text to speak, in `voice.language`.
    ///   - voice: the language, a Festival voice name (`cmu_us_slt_arctic_hts`) or nil for the language's default voice,
    ///     and the rate (80...450 words per minute); pitch must be 0...100 but is not applied.
    /// - Returns: mono samples (at ``sampleRate`` when set) and the words' timings.
    /// - Throws: `PhimError` `.invalidInput` for empty text, a rate or pitch out of range, an unknown voice (naming the
    ///   installed ones) or a language the voice does not speak (Vietnamese: no Festival voice does); `.operationFailed`
    ///   naming Festival when it fails, crashes or runs past ``timeout``.
    /// - Complexity: O(n) in the length of the text.
    public func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        let text = text.nfc
        guard !TextToken.split(text).isEmpty else { throw PhimError(.invalidInput, "there is no text to speak (the text is empty)") }
        try EspeakSynthesizer.validate(voice)
        let festivalVoice = try self.festivalVoice(for: voice)
        let normalized = TextNormalizer(language: voice.language).normalize(text)
        var spelled: [String] = [], unsayable: [Character] = [], example: String?
        for token in normalized.spokenTokens {
            let spelling = FestivalScript.asciiSpelling(token)
            spelled.append(spelling.text)
            if !spelling.unsayable.isEmpty {
                unsayable += spelling.unsayable
                example = example ?? token
            }
        }
        if let example { return try spokenByEspeak(text, voice: voice, unsayable: unsayable, example: example) }
        let speed = voice.wordsPerMinute / Self.naturalWordsPerMinute
        let spoken = try run(spelled.joined(separator: " "), voice: festivalVoice, speed: speed)
        let tokens = TextToken.split(normalized.spokenText)
        let indices = FestivalScript.textTokenIndices(spaced: spoken.spaced, tokenCount: tokens.count)
        var samples = spoken.samples
        let timed = Self.timedWords(tokens: tokens, festivalTokens: indices, words: spoken.words, samples: &samples,
                                    sampleRate: spoken.sampleRate)
        return SpeechClip(samples: samples, sampleRate: spoken.sampleRate, words: normalized.writtenWords(timedBy: timed))
    }

    /// Starts `concurrency` Festival processes in the background, each loading the voice for `voice`, so that the
    /// first calls (on that many threads) start at once. Does nothing for a voice that is not installed (the call
    /// reports it).
    public func prepare(_ voice: VoiceSettings, concurrency: Int) {
        guard concurrency > 0, let festivalVoice = try? festivalVoice(for: voice) else { return }
        workers.warmUp(concurrency, executable: installation.executable, voice: festivalVoice)
    }

    /// The installed voice that speaks `voice`.
    /// - Throws: `PhimError` `.invalidInput` about `--voice` for an unknown voice, or one that does not speak the language.
    public func festivalVoice(for voice: VoiceSettings) throws(PhimError) -> FestivalVoice {
        let installed = installation.voices.isEmpty ? "none (\(FestivalInstallation.installCommand))"
            : installation.voices.map { "\($0.name) (\($0.language))" }.joined(separator: ", ")
        let chosen: FestivalVoice
        if let name = voice.voice {
            guard let found = installation.voice(named: name) else {
                throw PhimError(.invalidInput, "unknown Festival voice \(name.quoted()); installed Festival voices: \(installed)",
                                subject: .option("voice"))
            }
            chosen = found
        } else {
            guard let found = installation.defaultVoice(language: voice.language) else {
                throw PhimError(.invalidInput, "Festival has no voice for \(voice.language.quoted()); installed Festival voices: \(installed)"
                                + Self.vietnameseAdvice(voice.language), subject: .option("voice"))
            }
            chosen = found
        }
        guard FestivalInstallation.speaks(chosen, voice.language) else {
            throw PhimError(.invalidInput, "the Festival voice \(chosen.name) speaks \(chosen.language), not \(voice.language.quoted())"
                            + Self.vietnameseAdvice(voice.language), subject: .option("voice"))
        }
        return chosen
    }

    private static func vietnameseAdvice(_ language: String) -> String {
        FestivalInstallation.primarySubtag(language) == "vi" ? "; Vietnamese is spoken by espeak-ng (--voice vi)" : ""
    }

    /// What one Festival run gave: the waveform, and for each of its tokens whether whitespace came before it, and its words.
    private struct Spoken {
        var samples: [Float]
        var sampleRate: Int
        var spaced: [Bool]
        var words: [FestivalScript.Word]
    }

    /// Has Festival speak `text` (ASCII) and decodes the waveform it wrote.
    private func run(_ text: String, voice: FestivalVoice, speed: Double) throws(PhimError) -> Spoken {
        let sampleRate = self.sampleRate, timeout = self.timeout
        return try workers.withWorker(executable: installation.executable) { (worker) throws(PhimError) -> Spoken in
            let spoken = try worker.speak(text, voice: voice, speed: speed, timeout: timeout)
            defer { try? FileManager.default.removeItem(at: spoken.wave) }
            do throws(PhimError) {
                let (samples, rate) = try CommandSynthesizer.decodeMono(spoken.wave, sampleRate: sampleRate)
                return Spoken(samples: samples, sampleRate: rate, spaced: spoken.spaced, words: spoken.words)
            } catch {
                throw PhimError(.operationFailed, "Festival wrote audio that cannot be decoded: \(error.message)", underlying: error)
            }
        }
    }

    /// One timed word per spoken token from Festival's words: each token lasts from the start of its first word to the
    /// end of its last (words without segments, such as the `'s` Festival splits off, are skipped), then
    /// ``WordAligner/timedWords(tokens:spans:samples:sampleRate:)`` places them on the sound.
    /// - Parameters:
    ///   - festivalTokens: for each of Festival's tokens, the index into `tokens` it belongs to.
    ///   - samples: the waveform; may grow.
    /// - Complexity: O(n + samples).
    static func timedWords(tokens: [TextToken], festivalTokens: [Int], words: [FestivalScript.Word], samples: inout [Float],
                           sampleRate: Int) -> [SpokenWord] {
        var spans = [WordAligner.Span?](repeating: nil, count: tokens.count)
        for word in words where word.end > word.start && word.token < festivalTokens.count {
            let index = festivalTokens[word.token]
            guard index < tokens.count else { continue }
            spans[index] = spans[index].map { WordAligner.Span(start: min($0.start, word.start), end: max($0.end, word.end)) }
                ?? WordAligner.Span(start: word.start, end: word.end)
        }
        return WordAligner.timedWords(tokens: tokens, spans: spans, samples: &samples, sampleRate: sampleRate)
    }

    /// espeak-ng's reading of a text Festival cannot say, announced by a warning.
    private func spokenByEspeak(_ text: String, voice: VoiceSettings, unsayable: [Character], example: String) throws(PhimError) -> SpeechClip {
        var distinct: [Character] = []
        for character in unsayable where !distinct.contains(character) { distinct.append(character) }
        let listed = distinct.prefix(5).map { String($0).quoted() }.joined(separator: ", ") + (distinct.count > 5 ? ", …" : "")
        let line = "warning: Festival's English voices cannot say \(listed) (in \(example.quoted(limit: 30))); "
            + "espeak-ng speaks this passage instead"
        if let warn, warnings.isFirst(line) { warn(line) }
        var settings = voice
        settings.voice = nil
        let clip = try EspeakSynthesizer().synthesize(text, voice: settings)
        guard let sampleRate, sampleRate != clip.sampleRate else { return clip }
        return try Self.resampled(clip, to: sampleRate)
    }

    /// `clip` at another sample rate (through FFmpeg's resampler), its words unchanged but kept inside its length.
    static func resampled(_ clip: SpeechClip, to sampleRate: Int) throws(PhimError) -> SpeechClip {
        let failure = { (message: String) in PhimError(.operationFailed, "resampling espeak-ng's speech: " + message) }
        return try EngineProcess.withFolder(prefix: "phim-resample", failure: failure) { (scratch) throws(PhimError) -> SpeechClip in
            let file = scratch.file("speech.wav")
            try WAVFile.write(clip.samples, sampleRate: clip.sampleRate, channelCount: 1, format: .float32, to: file)
            let (samples, rate) = try CommandSynthesizer.decodeMono(file, sampleRate: sampleRate)
            let duration = Double(samples.count) / Double(rate)
            let words = clip.words.map { SpokenWord(text: $0.text, start: min($0.start, duration), end: min($0.end, duration)) }
            return SpeechClip(samples: samples, sampleRate: rate, words: words)
        }
    }
}

/// Lines already reported, so that fitting a duration (which speaks one text several times) warns once.
/// `@unchecked Sendable`: the set is guarded by a lock.
private final class WarningMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []

    /// Whether `line` is new (it is then remembered).
    func isFirst(_ line: String) -> Bool { lock.withLock { seen.insert(line).inserted } }
}
