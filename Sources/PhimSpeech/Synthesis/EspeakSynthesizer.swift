import PhimCore
import PhimSubtitles

/// Speech from espeak-ng, through its library (not the `espeak-ng` program), with word timings placed on the audio.
///
/// espeak-ng keeps its voice, parameters and output callback in process-wide state, so every call made through
/// any `EspeakSynthesizer` takes one process-wide lock: synthesis is thread-safe but serialised. It is far faster
/// than real time (about 1 s of work for several minutes of speech). The class holds no state of its own, which is
/// why it is `Sendable`.
public final class EspeakSynthesizer: SpeechSynthesizer, Sendable {
    /// Loads espeak-ng's data on first use (from `$ESPEAK_DATA_PATH/espeak-ng-data` when that variable is set).
    /// - Throws: `PhimError` `.operationFailed` saying how to install the data when it is missing or cannot be loaded.
    public init() throws(PhimError) {
        try EspeakEngine.withEngine { (_, _) throws(PhimError) in }
    }

    /// Names of the voices espeak-ng has for `language` (`"en"` gives `en`, `en-029`, `en-gb-scotland`, `en-us`…),
    /// for checking a `--voice` option. Any of them may take a variant suffix, as in `en-us+f3` (see ``variantNames()``).
    /// - Returns: sorted names, or none when espeak-ng cannot be loaded or knows no voice for the language.
    public static func voiceNames(language: String) -> [String] {
        (try? EspeakEngine.withEngine { (_, _) in EspeakEngine.voiceNamesLocked(language: language) }) ?? []
    }

    /// Every voice espeak-ng has, with its language, sorted by name; none when espeak-ng cannot be loaded.
    public static func voices() -> [EspeakVoice] {
        (try? EspeakEngine.withEngine { (_, _) in EspeakEngine.voiceListLocked() }) ?? []
    }

    /// The rate espeak-ng speaks at (22 050 Hz), or nil when it cannot be loaded.
    public static var sampleRate: Int? {
        try? EspeakEngine.withEngine { (sampleRate, _) in sampleRate }
    }

    /// Names of espeak-ng's voice variants (`f1`…`f5`, `m1`…`m8`, `klatt`, `whisper`…), used as `voice+variant`.
    public static func variantNames() -> [String] {
        (try? EspeakEngine.withEngine { (_, dataFolder) in EspeakEngine.variantNames(dataFolder: dataFolder) }) ?? []
    }

    /// Speaks `text`; every whitespace-separated token of the (NFC) text becomes one ``SpokenWord``.
    ///
    /// espeak-ng speaks the text as ``TextNormalizer`` rewrites it for `voice.language` (numbers, dates, money, units,
    /// abbreviations in words); the words keep the written tokens, each timed from the start of the first word it
    /// became to the end of the last.
    /// - Parameters:
    ///   - text: the text to speak, in `voice.language`.
    ///   - voice: language, optional espeak-ng voice name (`"vi"`, `"en-us"`, `"en+f3"`), rate (80...450 words per
    ///     minute) and pitch (0...100).
    /// - Returns: mono samples at 22 050 Hz and the words' timings.
    /// - Throws: `PhimError` `.invalidInput` for empty text, an unknown voice, language, or a rate or pitch out of range;
    ///   `.operationFailed` when espeak-ng fails.
    /// - Complexity: O(n) in the length of the text.
    public func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        let text = text.nfc
        let tokens = TextToken.split(text)
        guard !tokens.isEmpty else { throw PhimError(.invalidInput, "there is no text to speak (the text is empty)") }
        try Self.validate(voice)
        let normalized = TextNormalizer(language: voice.language).normalize(text)
        let output = try EspeakEngine.speak(normalized.spokenText, voice: voice)
        let spoken = Self.clip(tokens: TextToken.split(normalized.spokenText), output: output)
        return SpeechClip(samples: spoken.samples, sampleRate: spoken.sampleRate, words: normalized.writtenWords(timedBy: spoken.words))
    }

    /// Checks rate and pitch against espeak-ng's ranges.
    static func validate(_ voice: VoiceSettings) throws(PhimError) {
        guard voice.wordsPerMinute.isFinite, (80...450).contains(voice.wordsPerMinute) else {
            throw PhimError(.invalidInput, "speaking rate must be 80...450 words per minute, not \(voice.wordsPerMinute)",
                            subject: .option("rate"))
        }
        guard (0...100).contains(voice.pitch) else {
            throw PhimError(.invalidInput, "pitch must be 0...100, not \(voice.pitch)", subject: .option("pitch"))
        }
    }

    /// Timed words for espeak-ng's output: its word events, refined against the samples.
    static func clip(tokens: [TextToken], output: EspeakOutput) -> SpeechClip {
        let envelope = SpeechEnvelope(samples: output.samples, sampleRate: output.sampleRate)
        let soundStart = envelope.soundStart ?? 0
        let soundEnd = envelope.soundEnd ?? output.samples.count
        let onsets = WordAligner.estimatedOnsets(tokens: tokens, marks: output.marks, soundStart: soundStart, soundEnd: soundEnd)
        let words = WordAligner.words(tokens: tokens, onsets: onsets, envelope: envelope, sampleCount: output.samples.count)
        return SpeechClip(samples: output.samples, sampleRate: output.sampleRate, words: words)
    }
}

/// One of espeak-ng's voices.
public struct EspeakVoice: Sendable, Hashable {
    /// Its name, as `--voice` takes it (`en-us`, `vi`).
    public var name: String
    /// The language it speaks, as espeak-ng tags it (`en-us`, `vi`).
    public var language: String

    public init(name: String, language: String) {
        self.name = name
        self.language = language
    }
}
