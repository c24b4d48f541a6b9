#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Conversions between decibels and linear amplitude, and the sample loops that apply gain and mix.
///
/// The loops work on interleaved `Float` samples through unsafe buffer pointers (no bounds checks, no
/// allocation) and are written so that the optimiser vectorises them in release builds.
public enum Gain {
    /// The linear amplitude factor for a level in decibels: `10^(dB/20)`; `-infinity` gives 0.
    @inlinable
    public static func linear(fromDecibels decibels: Double) -> Double {
        decibels == -.infinity ? 0 : pow(10, decibels / 20)
    }

    /// The level in decibels of a linear amplitude factor: `20·log10(|amplitude|)`; 0 gives `-infinity`.
    @inlinable
    public static func decibels(fromLinear amplitude: Double) -> Double {
        let magnitude = Swift.abs(amplitude)
        return magnitude > 0 ? 20 * log10(magnitude) : -.infinity
    }

    /// The level in decibels of a power (a mean square): `10·log10(power)`; 0 gives `-infinity`.
    @inlinable
    public static func decibels(fromPower power: Double) -> Double {
        power > 0 ? 10 * log10(power) : -.infinity
    }

    /// Multiplies every sample by `gain`.
    /// - Complexity: O(n), vectorised.
    public static func apply(_ gain: Float, to samples: UnsafeMutableBufferPointer<Float>) {
        guard gain != 1, let base = samples.baseAddress else { return }
        for index in 0..<samples.count { base[index] *= gain }
    }

    /// Multiplies every sample by `gain`.
    /// - Complexity: O(n), vectorised.
    public static func apply(_ gain: Float, to samples: inout [Float]) {
        guard gain != 1 else { return }
        samples.withUnsafeMutableBufferPointer { apply(gain, to: $0) }
    }

    /// Mixes `source` into `destination`: `destination[i] += gain · source[i]` for the common length.
    ///
    /// Both buffers hold the same interleaved layout; the mixer calls this once per track and chunk.
    /// - Precondition: the buffers do not overlap.
    /// - Complexity: O(min(source.count, destination.count)), vectorised.
    public static func accumulate(
        _ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Float>, gain: Float = 1
    ) {
        let count = Swift.min(source.count, destination.count)
        guard count > 0, let from = source.baseAddress, let to = destination.baseAddress else { return }
        if gain == 1 {
            for index in 0..<count { to[index] += from[index] }
        } else {
            for index in 0..<count { to[index] += gain * from[index] }
        }
    }

    /// Mixes `source` into `destination` (`destination[i] += gain · source[i]`); `destination` grows with
    /// zeros first if `source` is longer.
    /// - Complexity: O(source.count).
    public static func accumulate(_ source: [Float], into destination: inout [Float], gain: Float = 1) {
        if destination.count < source.count {
            destination.append(contentsOf: repeatElement(0, count: source.count - destination.count))
        }
        source.withUnsafeBufferPointer { from in
            destination.withUnsafeMutableBufferPointer { to in accumulate(from, into: to, gain: gain) }
        }
    }

    /// Applies a gain that moves linearly from `startGain` (first frame) towards `endGain` (reached one frame
    /// after the last), so that consecutive chunks ramped from `a` to `b` and from `b` to `c` join without a step.
    /// - Parameters:
    ///   - samples: interleaved frames of `channelCount` samples.
    /// - Complexity: O(n).
    public static func applyRamp(
        to samples: UnsafeMutableBufferPointer<Float>, channelCount: Int, from startGain: Float, to endGain: Float
    ) {
        precondition(channelCount > 0, "channelCount must be positive")
        let frames = samples.count / channelCount
        guard frames > 0, let base = samples.baseAddress else { return }
        if startGain == endGain { apply(startGain, to: samples); return }
        let step = (Double(endGain) - Double(startGain)) / Double(frames)
        for frame in 0..<frames {
            let gain = Float(Double(startGain) + step * Double(frame))
            let row = base + frame * channelCount
            for channel in 0..<channelCount { row[channel] *= gain }
        }
    }

    /// The largest absolute sample value (0 for an empty buffer).
    /// - Complexity: O(n).
    public static func peak(of samples: UnsafeBufferPointer<Float>) -> Float {
        guard let base = samples.baseAddress else { return 0 }
        var peak: Float = 0
        for index in 0..<samples.count {
            let magnitude = Swift.abs(base[index])
            peak = magnitude > peak ? magnitude : peak
        }
        return peak
    }
}
