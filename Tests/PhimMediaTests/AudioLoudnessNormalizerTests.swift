import Foundation
import Testing
import PhimCore
import PhimMedia

@Suite struct LoudnessNormalizerTests {
    static let rate = TestSignal.rate

    @Test func gainForTargets() {
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: -30, targetLoudness: -14) == 16)
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: -8, targetLoudness: -14) == -6)
        // Silence: nothing to normalise.
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: -.infinity, targetLoudness: -14) == 0)
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: .nan, targetLoudness: -14) == 0)
        // Very quiet: capped at +30 dB (or the cap given).
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: -65, targetLoudness: -14) == 30)
        #expect(LoudnessNormalizer.gainDB(measuredLoudness: -65, targetLoudness: -14, maximumGainDB: 20) == 20)
    }

    @Test func twoPassNormalisationHitsTheTargetUnderTheCeiling() {
        // Pass 0: make a −30 LUFS signal: pink-ish noise, speech-like phrases and, once a second, a 2 ms
        // click of white noise (a transient whose peaks +16 dB will push over the ceiling).
        let noise = TestSignal.pinkishNoise(rms: 0.05, seconds: 10)
        let voice = TestSignal.speechLike(peak: 0.5, seconds: 10)
        let clicks = TestSignal.whiteNoise(amplitude: 0.6, seconds: 10, seed: 5)
        var signal = zip(noise, voice).map { $0 + $1 }
        for index in signal.indices where (index / 2) % Self.rate < Self.rate / 500 { signal[index] += clicks[index] }
        let raw = signal.measured().integratedLoudness
        Gain.apply(Float(Gain.linear(fromDecibels: -30 - raw)), to: &signal)
        // Pass 1: measure.
        let measured = signal.measured()
        #expect(abs(measured.integratedLoudness + 30) < 0.01)
        // Pass 2: normalise in chunks.
        var normalizer = LoudnessNormalizer(sampleRate: Self.rate, channelCount: 2,
                                            measuredLoudness: measured.integratedLoudness, targetLoudness: -14)
        #expect(abs(normalizer.gainDB - 16) < 0.01)
        var output = [Float]()
        for start in stride(from: 0, to: signal.count, by: 9_600) {
            output += normalizer.process(Array(signal[start..<min(signal.count, start + 9_600)]))
        }
        output += normalizer.flush()
        #expect(output.count == signal.count)
        let result = output.measured()
        print("normaliser: input \(measured.integratedLoudness) LUFS / \(measured.truePeak) dBTP; +\(normalizer.gainDB) dB → \(result.integratedLoudness) LUFS / \(result.truePeak) dBTP; limiter \(normalizer.largestGainReductionDB) dB")
        #expect(measured.truePeak + 16 > -1, "the test should make the limiter work")
        #expect(abs(result.integratedLoudness + 14) < 0.5)
        #expect(result.truePeak <= -1 + 0.1)
    }

    @Test func silenceStaysSilent() {
        var normalizer = LoudnessNormalizer(sampleRate: Self.rate, channelCount: 2, measuredLoudness: -.infinity,
                                            targetLoudness: -14)
        #expect(normalizer.gainDB == 0)
        let silence = [Float](repeating: 0, count: 4_000)
        let output = normalizer.process(silence) + normalizer.flush()
        #expect(output == silence)
    }
}
