import Foundation
import PhimCore
import PhimSubtitles

/// Speech from Piper, a neural (VITS) text-to-speech engine, with a voice model the user chose (`--voice piper:NAME`):
/// an installed voice package or any `NAME.onnx` file with its `NAME.onnx.json`. A Vietnamese Piper voice gives
/// Vietnamese neural narration the same way.
///
/// The text is first rewritten by ``TextNormalizer`` for the language (numbers, dates, money, units in words), then
/// spoken one sentence per request by a ``PiperWorker`` (one Python process for all the calls of a synthesizer and its
/// copies). Word timings come from Piper's own phoneme alignments: the samples its duration predictor gave each
/// phoneme, summed per word between the word separators. When Piper's words do not match the sentence's tokens one to
/// one, only the sentence's start is taken from it and the rest is interpolated by text length; in both cases onsets
/// after a pause then move to where the sound starts, as for the other engines (``WordAligner``).
///
/// Piper's voices keep their own pitch: ``VoiceSettings/pitch`` is checked but not applied. The rate sets Piper's
/// length scale against ``naturalWordsPerMinute``.
public struct PiperSynthesizer: SpeechSynthesizer {
    /// The voice model.
    public let piperVoice: PiperVoice
    /// Seconds one request (one sentence) may take.
    public var timeout: Double
    /// The rate clips are decoded at (FFmpeg's resampler converts), or nil for the voice's own.
    public var sampleRate: Int?
    private let worker: PiperWorker

    /// The ``VoiceSettings/wordsPerMinute`` at which a voice speaks at its own pace (length scale 1).
    public static let naturalWordsPerMinute = 165.0
    /// The most tokens sent in one request when a text has no sentence ends (a request is one VITS pass).
    static let maxRequestTokens = 80

    /// - Parameters:
    ///   - installation: Piper's environment.
    ///   - voice: the model to speak with.
    ///   - timeout: seconds one request may take.
    ///   - sampleRate: decode every clip at this rate, so that clips can be joined; nil keeps the voice's rate.
    public init(installation: PiperInstallation, voice: PiperVoice, timeout: Double = 600, sampleRate: Int? = nil) {
        piperVoice = voice
        self.timeout = timeout
        self.sampleRate = sampleRate
        worker = PiperWorker(python: installation.python, voice: voice)
    }

    /// Speaks `text`; every whitespace-separated token of the (NFC) text becomes one ``SpokenWord``.
    /// - Parameters:
    ///   - voice: the language (which the model must speak) and the rate (80...450 words per minute); pitch must be
    ///     0...100 but is not applied; the voice name is ignored (the model was chosen when this was made).
    /// - Throws: `PhimError` `.invalidInput` for empty text, a rate or pitch out of range, a language the model does not
    ///   speak, or a model that does not load; `.operationFailed` naming Piper when it fails, dies or runs too long.
    /// - Complexity: O(n) in the length of the text.
    public func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        let text = text.nfc
        guard !TextToken.split(text).isEmpty else { throw PhimError(.invalidInput, "there is no text to speak (the text is empty)") }
        try EspeakSynthesizer.validate(voice)
        guard FestivalInstallation.primarySubtag(piperVoice.language) == FestivalInstallation.primarySubtag(voice.language) else {
            throw PhimError(.invalidInput, "the Piper voice \(piperVoice.name) speaks \(piperVoice.language), not \(voice.language.quoted())",
                            subject: .option("voice"))
        }
        let normalized = TextNormalizer(language: voice.language).normalize(text)
        let tokens = TextToken.split(normalized.spokenText)
        let lengthScale = Self.naturalWordsPerMinute / voice.wordsPerMinute
        var samples: [Float] = [], rate = sampleRate ?? piperVoice.sampleRate
        var spans = [WordAligner.Span?](repeating: nil, count: tokens.count)
        for sentence in Self.sentences(tokens) {
            let speakable = sentence.filter { Self.isSpeakable(tokens[$0].text) }
            guard !speakable.isEmpty else { continue }
            let speech = try worker.speak(sentence.map { tokens[$0].text }.joined(separator: " "), lengthScale: lengthScale,
                                          sampleRate: sampleRate, timeout: timeout)
            rate = speech.sampleRate
            let offset = Double(samples.count) / Double(rate)
            let words = Self.words(in: speech.chunks, voiceRate: speech.voiceRate)
            if words.count == speakable.count {
                for (word, index) in zip(words, speakable) {
                    spans[index] = WordAligner.Span(start: offset + word.start, end: offset + word.end)
                }
            } else if let first = words.first {
                spans[speakable[0]] = WordAligner.Span(start: offset + first.start, end: offset + first.start)
            }
            samples += speech.samples
        }
        let timed = WordAligner.timedWords(tokens: tokens, spans: spans, samples: &samples, sampleRate: rate)
        return SpeechClip(samples: samples, sampleRate: rate, words: normalized.writtenWords(timedBy: timed))
    }

    /// The token ranges sent one request each: sentences, ended by a token whose last letter-like character is
    /// followed by `.`, `!`, `?` or `…` (closing quotes and brackets after it allowed), and cut at
    /// ``maxRequestTokens`` tokens.
    static func sentences(_ tokens: [TextToken]) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for index in tokens.indices {
            let trimmed = tokens[index].text.reversed().drop { "\"'”’»)]}".contains($0) }
            let ends = trimmed.first.map { ".!?…".contains($0) } ?? false
            if ends || index + 1 - start >= maxRequestTokens || index == tokens.count - 1 {
                ranges.append(start..<(index + 1))
                start = index + 1
            }
        }
        return ranges
    }

    /// Whether a token has anything to say: a letter or a digit.
    static func isSpeakable(_ token: String) -> Bool {
        token.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    /// Piper's words in its sentences, in seconds from the start of the first: each runs from its first phoneme to the
    /// end of its last one that is not punctuation. Words are the runs between `" "`, `^` and `$` that hold a phoneme
    /// other than punctuation.
    static func words(in chunks: [PiperWorker.Chunk], voiceRate: Int) -> [WordAligner.Span] {
        var words: [WordAligner.Span] = []
        var chunkStart = 0
        for chunk in chunks {
            var position = chunkStart
            var wordStart: Int?, wordEnd = 0
            for (phoneme, count) in zip(chunk.phonemes, chunk.counts) {
                let separator = phoneme == " " || phoneme == "^" || phoneme == "$"
                let punctuation = phoneme.unicodeScalars.allSatisfy { $0.properties.generalCategory.isPunctuation }
                if separator {
                    if let start = wordStart { words.append(WordAligner.Span(start: Double(start) / Double(voiceRate),
                                                                             end: Double(wordEnd) / Double(voiceRate))) }
                    wordStart = nil
                } else if !punctuation {
                    if wordStart == nil { wordStart = position }
                    wordEnd = position + max(0, count)
                }
                position += max(0, count)
            }
            if let start = wordStart {
                words.append(WordAligner.Span(start: Double(start) / Double(voiceRate), end: Double(wordEnd) / Double(voiceRate)))
            }
            chunkStart += max(0, chunk.samples)
        }
        return words
    }
}

private extension Unicode.GeneralCategory {
    var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
             .otherPunctuation: true
        default: false
        }
    }
}
