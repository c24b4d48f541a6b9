import PhimCore
import PhimSubtitles

/// Voice choice for any synthesizer.
public struct VoiceSettings: Sendable, Hashable {
    /// The language of the text, as a BCP 47 tag espeak-ng knows: `"vi"`, `"en"`, `"en-gb"`…
    public var language: String
    /// The engine's voice name (`"vi"`, `"en-us"`, `"en+f3"` for espeak-ng; whatever a command engine takes),
    /// or `nil` for the language's default voice.
    public var voice: String?
    /// Speaking rate in words per minute (espeak-ng's own default is 175; Phim's is a little slower).
    public var wordsPerMinute: Double
    /// Voice pitch, 0...100 (50 is the voice's normal pitch).
    public var pitch: Int

    /// - Parameters:
    ///   - language: the text's language (`"vi"`, `"en"`).
    ///   - voice: an engine voice name, or `nil` for the language's default.
    ///   - wordsPerMinute: speaking rate.
    ///   - pitch: 0...100.
    public init(language: String, voice: String? = nil, wordsPerMinute: Double = 165, pitch: Int = 50) {
        self.language = language
        self.voice = voice
        self.wordsPerMinute = wordsPerMinute
        self.pitch = pitch
    }
}

/// Synthesised speech: mono samples and word timings in seconds from the first sample.
public struct SpeechClip: Sendable {
    /// Mono samples, nominally in −1...1.
    public var samples: [Float]
    /// Samples per second (espeak-ng speaks at 22 050 Hz).
    public var sampleRate: Int
    /// Every whitespace-separated token of the input, in order, with its timing.
    public var words: [SpokenWord]

    /// Length of the clip in seconds.
    public var duration: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }

    public init(samples: [Float], sampleRate: Int, words: [SpokenWord]) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.words = words
    }
}

/// A text-to-speech engine.
///
/// Synthesis blocks the calling thread while the engine works: call it from a dedicated thread or a thread pool,
/// not from Swift's cooperative pool.
public protocol SpeechSynthesizer: Sendable {
    /// Speaks `text` with `voice`.
    /// - Parameters:
    ///   - text: any text; it is NFC-normalised, and every whitespace-separated token becomes one ``SpokenWord``.
    /// - Returns: the audio and one timed word per token of the text.
    /// - Throws: `PhimError` `.invalidInput` for empty text or a voice the engine does not know, `.operationFailed`
    ///   when the engine fails.
    func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip

    /// Gets ready to speak with `voice` on up to `concurrency` threads at once, in the background (an engine that
    /// starts a program per thread starts them now); returns at once. Optional: by default it does nothing.
    func prepare(_ voice: VoiceSettings, concurrency: Int)
}

extension SpeechSynthesizer {
    public func prepare(_ voice: VoiceSettings, concurrency: Int) {}
}
