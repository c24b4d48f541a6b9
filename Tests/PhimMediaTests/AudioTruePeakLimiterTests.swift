import Foundation
import Testing
import PhimCore
import PhimMedia

@Suite struct TruePeakLimiterTests {
    static let rate = TestSignal.rate

    /// Runs `samples` through a limiter in chunks of `chunkFrames`, then flushes.
    static func limited(_ samples: [Float], chunkFrames: Int = 1_000, ceiling: Double = -1,
                        channelCount: Int = 2) -> (output: [Float], limiter: TruePeakLimiter) {
        var limiter = TruePeakLimiter(sampleRate: rate, channelCount: channelCount, ceilingDBTP: ceiling)
        var output = [Float]()
        samples.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(buffer.count, start + chunkFrames * channelCount)
                limiter.process(UnsafeBufferPointer(rebasing: buffer[start..<end]), appendingTo: &output)
                start = end
            }
        }
        let reduction = limiter.largestGainReductionDB
        output += limiter.flush()
        #expect(limiter.largestGainReductionDB == reduction)
        return (output, limiter)
    }

    /// 1 s quiet (−20 dBFS 440 Hz), 2 s loud (white noise at ±2 plus 1 kHz and 15 kHz sines, peaks about
    /// +12 dBFS), 2 s quiet again.
    static func quietLoudQuiet() -> [Float] {
        let quiet = TestSignal.sine(frequency: 440, amplitude: 0.1, seconds: 5)
        var signal = quiet
        let noise = TestSignal.whiteNoise(amplitude: 2, seconds: 2, seed: 11)
        let low = TestSignal.sine(frequency: 1000, amplitude: 1, seconds: 2)
        let high = TestSignal.sine(frequency: 15_000, amplitude: 1, seconds: 2, phase: 0.7)
        let offset = rate * 2  // one second of stereo samples
        for index in 0..<noise.count { signal[offset + index] += noise[index] + low[index] + high[index] }
        return signal
    }

    @Test func keepsTruePeakUnderTheCeilingAndLeavesQuietPassagesAlone() {
        let input = Self.quietLoudQuiet()
        let inputPeak = input.measured().truePeak
        #expect(inputPeak > 11)
        let (output, limiter) = Self.limited(input)
        #expect(output.count == input.count)
        let outputPeak = output.measured().truePeak
        print("limiter: input true peak \(inputPeak) dBTP, output \(outputPeak) dBTP, deepest reduction \(limiter.largestGainReductionDB) dB")
        #expect(outputPeak <= -1 + 0.1)
        #expect(outputPeak > -1.5, "the limiter should not overshoot the reduction either")
        // Quiet passages: before the loud part (minus the look-ahead) and after it (plus 0.5 s of release)
        // the output is the input, within 0.1 dB per sample of the sine's crests.
        func worstDeviationDB(frames: Range<Int>) -> Double {
            var worst = 0.0
            for frame in frames {
                for channel in 0..<2 {
                    let x = Double(input[frame * 2 + channel]), y = Double(output[frame * 2 + channel])
                    guard abs(x) > 0.05 else { continue }
                    worst = max(worst, abs(20 * log10(y / x)))
                }
            }
            return worst
        }
        let before = worstDeviationDB(frames: 0..<(Self.rate - limiter.attackFrames - limiter.holdFrames - 1))
        let after = worstDeviationDB(frames: (3 * Self.rate + Self.rate / 2)..<(5 * Self.rate))
        print("limiter: quiet deviation before \(before) dB, after \(after) dB")
        #expect(before == 0)
        #expect(after < 0.1)
    }

    @Test func outputIsTimeAlignedWithTheInput() {
        // Silence with clicks: one below the ceiling, one far above it. Each must come out at its own frame.
        var input = [Float](repeating: 0, count: Self.rate * 2 * 2)
        input[2 * 12_345] = 0.5
        input[2 * 60_000 + 1] = 3
        let (output, _) = Self.limited(input, chunkFrames: 777)
        #expect(output.count == input.count)
        #expect(output[2 * 12_345] == 0.5)
        let loudest = output.indices.max { abs(output[$0]) < abs(output[$1]) }
        #expect(loudest == 2 * 60_000 + 1)
        // Everything else stays silent.
        #expect(output.enumerated().allSatisfy { $0.offset == 2 * 12_345 || $0.offset == 2 * 60_000 + 1 || $0.element == 0 })
    }

    @Test func gainChangesSmoothly() {
        // A low tone that jumps from −20 dBFS to +12 dBFS: the gain (output / input) must ramp, not step.
        let frames = Self.rate
        var input = [Float](repeating: 0, count: frames * 2)
        for frame in 0..<frames {
            let amplitude: Float = frame < frames / 2 ? 0.1 : 4
            let value = amplitude * Float(sin(2 * Double.pi * 50 * Double(frame) / Double(Self.rate)))
            input[2 * frame] = value
            input[2 * frame + 1] = value
        }
        let (output, limiter) = Self.limited(input)
        var largestStep: Float = 0, largestGainStep = 0.0
        var previousGain: Double?
        for frame in 1..<frames {
            largestStep = max(largestStep, abs(output[2 * frame] - output[2 * frame - 2]))
            let x = Double(input[2 * frame])
            if abs(x) > 0.05 {
                let gain = Double(output[2 * frame]) / x
                if let previousGain { largestGainStep = max(largestGainStep, abs(gain - previousGain)) }
                previousGain = gain
            } else {
                previousGain = nil
            }
        }
        // A 50 Hz sine at the ceiling moves at most 0.89 · 2π · 50 / 48000 ≈ 0.006 per frame.
        let naturalStep = Float(Gain.linear(fromDecibels: -1) * 2 * Double.pi * 50 / Double(Self.rate))
        print("limiter: largest step \(largestStep) (sine alone \(naturalStep)), largest gain step \(largestGainStep)")
        #expect(largestStep < 3 * naturalStep)
        // The gain falls from 1 to about 0.22 over the attack, so no frame may change it by more than that
        // drop spread over `attackFrames` frames.
        #expect(largestGainStep <= 1.0 / Double(limiter.attackFrames) + 1e-4)
    }

    @Test func chunkingDoesNotChangeTheOutput() {
        let input = Array(Self.quietLoudQuiet()[(Self.rate * 3)..<(Self.rate * 6)])
        let (oneShot, _) = Self.limited(input, chunkFrames: input.count)
        let (small, _) = Self.limited(input, chunkFrames: 97)
        #expect(oneShot == small)
        #expect(oneShot.count == input.count)
    }

    @Test func shortStreamsComeOutWhole() {
        var limiter = TruePeakLimiter(sampleRate: Self.rate, channelCount: 1)
        let input: [Float] = [0.1, 0.2, 0.3]
        #expect(limiter.process(input).isEmpty)
        #expect(limiter.flush() == input)
        #expect(limiter.flush().isEmpty)
    }

    /// Signals that are hard on a true-peak limiter, with their channel count and sample rate.
    struct HardSignal: Sendable, CustomTestStringConvertible {
        let name: String
        let channelCount: Int
        let sampleRate: Int
        let make: @Sendable () -> [Float]
        var testDescription: String { name }
    }

    static let hardSignals: [HardSignal] = [
        HardSignal(name: "19.5 kHz sine at +6 dBFS", channelCount: 2, sampleRate: 48_000) {
            TestSignal.sine(frequency: 19_500, amplitude: 2, seconds: 1, phase: 0.3)
        },
        HardSignal(name: "fs/4 sine at 45°, crests at +9 dBFS", channelCount: 2, sampleRate: 48_000) {
            TestSignal.sine(frequency: 12_000, amplitude: 2.8, seconds: 1, phase: Double.pi / 4)
        },
        HardSignal(name: "200 Hz sine clipped at ±2 (square-ish), one channel", channelCount: 2, sampleRate: 48_000) {
            TestSignal.sine(frequency: 200, amplitude: 6, seconds: 1, channels: [true, false]).map { min(2, max(-2, $0)) }
        },
        HardSignal(name: "white noise at ±3, mono, 44.1 kHz", channelCount: 1, sampleRate: 44_100) {
            TestSignal.whiteNoise(amplitude: 3, seconds: 1, channelCount: 1)
        },
        HardSignal(name: "noise bursts in 5.1", channelCount: 6, sampleRate: 48_000) {
            TestSignal.whiteNoise(amplitude: 2, seconds: 0.5, channelCount: 6).enumerated().map { index, value in
                (index / 6) % 4_800 < 1_200 ? value : value * 0.01
            }
        },
    ]

    @Test(arguments: hardSignals)
    func keepsTheCeilingOnHardSignals(_ signal: HardSignal) {
        let input = signal.make()
        var limiter = TruePeakLimiter(sampleRate: signal.sampleRate, channelCount: signal.channelCount)
        var output = [Float]()
        for start in stride(from: 0, to: input.count, by: 999 * signal.channelCount) {
            output += limiter.process(Array(input[start..<min(input.count, start + 999 * signal.channelCount)]))
        }
        output += limiter.flush()
        #expect(output.count == input.count)
        var meter = LoudnessMeter(sampleRate: signal.sampleRate, channelCount: signal.channelCount)
        meter.process(output)
        print("limiter [\(signal.name)]: output true peak \(meter.truePeak) dBTP, deepest reduction \(limiter.largestGainReductionDB) dB")
        #expect(meter.truePeak <= -1 + 0.1, "true peak \(meter.truePeak) dBTP")
        #expect(meter.truePeak > -2)
    }
}
