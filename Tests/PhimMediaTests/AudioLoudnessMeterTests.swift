import Foundation
import Testing
import PhimCore
import PhimMedia

@Suite struct LoudnessMeterTests {
    static let rate = TestSignal.rate

    static func amplitude(_ dBFS: Double) -> Double { pow(10, dBFS / 20) }

    /// The loudness BS.1770 assigns to a steady sine: each channel's mean square is A²/2 (−3.01 dB), the
    /// channels' weighted mean squares add, the K-weighting scales the power by |K(f)|², and the formula
    /// subtracts 0.691 dB (chosen so that |K(997 Hz)|² almost cancels it: +0.6907 dB).
    /// For a stereo sine of amplitude A in both channels this is 20·log10(A) − 3.01 + 3.01 + 0.69 − 0.691
    /// ≈ 20·log10(A); for a mono sine, 3.01 dB less.
    static func expectedLoudness(amplitude: Double, frequency: Double, channelWeightSum: Double,
                                 sampleRate: Int = rate) -> Double {
        let k = KWeighting.magnitude(at: frequency, sampleRate: sampleRate)
        return -0.691 + 10 * log10(channelWeightSum * amplitude * amplitude / 2 * k * k)
    }

    @Test func kWeightingMatchesTheStandardAt48kHz() {
        let (shelf, highPass) = KWeighting.coefficients(sampleRate: 48_000)
        // BS.1770-4 Tables 1 and 2.
        #expect(abs(shelf.b0 - 1.53512485958697) < 1e-12 && abs(shelf.a2 - 0.73248077421585) < 1e-12)
        #expect(highPass.b1 == -2 && abs(highPass.a1 + 1.99004745483398) < 1e-12)
        // The response is about +0.69 dB at 997 Hz, +4 dB at high frequencies, and falls below 40 Hz.
        let at997 = 20 * log10(KWeighting.magnitude(at: 997, sampleRate: 48_000))
        #expect(abs(at997 - 0.691) < 0.002)
        #expect(abs(20 * log10(KWeighting.magnitude(at: 10_000, sampleRate: 48_000)) - 4.0) < 0.2)
        #expect(20 * log10(KWeighting.magnitude(at: 20, sampleRate: 48_000)) < -10)
    }

    @Test(arguments: [44_100, 32_000, 96_000])
    func kWeightingForOtherRatesMatchesThe48kHzResponse(sampleRate: Int) {
        // Same response across the band where both rates are well below Nyquist.
        for frequency in [25.0, 50, 100, 500, 997, 2_000, 5_000, 10_000] {
            let reference = 20 * log10(KWeighting.magnitude(at: frequency, sampleRate: 48_000))
            let derived = 20 * log10(KWeighting.magnitude(at: frequency, sampleRate: sampleRate))
            #expect(abs(reference - derived) < 0.02, "at \(frequency) Hz: \(derived) vs \(reference) dB")
        }
    }

    @Test func stereoSineAtMinus23dBFSReadsMinus23LUFS() {
        // EBU Tech 3341 test 1: a 997 Hz sine at −23 dBFS in both channels reads −23.0 ± 0.1 LUFS.
        let a = Self.amplitude(-23)
        let meter = TestSignal.sine(frequency: 997, amplitude: a, seconds: 10).measured()
        let expected = Self.expectedLoudness(amplitude: a, frequency: 997, channelWeightSum: 2)
        #expect(abs(expected + 23) < 0.01)
        #expect(abs(meter.integratedLoudness + 23) < 0.1)
        #expect(abs(meter.integratedLoudness - expected) < 0.01)
        #expect(abs(meter.momentaryLoudness + 23) < 0.1)
        #expect(abs(meter.shortTermLoudness + 23) < 0.1)
        #expect(meter.loudnessRange < 0.1)
        #expect(abs(meter.samplePeak + 23) < 0.01)
    }

    @Test func monoFullScaleSineReadsMinus3LUFS() {
        // A 1 kHz sine at 0 dBFS in one (mono) channel: mean square 0.5 (−3.01 dB); K-weighting +0.69 dB
        // at 1 kHz cancels the −0.691 dB offset, so −3.01 LUFS.
        var meter = LoudnessMeter(sampleRate: Self.rate, channelCount: 1)
        meter.process(TestSignal.sine(frequency: 1000, amplitude: 1, seconds: 5, channels: [true]))
        #expect(abs(meter.integratedLoudness + 3.01) < 0.1)
        let expected = Self.expectedLoudness(amplitude: 1, frequency: 1000, channelWeightSum: 1)
        #expect(abs(meter.integratedLoudness - expected) < 0.01)
        #expect(abs(meter.samplePeak) < 0.001)
    }

    @Test func gatesDropQuietPassages() {
        // 10 s at −23 LUFS, 10 s at −40 LUFS (above the absolute gate, below the relative gate at −33),
        // 10 s at −75 LUFS (below the absolute gate). Ungated, the mean would be about −27.8 LUFS; with the
        // absolute gate alone about −25.9; with both gates, −23.
        let loud = TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-23), seconds: 10)
        let quiet = TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-40), seconds: 10)
        let faint = TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-75), seconds: 10)
        let meter = (loud + quiet + faint).measured()
        #expect(abs(meter.integratedLoudness + 23) < 0.1)
        // The same quiet part alone is measured (the relative gate is relative to itself).
        #expect(abs(quiet.measured().integratedLoudness + 40) < 0.1)
        // Only blocks under the absolute gate: nothing to integrate.
        #expect(faint.measured().integratedLoudness == -.infinity)
    }

    @Test func silenceAndShortInputsReadMinusInfinity() {
        let silence = [Float](repeating: 0, count: Self.rate * 2 * 2).measured()
        #expect(silence.integratedLoudness == -.infinity)
        #expect(silence.momentaryLoudness == -.infinity)
        #expect(silence.truePeak == -.infinity)
        #expect(silence.samplePeak == -.infinity)
        #expect(silence.loudnessRange == 0)
        // Under 400 ms there is no gating block yet.
        let short = TestSignal.sine(frequency: 997, amplitude: 0.1, seconds: 0.35).measured()
        #expect(short.integratedLoudness == -.infinity)
        #expect(short.shortTermLoudness == -.infinity)
        #expect(short.samplePeak > -20.1)
    }

    @Test func truePeakSeesInterSamplePeaks() {
        // A sine at fs/4 with phase 45° is sampled only at ±A·sin 45°, 3 dB under its crests.
        let a = 0.5
        let signal = TestSignal.tapered(TestSignal.sine(frequency: Double(Self.rate) / 4, amplitude: a, seconds: 1,
                                                        phase: Double.pi / 4))
        let meter = signal.measured()
        #expect(abs(meter.samplePeak - 20 * log10(a * sin(Double.pi / 4))) < 0.01)
        #expect(abs(meter.truePeak - 20 * log10(a)) < 0.05)
        #expect(abs(meter.truePeak - meter.samplePeak - 3.01) < 0.05)
    }

    @Test func loudnessRangeOfTwoLevels() {
        // EBU Tech 3342 style: 10 s at −20 LUFS then 10 s at −30 LUFS give LRA 10 ± 1 LU.
        let signal = TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-20), seconds: 10)
            + TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-30), seconds: 10)
        let range = signal.measured().loudnessRange
        #expect(abs(range - 10) < 1, "LRA \(range)")
    }

    @Test func chunkSizesDoNotChangeResults() {
        let signal = TestSignal.speechLike(peak: 0.8, seconds: 4)
        let whole = signal.measured(chunkFrames: signal.count)
        for chunk in [1, 37, 4_800, 10_007] {
            let meter = signal.measured(chunkFrames: chunk)
            #expect(meter.integratedLoudness == whole.integratedLoudness)
            #expect(meter.truePeak == whole.truePeak)
            #expect(meter.momentaryLoudness == whole.momentaryLoudness)
        }
    }

    @Test func surroundChannelsWeighMoreAndLFEIsIgnored() {
        // 5.1 in FFmpeg's order L R C LFE Ls Rs.
        let tone = TestSignal.sine(frequency: 997, amplitude: 0.1, seconds: 3, channels: [true])
        func measure(inChannel channel: Int) -> Double {
            var samples = [Float](repeating: 0, count: tone.count * 6)
            for (frame, value) in tone.enumerated() { samples[frame * 6 + channel] = value }
            var meter = LoudnessMeter(sampleRate: Self.rate, channelCount: 6)
            meter.process(samples)
            return meter.integratedLoudness
        }
        let front = measure(inChannel: 0)
        #expect(abs(measure(inChannel: 2) - front) < 1e-9)
        #expect(abs(measure(inChannel: 4) - front - 10 * log10(1.41)) < 1e-6)
        #expect(measure(inChannel: 3) == -.infinity)
    }

    @Test func otherSampleRates() {
        // 44.1 kHz: coefficients derived for the rate, same reading.
        let signal = TestSignal.sine(frequency: 997, amplitude: Self.amplitude(-23), seconds: 5, sampleRate: 44_100)
        let meter = signal.measured(sampleRate: 44_100)
        #expect(abs(meter.integratedLoudness + 23) < 0.05)
    }
}
