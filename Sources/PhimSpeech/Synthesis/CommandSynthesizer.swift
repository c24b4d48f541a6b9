import Foundation
import PhimCore
import PhimMedia
import PhimSubtitles

/// Another text-to-speech engine (piper, a cloud CLI, a script) run through a shell command template that writes a
/// WAV file; word timings come from espeak-ng, stretched onto the engine's audio and refined against it.
///
/// Placeholders in the template are replaced by shell-quoted values, so write them bare (`--output_file {output}`,
/// not `'{output}'`):
/// - `{output}` (required): the WAV file the command must write;
/// - `{text}`: the text (NFC), with numbers, dates, money, units and abbreviations written out in words by
///   ``TextNormalizer`` unless ``normalizesText`` is off;
/// - `{lang}`: ``VoiceSettings/language``;
/// - `{voice}`: ``VoiceSettings/voice``, or the language when no voice is set;
/// - `{rate}`: ``VoiceSettings/wordsPerMinute``, rounded to an integer.
///
/// The same text is also written to the command's standard input. The command runs under `/bin/sh -c` in a fresh
/// temporary folder (its working directory), removed afterwards (see ``EngineProcess``).
///
/// Example: `piper --model vi_VN-vais1000-medium.onnx --output_file {output}`.
public struct CommandSynthesizer: SpeechSynthesizer {
    /// The command template as given.
    public let template: String
    /// Seconds the command may run before it is stopped.
    public var timeout: Double
    /// The rate clips are decoded at (FFmpeg's resampler converts); nil keeps each file's own rate.
    public var sampleRate: Int?
    /// Whether the command gets the text as ``TextNormalizer`` rewrites it for the voice's language (on by default);
    /// turn it off for an engine that reads numbers and abbreviations well itself. The words always keep the written
    /// tokens.
    public var normalizesText = true
    private let timing: EspeakSynthesizer

    /// The placeholders a template may use.
    public static let placeholders = ["output", "text", "lang", "voice", "rate"]

    /// - Parameters:
    ///   - template: a shell command with placeholders; `{output}` is required.
    ///   - timeout: seconds the command may run for one synthesis.
    ///   - sampleRate: decode every clip at this rate, so that clips from one engine can be joined; nil keeps the
    ///     rate the engine wrote.
    /// - Throws: `PhimError` `.invalidInput` (about `--tts-command`) when `{output}` is missing or an unknown placeholder
    ///   appears; `.operationFailed` when espeak-ng, needed for the timings, cannot be loaded.
    public init(template: String, timeout: Double = 600, sampleRate: Int? = nil) throws(PhimError) {
        let names = Self.placeholderNames(in: template)
        if let unknown = names.first(where: { !Self.placeholders.contains($0) }) {
            throw PhimError(.invalidInput, "unknown placeholder {\(unknown)}; use "
                            + Self.placeholders.map { "{\($0)}" }.joined(separator: ", "), subject: .option("tts-command"))
        }
        guard names.contains("output") else {
            throw PhimError(.invalidInput, "the command must write its WAV file to {output}", subject: .option("tts-command"))
        }
        self.template = template
        self.timeout = timeout
        self.sampleRate = sampleRate
        self.timing = try EspeakSynthesizer()
    }

    /// Runs the command for `text` and times its words.
    /// - Parameters:
    ///   - text: the text to speak; every whitespace-separated token becomes one ``SpokenWord``.
    ///   - voice: passed to the command through the placeholders; espeak-ng times the words in `voice.language`
    ///     (English when espeak-ng does not know the language).
    /// - Returns: the command's audio mixed to mono at its own sample rate, and the words' timings.
    /// - Throws: `PhimError` `.invalidInput` for empty text; `.operationFailed` (about `--tts-command`) when the command
    ///   fails, times out, writes no file or a file Phim cannot decode.
    public func synthesize(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        let text = text.nfc
        let tokens = TextToken.split(text)
        guard !tokens.isEmpty else { throw PhimError(.invalidInput, "there is no text to speak (the text is empty)") }
        let spokenText = normalizesText ? TextNormalizer(language: voice.language).normalize(text).spokenText : text
        let (samples, sampleRate) = try run(text: spokenText, voice: voice)
        let reference = try espeakReference(text, voice: voice)
        let words = Self.transfer(reference.words, from: reference.samples, sampleRate: reference.sampleRate,
                                  tokens: tokens, onto: samples, sampleRate: sampleRate)
        return SpeechClip(samples: samples, sampleRate: sampleRate, words: words)
    }

    /// The command line for these values.
    func command(text: String, voice: VoiceSettings, output: String) -> String {
        let values = ["output": Self.shellQuoted(output), "text": Self.shellQuoted(text), "lang": Self.shellQuoted(voice.language),
                      "voice": Self.shellQuoted(voice.voice ?? voice.language),
                      "rate": String(Int(voice.wordsPerMinute.isFinite ? voice.wordsPerMinute.rounded() : 165))]
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let value = values[String(rest[afterOpen..<close])],
               !(open > template.startIndex && template[template.index(before: open)] == "$") {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result.append("{")
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }

    /// Names written as `{name}` (lowercase letters), except shell `${name}` expansions.
    static func placeholderNames(in template: String) -> [String] {
        var names: [String] = []
        var previous: Character?
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "{", previous != "$",
               let close = template[index...].firstIndex(of: "}") {
                let name = template[template.index(after: index)..<close]
                if !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isLetter }) { names.append(String(name)) }
            }
            previous = character
            index = template.index(after: index)
        }
        return names
    }

    /// `value` in single quotes for `/bin/sh`.
    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs the command in a fresh folder and decodes what it wrote.
    private func run(text: String, voice: VoiceSettings) throws(PhimError) -> ([Float], Int) {
        let failure = { (message: String) in PhimError(.operationFailed, message, subject: .option("tts-command")) }
        return try EngineProcess.withFolder(prefix: "phim-tts", failure: failure) { (process) throws(PhimError) -> ([Float], Int) in
            let output = process.file("speech.wav")
            let result = try process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", command(text: text, voice: voice, output: output.path)],
                                         input: text + "\n", keepsOutput: false, timeout: timeout)
            let detail = result.lastErrorLine.isEmpty ? "" : ": \(result.lastErrorLine)"
            let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? nil
            guard let size, size > 0 else { throw failure("finished without writing a WAV file to {output}\(detail)") }
            do throws(PhimError) {
                return try Self.decodeMono(output, sampleRate: sampleRate)
            } catch {
                throw PhimError(.operationFailed, "wrote audio that cannot be decoded: \(error.message)", subject: .option("tts-command"),
                                underlying: error)
            }
        }
    }

    /// The file's audio mixed to mono, at `sampleRate` or else its own rate (within what the decoder accepts).
    static func decodeMono(_ url: URL, sampleRate fixedRate: Int? = nil) throws(PhimError) -> ([Float], Int) {
        var sampleRate = fixedRate ?? 48_000
        if fixedRate == nil {
            sampleRate = min(max(try MediaProbe.probe(url).audio.first?.sampleRate ?? 48_000, 8_000), 192_000)
        }
        let decoder = try AudioDecoder(url: url, sampleRate: sampleRate, channelCount: 1)
        var samples: [Float] = []
        while let chunk = try decoder.nextChunk() { samples.append(contentsOf: chunk.buffer.samples) }
        return (samples, sampleRate)
    }

    /// espeak-ng's reading of the text, for its word timings.
    private func espeakReference(_ text: String, voice: VoiceSettings) throws(PhimError) -> SpeechClip {
        let rate = voice.wordsPerMinute.isFinite ? min(max(voice.wordsPerMinute, 80), 450) : 165
        do {
            return try timing.synthesize(text, voice: VoiceSettings(language: voice.language, wordsPerMinute: rate))
        } catch where error.code == .invalidInput {
            return try timing.synthesize(text, voice: VoiceSettings(language: "en", wordsPerMinute: rate))
        }
    }

    /// Moves words timed on one reading (`reference`) onto another reading of the same text (`target`).
    ///
    /// Engines pause after punctuation, but for different lengths. So each word that follows punctuation is paired with
    /// a pause of the target by position in *sounding* time (a clock that stops in pauses), by dynamic programming
    /// that may leave either side unpaired. Pairs and the two sound spans become anchors; between anchors, sounding
    /// time maps linearly onto sounding time (so words land in speech, not in pauses). Onsets are then refined against
    /// the target's audio, and ends found there.
    /// - Complexity: O(b·p) for b punctuation marks and p target pauses, plus O(samples) for the envelopes.
    static func transfer(_ words: [SpokenWord], from reference: [Float], sampleRate referenceRate: Int,
                         tokens: [TextToken], onto target: [Float], sampleRate: Int) -> [SpokenWord] {
        let source = SpeechEnvelope(samples: reference, sampleRate: referenceRate)
        let destination = SpeechEnvelope(samples: target, sampleRate: sampleRate)
        let sourceRate = Double(referenceRate), targetRate = Double(sampleRate)
        let sourceStart = Double(source.soundStart ?? 0) / sourceRate
        let sourceEnd = max(Double(source.soundEnd ?? reference.count) / sourceRate, sourceStart + 1e-3)
        let targetStart = Double(destination.soundStart ?? 0) / targetRate
        let targetEnd = max(Double(destination.soundEnd ?? target.count) / targetRate, targetStart + 1e-3)
        let stretch = (targetEnd - targetStart) / (sourceEnd - sourceStart)

        // Where words after punctuation start, and where target pauses end, as fractions of each reading's sound.
        let boundaries = words.indices.dropLast().filter { SubtitleCueBuilder.endsClause(words[$0].text) }.map { $0 + 1 }
        let pauses = destination.pauses(minimum: 0.08).map(\.end)
        let sourceSound = max(source.soundingSeconds, 1e-3), targetSound = max(destination.soundingSeconds, 1e-3)
        let boundaryPlace = boundaries.map { source.soundingSeconds(before: Int(words[$0].start * sourceRate)) / sourceSound }
        let pausePlace = pauses.map { destination.soundingSeconds(before: $0) / targetSound }
        // Pairing cost: squared distance in units of `scale` seconds of target sound; leaving one unpaired costs 1.
        let scale = max(0.4, 0.03 * targetSound)
        let b = boundaries.count, p = pauses.count
        var cost = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: b + 1)
        for i in 0...b { for j in 0...p where i == 0 || j == 0 { cost[i][j] = Double(i + j) } }
        if b > 0 && p > 0 {
            for i in 1...b {
                for j in 1...p {
                    let distance = (boundaryPlace[i - 1] - pausePlace[j - 1]) * targetSound / scale
                    cost[i][j] = min(cost[i - 1][j - 1] + distance * distance, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var pairs: [(Double, Double)] = []
        var i = b, j = p
        while i > 0 && j > 0 {
            let distance = (boundaryPlace[i - 1] - pausePlace[j - 1]) * targetSound / scale
            if cost[i][j] == cost[i - 1][j - 1] + distance * distance {
                pairs.append((words[boundaries[i - 1]].start, Double(pauses[j - 1]) / targetRate))
                i -= 1; j -= 1
            } else if cost[i][j] == cost[i - 1][j] + 1 {
                i -= 1
            } else {
                j -= 1
            }
        }
        // Anchors (reference time, target time), increasing in both.
        var anchors = [(sourceStart, targetStart)]
        for pair in pairs.reversed() + [(sourceEnd, targetEnd)] where pair.0 > anchors.last!.0 && pair.1 > anchors.last!.1 {
            anchors.append(pair)
        }

        // Between anchors, sounding time maps linearly onto sounding time: words land in the target's speech, not in
        // its pauses. Words are in time order, so one pass moves through the anchor segments.
        var segment = 0
        var onsets: [Int] = []
        onsets.reserveCapacity(words.count)
        for word in words {
            while segment < anchors.count - 2, word.start > anchors[segment + 1].0 { segment += 1 }
            var time = targetStart + (word.start - sourceStart) * stretch
            if anchors.count > 1 {
                let (s0, t0) = anchors[segment], (s1, t1) = anchors[segment + 1]
                let sourceFrom = source.soundingSeconds(before: Int(s0 * sourceRate))
                let sourceSpan = source.soundingSeconds(before: Int(s1 * sourceRate)) - sourceFrom
                let targetFrom = destination.soundingSeconds(before: Int(t0 * targetRate))
                let targetSpan = destination.soundingSeconds(before: Int(t1 * targetRate)) - targetFrom
                if sourceSpan > 1e-3 && targetSpan > 1e-3 {
                    let fraction = min(max((source.soundingSeconds(before: Int(word.start * sourceRate)) - sourceFrom) / sourceSpan, 0), 1)
                    let sample = destination.sample(whereSoundingReaches: targetFrom + fraction * targetSpan)
                    time = min(max(Double(sample) / targetRate, t0), t1)
                } else {
                    time = t0 + (word.start - s0) * (t1 - t0) / (s1 - s0)
                }
            }
            onsets.append(Int((min(max(time, 0), Double(target.count) / targetRate) * targetRate).rounded()))
        }
        for index in onsets.indices.dropFirst() { onsets[index] = max(onsets[index], onsets[index - 1]) }
        return WordAligner.words(tokens: tokens, onsets: onsets, envelope: destination, sampleCount: target.count, radius: 0.2)
    }
}
