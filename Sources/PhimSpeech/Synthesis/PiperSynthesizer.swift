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
/// phoneme, summed per word between the word separators, aligned with the text's tokens (``match(tokens:words:)``);
/// tokens Piper said as part of another word are interpolated by text length. Onsets after
/// a pause then move to where the sound starts, as for the other engines (``WordAligner``).
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
    let worker: PiperWorker

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
            for (index, span) in Self.match(tokens: speakable.map { tokens[$0].text }, words: words) {
                spans[speakable[index]] = WordAligner.Span(start: offset + span.start, end: offset + span.end)
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

    /// A word Piper said.
    struct Word: Sendable, Hashable {
        /// When, in seconds from the start of its request's audio.
        var span: WordAligner.Span
        /// Whether punctuation follows it (a comma, a full stop…) or it ends a sentence: it ends a clause.
        var endsClause: Bool
        /// How many phonemes it has (stress marks and length marks not counted).
        var phonemes = 1
    }

    /// Piper's words in its sentences, in seconds from the start of the first: each runs from its first phoneme to the
    /// end of its last one that is not punctuation. Words are the runs between `" "`, `^` and `$` that hold a phoneme
    /// other than punctuation.
    static func words(in chunks: [PiperWorker.Chunk], voiceRate: Int) -> [Word] {
        var words: [Word] = []
        var chunkStart = 0
        let rate = Double(voiceRate)
        for chunk in chunks {
            var position = chunkStart
            var wordStart: Int?, wordEnd = 0, phonemes = 0
            func finish(endsClause: Bool) {
                guard let start = wordStart else { return }
                words.append(Word(span: WordAligner.Span(start: Double(start) / rate, end: Double(wordEnd) / rate),
                                  endsClause: endsClause, phonemes: max(1, phonemes)))
                wordStart = nil
                phonemes = 0
            }
            for (phoneme, count) in zip(chunk.phonemes, chunk.counts) {
                let separator = phoneme == " " || phoneme == "^" || phoneme == "$"
                let punctuation = phoneme.unicodeScalars.allSatisfy { $0.properties.generalCategory.isPunctuation }
                if separator {
                    finish(endsClause: false)
                } else if punctuation {
                    if wordStart == nil, !words.isEmpty { words[words.count - 1].endsClause = true }
                    finish(endsClause: true)
                } else {
                    if wordStart == nil { wordStart = position }
                    wordEnd = position + max(0, count)
                    if !"ˈˌːˑ".contains(phoneme) { phonemes += 1 }
                }
                position += max(0, count)
            }
            finish(endsClause: true)
            if !words.isEmpty { words[words.count - 1].endsClause = true }
            chunkStart += max(0, chunk.samples)
        }
        return words
    }

    /// Which of Piper's words time which of a sentence's speakable tokens: a monotonic alignment by dynamic
    /// programming, where a token meets one word, two tokens one word (espeak-ng, Piper's phonemiser, says "of the" as
    /// one), or one token two words. Each pairing costs how far its letters-per-phoneme ratio is from the sentence's
    /// (in log terms), plus 0.7 for the uneven ones and 0.3 when only one side has punctuation there. A token paired
    /// alone gets its word's span, the first of two tokens the shared word's start (the second is interpolated), a
    /// token with two words both.
    /// - Returns: (token index, span) pairs; only the first token's start when no alignment exists.
    /// - Complexity: O(tokens × words).
    static func match(tokens: [String], words: [Word]) -> [(Int, WordAligner.Span)] {
        guard let first = words.first, !tokens.isEmpty else { return [] }
        let letters = tokens.map { max(1, $0.filter { $0.isLetter || $0.isNumber }.count) }
        let phonemes = words.map(\.phonemes)
        let ratio = Double(letters.reduce(0, +)) / Double(max(1, phonemes.reduce(0, +)))
        let ends = tokens.map { ProsodicSynthesizer.punctuation(ending: $0) != nil }
        let n = tokens.count, m = words.count
        let moves = [(1, 1, 0.0), (2, 1, 0.7), (1, 2, 0.7)]
        var cost = [[Double]](repeating: [Double](repeating: .infinity, count: m + 1), count: n + 1)
        var step = [[Int]](repeating: [Int](repeating: -1, count: m + 1), count: n + 1)
        cost[0][0] = 0
        for i in 0...n {
            for j in 0...m where cost[i][j].isFinite {
                for (move, (a, b, penalty)) in moves.enumerated() where i + a <= n && j + b <= m {
                    let l = letters[i..<(i + a)].reduce(0, +), p = phonemes[j..<(j + b)].reduce(0, +)
                    let punctuation = ends[i + a - 1] != words[j + b - 1].endsClause ? 0.3 : 0
                    let total = cost[i][j] + abs(log(Double(l) / Double(p) / ratio)) + penalty + punctuation
                    if total < cost[i + a][j + b] {
                        cost[i + a][j + b] = total
                        step[i + a][j + b] = move
                    }
                }
            }
        }
        guard cost[n][m].isFinite else { return [(0, WordAligner.Span(start: first.span.start, end: first.span.start))] }
        var matched: [(Int, WordAligner.Span)] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            let (a, b, _) = moves[step[i][j]]
            i -= a
            j -= b
            let span = WordAligner.Span(start: words[j].span.start, end: words[j + b - 1].span.end)
            matched.append((i, a == 1 ? span : WordAligner.Span(start: span.start, end: span.start)))
        }
        return matched.reversed()
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
