import Foundation
import Testing
import PhimCore
import PhimMedia

/// One signal measured by both meters.
struct CrossCheckCase: Sendable, CustomTestStringConvertible {
    let name: String
    let sampleRate: Int
    let channelCount: Int
    let make: @Sendable () -> [Float]
    var testDescription: String { name }

    static let all: [CrossCheckCase] = [
        CrossCheckCase(name: "997 Hz at −23 dBFS, stereo", sampleRate: 48_000, channelCount: 2) {
            TestSignal.sine(frequency: 997, amplitude: pow(10, -23.0 / 20), seconds: 6)
        },
        CrossCheckCase(name: "1 kHz at 0 dBFS, mono", sampleRate: 48_000, channelCount: 1) {
            TestSignal.sine(frequency: 1000, amplitude: 1, seconds: 4, channels: [true])
        },
        CrossCheckCase(name: "997 Hz at −18 dBFS, stereo, 44.1 kHz", sampleRate: 44_100, channelCount: 2) {
            TestSignal.sine(frequency: 997, amplitude: pow(10, -18.0 / 20), seconds: 4, sampleRate: 44_100)
        },
        CrossCheckCase(name: "12 kHz (fs/4) at 45°: inter-sample peaks 3 dB over the samples", sampleRate: 48_000,
                       channelCount: 2) {
            TestSignal.tapered(TestSignal.sine(frequency: 12_000, amplitude: 0.5, seconds: 4, phase: Double.pi / 4))
        },
        CrossCheckCase(name: "19.5 kHz near Nyquist", sampleRate: 48_000, channelCount: 2) {
            TestSignal.tapered(TestSignal.sine(frequency: 19_500, amplitude: 0.5, seconds: 4, phase: 0.3))
        },
        CrossCheckCase(name: "5 kHz in left, 150 Hz in right", sampleRate: 48_000, channelCount: 2) {
            let left = TestSignal.sine(frequency: 5_000, amplitude: 0.3, seconds: 4, channels: [true, false])
            let right = TestSignal.sine(frequency: 150, amplitude: 0.6, seconds: 4, channels: [false, true])
            return zip(left, right).map { $0 + $1 }
        },
        CrossCheckCase(name: "pink-ish noise", sampleRate: 48_000, channelCount: 2) {
            TestSignal.pinkishNoise(rms: 0.1, seconds: 8)
        },
        CrossCheckCase(name: "white noise at ±0.9 (peaks from content near Nyquist)", sampleRate: 48_000, channelCount: 2) {
            TestSignal.whiteNoise(amplitude: 0.9, seconds: 4)
        },
        CrossCheckCase(name: "speech-like phrases with pauses", sampleRate: 48_000, channelCount: 2) {
            TestSignal.speechLike(peak: 0.7, seconds: 12)
        },
        CrossCheckCase(name: "10 s at −20 then 10 s at −30 LUFS (loudness range)", sampleRate: 48_000, channelCount: 2) {
            TestSignal.sine(frequency: 997, amplitude: pow(10, -20.0 / 20), seconds: 10)
                + TestSignal.sine(frequency: 997, amplitude: pow(10, -30.0 / 20), seconds: 10)
        },
    ]
}

/// Our meter against FFmpeg's `ebur128` filter, an independent implementation of the same standards.
@Suite(.serialized) struct FFmpegCrossCheckTests {
    @Test(.enabled(if: FFmpegLoudness.isAvailable, "needs /usr/bin/ffmpeg (Debian package ffmpeg) as the reference meter"),
          arguments: CrossCheckCase.all)
    func agreesWithFFmpeg(_ signal: CrossCheckCase) throws {
        let samples = signal.make()
        let meter = samples.measured(sampleRate: signal.sampleRate, channelCount: signal.channelCount)
        let reference = try FFmpegLoudness.measure(samples, sampleRate: signal.sampleRate,
                                                   channelCount: signal.channelCount)
        print(String(format: "ffmpeg cross-check [%@]: I %.3f vs %.3f LUFS (summary %.1f), TP %.3f vs %.3f dBTP (summary %.1f), LRA %.2f vs %.2f LU",
                     signal.name, meter.integratedLoudness, reference.preciseIntegrated, reference.integrated,
                     meter.truePeak, reference.preciseTruePeak, reference.truePeak, meter.loudnessRange,
                     reference.loudnessRange))
        // The summary has one decimal; it must agree within 0.1 LU and 0.2 dB beyond its rounding.
        #expect(abs(meter.integratedLoudness - reference.integrated) <= 0.1 + 0.05)
        #expect(abs(meter.truePeak - reference.truePeak) <= 0.2 + 0.05)
        // The metadata has three decimals (the true peak there is linear, so coarse for quiet signals).
        #expect(abs(meter.integratedLoudness - reference.preciseIntegrated) <= 0.1)
        #expect(abs(meter.truePeak - reference.preciseTruePeak) <= 0.2)
        // Loudness range (signals here last at least 4 s: for about 3 s FFmpeg reports a degenerate 20 LU).
        #expect(abs(meter.loudnessRange - reference.loudnessRange) <= 0.5)
    }

    @Test(.enabled(if: FFmpegLoudness.isAvailable, "needs /usr/bin/ffmpeg (Debian package ffmpeg) as the reference meter"))
    func limitedOutputStaysUnderTheCeilingForFFmpegToo() throws {
        let (output, _) = TruePeakLimiterTests.limited(TruePeakLimiterTests.quietLoudQuiet())
        let reference = try FFmpegLoudness.measure(output)
        let ours = output.measured().truePeak
        print(String(format: "ffmpeg cross-check [limiter output]: TP %.3f vs %.3f dBTP (summary %.1f)",
                     ours, reference.preciseTruePeak, reference.truePeak))
        #expect(reference.preciseTruePeak <= -1 + 0.1)
        #expect(ours <= -1 + 0.1)
    }
}
