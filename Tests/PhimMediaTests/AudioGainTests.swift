import Foundation
import Testing
import PhimCore
import PhimMedia

@Suite struct GainTests {
    @Test func decibelConversions() {
        #expect(abs(Gain.linear(fromDecibels: 20 * log10(2.0)) - 2) < 1e-12)
        #expect(abs(Gain.decibels(fromLinear: 0.5) + 6.0206) < 1e-4)
        #expect(Gain.linear(fromDecibels: -.infinity) == 0)
        #expect(Gain.decibels(fromLinear: 0) == -.infinity)
        #expect(abs(Gain.decibels(fromPower: 0.01) + 20) < 1e-12)
        for decibels in stride(from: -60.0, through: 20, by: 7.5) {
            #expect(abs(Gain.decibels(fromLinear: Gain.linear(fromDecibels: decibels)) - decibels) < 1e-9)
        }
    }

    @Test func accumulateMixesWithGain() {
        var mix: [Float] = [1, 1, 1]
        Gain.accumulate([2, 4, 6, 8, 10], into: &mix, gain: 0.5)
        #expect(mix == [2, 3, 4, 4, 5])
        var buffer: [Float] = [1, 2]
        [Float](repeating: 1, count: 2).withUnsafeBufferPointer { source in
            buffer.withUnsafeMutableBufferPointer { Gain.accumulate(source, into: $0) }
        }
        #expect(buffer == [2, 3])
        Gain.apply(0.5, to: &buffer)
        #expect(buffer == [1, 1.5])
        #expect([Float](arrayLiteral: 0.25, -0.75, 0.5).withUnsafeBufferPointer { Gain.peak(of: $0) } == 0.75)
    }

    @Test func rampsJoinAcrossChunks() {
        // Two chunks ramped 1 → 0.5 and 0.5 → 0 equal one chunk ramped 1 → 0 over both.
        var first = [Float](repeating: 1, count: 200), second = [Float](repeating: 1, count: 200)
        var whole = [Float](repeating: 1, count: 400)
        first.withUnsafeMutableBufferPointer { Gain.applyRamp(to: $0, channelCount: 2, from: 1, to: 0.5) }
        second.withUnsafeMutableBufferPointer { Gain.applyRamp(to: $0, channelCount: 2, from: 0.5, to: 0) }
        whole.withUnsafeMutableBufferPointer { Gain.applyRamp(to: $0, channelCount: 2, from: 1, to: 0) }
        #expect(zip(first + second, whole).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(first[0] == 1 && first[1] == 1 && second[0] == 0.5)
    }
}

@Suite struct FadeTests {
    @Test func fadeInAndOutShapes() {
        let fadeIn = Fade(.fadeIn, startFrame: 100, frameCount: 10)
        #expect(fadeIn.gain(atFrame: 99) == 0)
        #expect(fadeIn.gain(atFrame: 100) == 0)
        #expect(fadeIn.gain(atFrame: 105) == 0.5)
        #expect(fadeIn.gain(atFrame: 110) == 1)
        let fadeOut = Fade(.fadeOut, startFrame: 100, frameCount: 10)
        #expect(fadeOut.gain(atFrame: 99) == 1)
        #expect(fadeOut.gain(atFrame: 100) == 1)
        #expect(fadeOut.gain(atFrame: 105) == 0.5)
        #expect(fadeOut.gain(atFrame: 110) == 0)
        // Complementary pairs: linear gains sum to 1, equal-power gains' squares sum to 1.
        for frame in 100..<110 {
            #expect(abs(fadeIn.gain(atFrame: frame) + fadeOut.gain(atFrame: frame) - 1) < 1e-6)
            let a = Fade(.fadeIn, startFrame: 100, frameCount: 10, curve: .equalPower).gain(atFrame: frame)
            let b = Fade(.fadeOut, startFrame: 100, frameCount: 10, curve: .equalPower).gain(atFrame: frame)
            #expect(abs(a * a + b * b - 1) < 1e-6)
        }
        #expect(abs(FadeCurve.equalPower.gain(at: 0.5) - 0.5.squareRoot()) < 1e-12)
    }

    @Test(arguments: [Fade.Direction.fadeIn, .fadeOut], [FadeCurve.linear, .equalPower])
    func chunkedFadeEqualsWholeFade(direction: Fade.Direction, curve: FadeCurve) {
        let fade = Fade(direction, start: 0.5, duration: 1, sampleRate: 1_000, curve: curve)
        #expect(fade.startFrame == 500 && fade.frameCount == 1_000)
        let signal = TestSignal.sine(frequency: 5, amplitude: 0.8, seconds: 2.5 / 48)  // 2 500 stereo frames
        var whole = signal
        whole.withUnsafeMutableBufferPointer { fade.apply(to: $0, channelCount: 2, firstFrame: 0) }
        var pieces = [Float]()
        var frame = 0
        for size in [300, 450, 1, 999, 750] {
            var chunk = AudioBuffer(samples: Array(signal[(2 * frame)..<(2 * (frame + size))]))
            fade.apply(to: &chunk, firstFrame: frame)
            pieces += chunk.samples
            frame += size
        }
        #expect(pieces == whole)
        // Silent where the fade says so.
        let silent = direction == .fadeIn ? 0..<500 : 1_500..<2_500
        #expect(silent.allSatisfy { whole[2 * $0] == 0 && whole[2 * $0 + 1] == 0 })
        let untouched = direction == .fadeIn ? 1_500..<2_500 : 0..<500
        #expect(untouched.allSatisfy { whole[2 * $0] == signal[2 * $0] })
    }
}
