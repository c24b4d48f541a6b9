import Foundation
import PhimCore
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimSpeech

/// The engines installed here, each with the punctuation's prosody.
private let engines: [(name: String, synthesizer: any SpeechSynthesizer)] = {
    var engines: [(String, any SpeechSynthesizer)] = []
    if let espeak = try? EspeakSynthesizer() { engines.append(("espeak-ng", espeak)) }
    if let festival = FestivalInstallation.find(), festival.voice(named: FestivalInstallation.defaultVoiceName) != nil,
       let synthesizer = try? FestivalSynthesizer(installation: festival) {
        engines.append(("festival", synthesizer))
    }
    if let piper = PiperInstallation.find(), let joe = piper.voices.first(where: { $0.name == "en_US-joe-medium" }) {
        engines.append(("piper", PiperSynthesizer(installation: piper, voice: joe)))
    }
    return engines
}()

/// Pitch measured apart from PhimSpeech: the lag of the highest normalised autocorrelation between 60 and 400 Hz over
/// 40 ms windows every 10 ms, voiced where it is above 0.45 and the window is not quiet; the median of the voiced
/// windows in Hz.
private func medianPitch(_ samples: [Float], sampleRate: Int, from start: Double, to end: Double) -> Double? {
    let window = sampleRate / 25, hop = sampleRate / 100
    let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
    var pitches: [Double] = []
    var position = max(0, Int(start * Double(sampleRate)))
    let minLag = sampleRate / 400, maxLag = sampleRate / 60
    while position + window + maxLag < min(samples.count, Int(end * Double(sampleRate)) + maxLag) {
        let frame = Array(samples[position..<(position + window + maxLag)])
        let energy = frame.prefix(window).reduce(Float(0)) { $0 + $1 * $1 }
        if (energy / Float(window)).squareRoot() > peak * 0.05 {
            var best: Float = 0, bestLag = 0
            for lag in minLag...maxLag {
                var sum: Float = 0, shifted: Float = 0
                for index in 0..<window {
                    sum += frame[index] * frame[index + lag]
                    shifted += frame[index + lag] * frame[index + lag]
                }
                let correlation = sum / max(1e-12, (energy * shifted).squareRoot())
                if correlation > best { best = correlation; bestLag = lag }
            }
            if best > 0.45, bestLag > 0 { pitches.append(Double(sampleRate) / Double(bestLag)) }
        }
        position += hop
    }
    guard pitches.count >= 3 else { return nil }
    return pitches.sorted()[pitches.count / 2]
}

/// A vowel-like test signal: a pulse train at `pitch(t)` Hz through two resonances (700 and 1200 Hz).
private func vowel(seconds: Double, sampleRate: Int, pitch: (Double) -> Double) -> [Float] {
    var samples = [Float](repeating: 0, count: Int(seconds * Double(sampleRate)))
    var phase = 1.0
    for index in samples.indices {
        phase += pitch(Double(index) / Double(sampleRate)) / Double(sampleRate)
        if phase >= 1 { phase -= 1; samples[index] = 1 }
    }
    for (frequency, bandwidth) in [(700.0, 80.0), (1_200.0, 100.0)] {
        let radius = exp(-Double.pi * bandwidth / Double(sampleRate)), angle = 2 * Double.pi * frequency / Double(sampleRate)
        let a1 = Float(2 * radius * cos(angle)), a2 = Float(-radius * radius)
        var y1: Float = 0, y2: Float = 0
        for index in samples.indices {
            let y = samples[index] + a1 * y1 + a2 * y2
            y2 = y1; y1 = y
            samples[index] = y
        }
    }
    let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
    return samples.map { $0 / peak * 0.5 }
}

@Suite struct PitchShifterTests {
    @Test(arguments: [1.2, 0.85])
    func aConstantFactorScalesThePitchAndKeepsTheLength(factor: Double) throws {
        let rate = 22_050
        var samples = vowel(seconds: 0.6, sampleRate: rate) { _ in 120 }
        let before = try #require(medianPitch(samples, sampleRate: rate, from: 0.1, to: 0.5))
        #expect(abs(before - 120) < 3, "\(before) Hz")
        let count = samples.count, loudness = SpeechSamples.rms(samples)
        PitchShifter.shift(&samples, range: 0..<samples.count, sampleRate: rate, floor: 0.01) { _ in factor }
        #expect(samples.count == count)
        let after = try #require(medianPitch(samples, sampleRate: rate, from: 0.1, to: 0.5))
        #expect(abs(after - 120 * factor) < 4, "\(after) Hz, wanted \(120 * factor)")
        #expect(abs(SpeechSamples.rms(samples) / loudness - 1) < 0.25, "loudness changed from \(loudness) to \(SpeechSamples.rms(samples))")
    }

    @Test func aRampRaisesTheEndAndLeavesTheStart() throws {
        let rate = 32_000
        var samples = vowel(seconds: 0.8, sampleRate: rate) { _ in 180 }
        PitchShifter.shift(&samples, range: 0..<samples.count, sampleRate: rate, floor: 0.01) { 1 + 0.25 * $0 }
        let start = try #require(medianPitch(samples, sampleRate: rate, from: 0.02, to: 0.15))
        let end = try #require(medianPitch(samples, sampleRate: rate, from: 0.68, to: 0.78))
        #expect(start < 190 && end > 210, "start \(start) Hz, end \(end) Hz")
    }

    @Test func samplesOutsideTheRangeAreUntouchedAndSilenceStaysSilent() {
        let rate = 16_000
        var samples = [Float](repeating: 0, count: 4_000) + vowel(seconds: 0.3, sampleRate: rate) { _ in 150 }
        let original = samples
        PitchShifter.shift(&samples, range: 1_000..<6_000, sampleRate: rate, floor: 0.01) { _ in 1.2 }
        #expect(samples[..<1_000] == original[..<1_000] && samples[6_000...] == original[6_000...])
        #expect(samples[1_000..<3_900].allSatisfy { $0 == 0 })
    }
}

@Suite struct ProsodyTests {
    @Test func punctuationIsReadFromTheSpokenForm() {
        #expect(ProsodicSynthesizer.punctuation(ending: "today?") == "?")
        #expect(ProsodicSynthesizer.punctuation(ending: "said,\"") == ",")
        #expect(ProsodicSynthesizer.punctuation(ending: "end.)") == ".")
        #expect(ProsodicSynthesizer.punctuation(ending: "—") == "—")
        #expect(ProsodicSynthesizer.punctuation(ending: "well-") == nil)
        #expect(ProsodicSynthesizer.punctuation(ending: "word") == nil)
    }

    @Test func englishQuestionsWithAQuestionWordFall() {
        func rises(_ text: String, _ language: String = "en") -> Bool {
            ProsodicSynthesizer.rises(text.split(separator: " ").map(String.init)[...], language: language)
        }
        #expect(rises("Are you coming home today?"))
        #expect(rises("So, is it ready?"))
        #expect(!rises("Where will the money come from?"))
        #expect(!rises("And how's the weather?"))
        #expect(!rises("\"What now?\""))
        #expect(rises("Où est la gare?", "fr"), "other languages: every question")
    }

    /// Every installed engine ends a question higher than the question's own median pitch (by at least 10 %), and
    /// higher, relative to its median, than the same words said as a statement.
    @Test(arguments: engines.map(\.name))
    func questionsRise(engine: String) throws {
        let base = try #require(engines.first { $0.name == engine }).synthesizer
        let synthesizer = ProsodicSynthesizer(base)
        let voice = VoiceSettings(language: "en")
        /// The pitch of the second half of the last word against the whole clip's median (nil when that half has no
        /// clear pitch, as a statement's creaky last periods often have not).
        func ending(_ text: String) throws -> Double? {
            let clip = try synthesizer.synthesize(text, voice: voice)
            let last = try #require(clip.words.last)
            let overall = medianPitch(clip.samples, sampleRate: clip.sampleRate, from: 0, to: clip.duration)
            let median = try #require(overall, "\(engine): no pitch in '\(text)'")
            let end = medianPitch(clip.samples, sampleRate: clip.sampleRate, from: (last.start + last.end) / 2, to: last.end)
            return end.map { $0 / median }
        }
        for (statement, question) in [("You are coming home today.", "You are coming home today?"),
                                      ("The shop opens at nine.", "The shop opens at nine?")] {
            let rise = try #require(try ending(question), "\(engine): no pitch at the end of '\(question)'")
            #expect(rise > 1.1, "\(engine): '\(question)' ends at \(rise) × its median pitch")
            if let fall = try ending(statement) {
                #expect(rise > fall + 0.1, "\(engine): '\(question)' ends at \(rise) × its median, the statement at \(fall) ×")
            }
        }
    }

    /// Every installed engine pauses at least as long as the punctuation asks, and the words still sit on their sound.
    @Test(arguments: engines.map(\.name))
    func punctuationPausesAreAtLeastTheirMinimum(engine: String) throws {
        let base = try #require(engines.first { $0.name == engine }).synthesizer
        let text = "Apples, pears and plums; all ripe. Are they sweet? Yes! Mr. Brown sells them, e.g. at the market."
        let clip = try ProsodicSynthesizer(base).synthesize(text, voice: VoiceSettings(language: "en"))
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        let quiet = quietRuns(clip.samples, sampleRate: clip.sampleRate)
        func pause(after word: String) throws -> Double {
            let index = try #require(clip.words.firstIndex { $0.text == word })
            let gap = clip.words[index].end...clip.words[index + 1].start
            // The longest quiet run that overlaps the gap between the word and the next.
            return quiet.filter { $0.end > gap.lowerBound - 0.05 && $0.start < gap.upperBound + 0.05 }.map { $0.end - $0.start }.max() ?? 0
        }
        for (word, minimum) in [("Apples,", 0.15), ("plums;", 0.25), ("ripe.", 0.35), ("sweet?", 0.40), ("Yes!", 0.35), ("them,", 0.15)] {
            let measured = try pause(after: word)
            #expect(measured >= minimum - 0.03, "\(engine): \(measured) s of quiet after '\(word)', wanted \(minimum)")
        }
        // An abbreviation ends no sentence: no sentence pause after "Mr." or "e.g.".
        for word in ["Mr.", "e.g."] {
            let measured = try pause(after: word)
            #expect(measured < 0.2, "\(engine): \(measured) s of quiet after '\(word)'")
        }
        // Words after the added quiet still start where their sound starts.
        for run in quiet where run.end - run.start >= 0.15 && run.end < clip.duration - 0.05 {
            let nearest = try #require(clip.words.min { abs($0.start - run.end) < abs($1.start - run.end) })
            #expect(abs(nearest.start - run.end) <= 0.04, "\(engine): sound at \(run.end) s, '\(nearest.text)' at \(nearest.start) s")
        }
    }

    /// Runs of at least 50 ms whose 10 ms RMS stays 35 dB under the loudest 10 ms, in seconds.
    private func quietRuns(_ samples: [Float], sampleRate: Int) -> [(start: Double, end: Double)] {
        let hop = sampleRate / 100
        let levels = stride(from: 0, to: samples.count, by: hop).map { start in
            SpeechSamples.rms(Array(samples[start..<min(samples.count, start + hop)]))
        }
        let threshold = (levels.max() ?? 0) * 0.0178
        var runs: [(Double, Double)] = [], start: Int?
        for (index, level) in levels.enumerated() {
            if level < threshold {
                if start == nil { start = index }
            } else if let first = start {
                if index - first >= 5 { runs.append((Double(first) / 100, Double(index) / 100)) }
                start = nil
            }
        }
        return runs
    }

    /// A Vietnamese question keeps espeak-ng's own pitch (tones carry meaning); its pause is still the question's.
    @Test func vietnameseQuestionsKeepTheirTones() throws {
        let espeak = try EspeakSynthesizer()
        let text = "Bạn có khỏe không? Tôi khỏe, cảm ơn."
        let voice = VoiceSettings(language: "vi")
        let plain = try espeak.synthesize(text, voice: voice), shaped = try ProsodicSynthesizer(espeak).synthesize(text, voice: voice)
        let plainQuestion = try #require(plain.words.first { $0.text == "không?" })
        let shapedQuestion = try #require(shaped.words.first { $0.text == "không?" })
        let before = medianPitch(plain.samples, sampleRate: plain.sampleRate, from: plainQuestion.start, to: plainQuestion.end)
        let after = medianPitch(shaped.samples, sampleRate: shaped.sampleRate, from: shapedQuestion.start, to: shapedQuestion.end)
        let pitch = try #require(before), kept = try #require(after)
        #expect(abs(kept / pitch - 1) < 0.03, "the question's last word went from \(pitch) Hz to \(kept) Hz")
        // The question's pause is at least 400 ms, as in every language.
        let next = try #require(shaped.words.first { $0.text == "Tôi" })
        let quiet = quietRuns(shaped.samples, sampleRate: shaped.sampleRate)
            .filter { $0.end > shapedQuestion.end - 0.05 && $0.start < next.start + 0.05 }.map { $0.end - $0.start }.max() ?? 0
        #expect(quiet >= 0.37, "\(quiet) s of quiet after the question")
    }
}
