/// A run of audio: 32-bit float samples in -1...1, channels interleaved (`L R L R …`).
public struct AudioBuffer: Sendable, Equatable {
    /// Phim's working sample rate.
    public static let standardSampleRate = 48_000

    public var sampleRate: Int
    public var channelCount: Int
    /// Interleaved samples; `count` is a multiple of `channelCount`.
    public var samples: [Float]

    public init(sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2, samples: [Float] = []) {
        precondition(channelCount > 0 && samples.count % channelCount == 0, "samples must fill whole frames")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.samples = samples
    }

    /// Silence of `frameCount` frames.
    public init(silenceOf frameCount: Int, sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2) {
        self.init(sampleRate: sampleRate, channelCount: channelCount,
                  samples: [Float](repeating: 0, count: frameCount * channelCount))
    }

    /// Sample frames (one sample per channel each).
    public var frameCount: Int { samples.count / channelCount }
    /// Length in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    /// The root-mean-square level of all samples, in dBFS (`-infinity` for silence).
    public var rmsDecibels: Double {
        guard !samples.isEmpty else { return -.infinity }
        var sum = 0.0
        for sample in samples { sum += Double(sample) * Double(sample) }
        let rms = (sum / Double(samples.count)).squareRoot()
        return rms > 0 ? 20 * log10(rms) : -.infinity
    }

    /// The largest absolute sample value.
    public var peak: Float { samples.reduce(0) { max($0, abs($1)) } }

    /// Frames `range` of this buffer as a new buffer (clamped to what exists).
    public func slice(frames range: Range<Int>) -> AudioBuffer {
        let lower = max(0, min(range.lowerBound, frameCount)), upper = max(lower, min(range.upperBound, frameCount))
        return AudioBuffer(sampleRate: sampleRate, channelCount: channelCount,
                           samples: Array(samples[(lower * channelCount)..<(upper * channelCount)]))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
