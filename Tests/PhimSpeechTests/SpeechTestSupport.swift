import Foundation
import PhimSpeech
import PhimSubtitles
import PhimTesting
import Testing

/// Texts and measurements shared by the speech tests.
enum SpeechSamples {
    /// RMS of the samples.
    static func rms(_ samples: [Float]) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1 * $1) } / Double(samples.count)).squareRoot()
    }

    /// Onsets after true silence, found independently of PhimSpeech's envelope: the first sample whose 5 ms mean square
    /// reaches 40 dB below the loudest 5 ms, after at least 100 ms below that level, of which all but the last 10 ms
    /// is digital silence (60 dB below), so that faint bursts near the threshold never make an onset ambiguous.
    static func onsetsAfterSilence(_ samples: [Float], sampleRate: Int) -> [Double] {
        let half = sampleRate / 400
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for (index, sample) in samples.enumerated() { prefix[index + 1] = prefix[index] + Double(sample * sample) }
        let energy = samples.indices.map { index -> Double in
            let low = max(0, index - half), high = min(samples.count, index + half)
            return (prefix[high] - prefix[low]) / Double(max(1, high - low))
        }
        let peak = energy.max() ?? 0
        let threshold = peak * 1e-4, silence = peak * 1e-6
        var noisy = [Int](repeating: 0, count: samples.count + 1)
        for index in samples.indices { noisy[index + 1] = noisy[index] + (energy[index] >= silence ? 1 : 0) }
        let pause = sampleRate / 10, guardBand = sampleRate / 100
        var onsets: [Double] = []
        var quiet = pause
        for index in samples.indices {
            if energy[index] < threshold { quiet += 1; continue }
            if quiet >= pause, index >= pause, noisy[index - guardBand] == noisy[index - pause] {
                onsets.append(Double(index) / Double(sampleRate))
            }
            quiet = 0
        }
        return onsets
    }

    /// Where sound starts after at least 100 ms of quiet (and at the very start), found independently of PhimSpeech's
    /// envelope: the first sample whose 5 ms mean square reaches 40 dB below the loudest 5 ms. (Festival's and Piper's
    /// pauses are quiet but not digitally silent, so ``onsetsAfterSilence(_:sampleRate:)`` finds none in them.)
    static func onsetsAfterQuiet(_ samples: [Float], sampleRate: Int) -> [Double] {
        let half = sampleRate / 400
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for (index, sample) in samples.enumerated() { prefix[index + 1] = prefix[index] + Double(sample * sample) }
        let energy = samples.indices.map { index in
            (prefix[min(samples.count, index + half)] - prefix[max(0, index - half)]) / Double(2 * half)
        }
        let threshold = (energy.max() ?? 0) * 1e-4
        var onsets: [Double] = [], quiet = sampleRate
        for index in samples.indices {
            if energy[index] < threshold { quiet += 1; continue }
            if quiet >= sampleRate / 10 { onsets.append(Double(index) / Double(sampleRate)) }
            quiet = 0
        }
        return onsets
    }

    /// English with numbers, money, a date, a percentage, a dash and an abbreviation, which every engine is tested on.
    static let englishWithNumbers = SampleText.english + " It cost $1,234.50 on 3 March 2024 — about 12% more, e.g. at 9:30."

    /// Speaks ``englishWithNumbers`` and expects sound at `sampleRate`, one timed word per written token, each lasting,
    /// in order, at a natural pace (1.5 to 4 words a second, pauses included: the numbers take several words each).
    static func expectSpeaksEveryToken(_ synthesizer: any SpeechSynthesizer, sampleRate: Int,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws -> SpeechClip {
        let text = englishWithNumbers
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: "en"))
        #expect(clip.sampleRate == sampleRate, sourceLocation: sourceLocation)
        #expect(rms(clip.samples) > 0.02, "the clip is silent", sourceLocation: sourceLocation)
        #expect(clip.words.map(\.text) == SampleText.tokens(text), sourceLocation: sourceLocation)
        #expect(clip.words.allSatisfy { $0.end > $0.start }, "\(clip.words.filter { $0.end <= $0.start })", sourceLocation: sourceLocation)
        #expect(isWellOrdered(clip.words, duration: clip.duration), sourceLocation: sourceLocation)
        let wordsPerSecond = Double(clip.words.count) / clip.duration
        #expect(wordsPerSecond > 1.5 && wordsPerSecond < 4, "\(clip.duration) s for \(clip.words.count) words", sourceLocation: sourceLocation)
        return clip
    }

    /// Expects the clip's first word to start with its first sound, at least `minimumPauses` pauses, and every word after
    /// a pause to start where the sound does (within 30 ms, 10 ms on average), measured by ``onsetsAfterQuiet(_:sampleRate:)``.
    /// Pauses inside a written token that holds digits are left out: a number's reading ("one thousand, two
    /// hundred…", "… dollars, and fifty cents") may pause inside one written word.
    static func expectOnsetsMatchSound(_ clip: SpeechClip, minimumPauses: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let onsets = onsetsAfterQuiet(clip.samples, sampleRate: clip.sampleRate)
        let first = try #require(clip.words.first, sourceLocation: sourceLocation)
        let sound = try #require(onsets.first, sourceLocation: sourceLocation)
        #expect(abs(first.start - sound) < 0.02, "first word at \(first.start) s, first sound at \(sound) s", sourceLocation: sourceLocation)
        #expect(onsets.count >= minimumPauses, "only \(onsets.count) pauses found", sourceLocation: sourceLocation)
        var totalError = 0.0, matched = 0
        for onset in onsets {
            if let holder = clip.words.first(where: { $0.start + 0.03 < onset && onset < $0.end }),
               holder.text.contains(where: \.isNumber) { continue }
            let nearest = try #require(clip.words.min { abs($0.start - onset) < abs($1.start - onset) }, sourceLocation: sourceLocation)
            #expect(abs(nearest.start - onset) <= 0.03, "sound at \(onset) s; nearest word '\(nearest.text)' at \(nearest.start) s",
                    sourceLocation: sourceLocation)
            totalError += abs(nearest.start - onset)
            matched += 1
        }
        #expect(matched >= minimumPauses && totalError / Double(max(1, matched)) <= 0.01,
                "mean onset error \(totalError / Double(max(1, matched))) s over \(matched) pauses", sourceLocation: sourceLocation)
    }

    /// Speaks ``SampleText/english`` at 120, 165 and 250 words per minute with `synthesizer` and expects each faster
    /// rate to give a clip at least 15 % (165 against 120) and 20 % (250 against 165) shorter, with the same words.
    static func expectRateScales(_ synthesizer: any SpeechSynthesizer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let slow = try synthesizer.synthesize(SampleText.english, voice: VoiceSettings(language: "en", wordsPerMinute: 120))
        let normal = try synthesizer.synthesize(SampleText.english, voice: VoiceSettings(language: "en"))
        let fast = try synthesizer.synthesize(SampleText.english, voice: VoiceSettings(language: "en", wordsPerMinute: 250))
        #expect(normal.duration < slow.duration * 0.85, "\(normal.duration) s at 165 wpm vs \(slow.duration) s at 120",
                sourceLocation: sourceLocation)
        #expect(fast.duration < normal.duration * 0.8, "\(fast.duration) s at 250 wpm vs \(normal.duration) s at 165",
                sourceLocation: sourceLocation)
        #expect(fast.words.count == slow.words.count, sourceLocation: sourceLocation)
    }

    /// Whether process `id` runs (exists and is not a zombie waiting to be reaped).
    static func isRunning(_ id: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(id)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ")
    }

    /// Waits up to 5 s for the processes `ids` to stop (a SIGKILLed child is reaped a moment later); whether they did.
    static func waitUntilStopped(_ ids: [Int32]) -> Bool {
        for _ in 0..<50 where ids.contains(where: isRunning) { usleep(100_000) }
        return !ids.contains(where: isRunning)
    }

    /// Checks that words are in order and do not overlap: start ≤ end ≤ next start, all within the clip.
    static func isWellOrdered(_ words: [SpokenWord], duration: Double) -> Bool {
        for (index, word) in words.enumerated() {
            guard word.start >= 0, word.end >= word.start, word.end <= duration + 1e-9 else { return false }
            if index + 1 < words.count, word.end > words[index + 1].start + 1e-9 { return false }
        }
        return true
    }
}
