import PhimCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming look-ahead limiter that keeps the true peak (BS.1770-4, 4× oversampled) of its output at or
/// below a ceiling, with smooth, stereo-linked gain reduction.
///
/// **Alignment.** The limiter looks ahead, so it holds back ``latencyFrames`` frames, but callers never see
/// that delay: frame *i* of the output is always frame *i* of the input. The first calls to `process` return
/// fewer frames than they were given (none until more than ``latencyFrames`` have arrived) and ``flush()``
/// returns the rest, so that over a whole stream the output has exactly as many frames as the input.
///
/// **How.** For every frame, the largest magnitude of the oversampled signal (all channels, both adjacent
/// intervals, ±``holdFrames`` frames around it) gives the gain it needs (`ceiling / peak`, at most 1). A
/// sliding minimum over the look-ahead window, an exponential release, and a moving average over the
/// look-ahead window turn these needs into a gain curve that ramps linearly into each peak (no step, so no
/// click) and never exceeds what any frame needs. Frames whose neighbourhood is below the ceiling pass
/// unchanged once the release has recovered.
///
/// A value type; `Sendable`.
public struct TruePeakLimiter: Sendable {
    public let sampleRate: Int
    public let channelCount: Int
    /// The ceiling the output's true peak stays under, in dBTP.
    public let ceilingDBTP: Double
    /// Seconds of look-ahead (the attack time).
    public let lookahead: Double
    /// The release time constant in seconds.
    public let release: Double
    /// Frames of look-ahead: the gain ramps down over this many frames before a peak.
    public let attackFrames: Int
    /// Frames either side of a peak held at the peak's gain, so that the interpolation filter around the
    /// peak sees one gain.
    public let holdFrames: Int
    /// How many frames the limiter holds back internally (see the type's discussion: callers need not care).
    public let latencyFrames: Int

    private let ceiling: Float
    private let releaseCoefficient: Double
    private var oversampler: TruePeakOversampler
    /// Input frames not yet emitted (interleaved); the first is output frame `framesEmitted`.
    private var pending: [Float] = []
    private var framesReceived = 0
    private var framesEmitted = 0
    private var previousIntervalPeak: Float = 0
    /// A monotonic queue of (frame, needed gain) for the sliding minimum, as a ring.
    private var queueFrames: [Int]
    private var queueGains: [Double]
    private var queueHead = 0
    private var queueCount = 0
    private var releasedGain = 1.0
    /// The last `attackFrames` released gains (a ring) and their sum, for the moving average.
    private var averageRing: [Double]
    private var averageSum: Double
    private var averagePosition = 0
    private var intervalPeaks: [Float]
    private var blockGains: [Float]
    /// The deepest gain reduction applied so far, in dB (0 or negative).
    public private(set) var largestGainReductionDB = 0.0

    /// - Parameters:
    ///   - ceilingDBTP: the highest true peak allowed in the output.
    ///   - lookahead: seconds over which gain ramps down before a peak (the attack).
    ///   - release: the time constant, in seconds, with which gain recovers after a peak.
    public init(sampleRate: Int, channelCount: Int, ceilingDBTP: Double = -1, lookahead: Double = 0.005,
                release: Double = 0.05) {
        precondition(sampleRate > 0 && channelCount > 0, "sample rate and channel count must be positive")
        precondition(lookahead >= 0 && release >= 0, "lookahead and release cannot be negative")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.ceilingDBTP = ceilingDBTP
        self.lookahead = lookahead
        self.release = release
        ceiling = Float(Gain.linear(fromDecibels: ceilingDBTP))
        attackFrames = max(1, Int((lookahead * Double(sampleRate)).rounded()))
        holdFrames = TruePeakOversampler.tapsPerPhase / 2
        oversampler = TruePeakOversampler(sampleRate: sampleRate, channelCount: channelCount)
        latencyFrames = attackFrames - 1 + holdFrames + oversampler.delayFrames
        releaseCoefficient = release > 0 ? exp(-1 / (release * Double(sampleRate))) : 0
        let window = attackFrames + 2 * holdFrames
        queueFrames = [Int](repeating: 0, count: window + 1)
        queueGains = [Double](repeating: 1, count: window + 1)
        averageRing = [Double](repeating: 1, count: attackFrames)
        averageSum = Double(attackFrames)
        intervalPeaks = [Float](repeating: 0, count: TruePeakOversampler.blockFrames)
        blockGains = [Float](repeating: 1, count: TruePeakOversampler.blockFrames)
    }

    /// The current gain reduction in dB (0 or negative): what the last emitted frame got.
    public private(set) var gainReductionDB = 0.0

    // MARK: Streaming

    /// Limits interleaved frames and returns the frames that are ready (see the type's discussion).
    /// - Complexity: O(n · channels · 72) for the oversampling, vectorised, plus O(n) for the gain.
    public mutating func process(_ input: [Float]) -> [Float] {
        var output = [Float]()
        output.reserveCapacity(input.count)
        input.withUnsafeBufferPointer { process($0, appendingTo: &output) }
        return output
    }

    /// Limits interleaved frames, appending the frames that are ready to `output`.
    /// - Precondition: `input.count` is a multiple of ``channelCount``.
    public mutating func process(_ input: UnsafeBufferPointer<Float>, appendingTo output: inout [Float]) {
        precondition(input.count % channelCount == 0, "samples must fill whole frames")
        guard let base = input.baseAddress else { return }
        let frames = input.count / channelCount
        var done = 0
        while done < frames {
            let count = min(frames - done, TruePeakOversampler.blockFrames)
            let block = UnsafeBufferPointer(start: base + done * channelCount, count: count * channelCount)
            pending.append(contentsOf: block)
            processBlock(block.baseAddress!, frames: count, realFrames: Int.max, output: &output)
            done += count
        }
    }

    /// Limits a buffer and returns the frames that are ready, as a buffer of the same format.
    public mutating func process(_ buffer: AudioBuffer) -> AudioBuffer {
        precondition(buffer.sampleRate == sampleRate && buffer.channelCount == channelCount,
                     "buffer format \(buffer.sampleRate) Hz × \(buffer.channelCount) differs from the limiter's")
        return AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, samples: process(buffer.samples))
    }

    /// Returns the frames still held back, ending the stream; the limiter is then ready for a new stream.
    public mutating func flush() -> [Float] {
        var output = [Float]()
        flush(appendingTo: &output)
        return output
    }

    /// Appends the frames still held back to `output`, ending the stream.
    public mutating func flush(appendingTo output: inout [Float]) {
        let realFrames = framesReceived
        var remaining = latencyFrames
        let zeros = [Float](repeating: 0, count: TruePeakOversampler.blockFrames * channelCount)
        zeros.withUnsafeBufferPointer { zeros in
            while remaining > 0 {
                let count = min(remaining, TruePeakOversampler.blockFrames)
                processBlock(zeros.baseAddress!, frames: count, realFrames: realFrames, output: &output)
                remaining -= count
            }
        }
        precondition(framesEmitted == realFrames, "limiter lost alignment")
        let largest = largestGainReductionDB
        self = TruePeakLimiter(sampleRate: sampleRate, channelCount: channelCount, ceilingDBTP: ceilingDBTP,
                               lookahead: lookahead, release: release)
        largestGainReductionDB = largest
    }

    /// Runs one block through detection and gain, emitting the frames whose gain became known.
    /// `realFrames` bounds the frames that may be emitted (during `flush`, padding follows them).
    private mutating func processBlock(_ input: UnsafePointer<Float>, frames: Int, realFrames: Int,
                                       output: inout [Float]) {
        let channels = channelCount
        intervalPeaks.withUnsafeMutableBufferPointer { peaks in
            oversampler.process(input, frames: frames, intervalPeaks: peaks.baseAddress!)
        }
        let delay = oversampler.delayFrames
        let window = attackFrames + 2 * holdFrames
        let queueCapacity = queueFrames.count
        let centreOffset = attackFrames - 1 + holdFrames
        let ceiling = self.ceiling
        let releaseCoefficient = self.releaseCoefficient
        let averageScale = 1 / Double(attackFrames)
        var emitted = 0
        var previous = previousIntervalPeak
        var released = releasedGain
        var sum = averageSum
        var position = averagePosition
        var head = queueHead, count = queueCount
        var lowestGain = 1.0
        intervalPeaks.withUnsafeBufferPointer { peaks in
        queueFrames.withUnsafeMutableBufferPointer { queueFrames in
        queueGains.withUnsafeMutableBufferPointer { queueGains in
        averageRing.withUnsafeMutableBufferPointer { ring in
        blockGains.withUnsafeMutableBufferPointer { gains in
            for i in 0..<frames {
                let frame = framesReceived + i - delay
                let interval = peaks[i]
                // The frame's peak covers the intervals on both sides of it.
                let peak = max(previous, interval)
                previous = interval
                guard frame >= 0 else { continue }
                let needed = peak > ceiling ? Double(ceiling / peak) : 1
                // Sliding minimum over [frame - window + 1, frame].
                while count > 0, queueGains[(head + count - 1) % queueCapacity] >= needed { count -= 1 }
                let tail = (head + count) % queueCapacity
                queueFrames[tail] = frame
                queueGains[tail] = needed
                count += 1
                while queueFrames[head] <= frame - window {
                    head = (head + 1) % queueCapacity
                    count -= 1
                }
                // The gain of frame k = frame - centreOffset: min over its ±hold neighbourhood and the
                // look-ahead, released exponentially, then averaged over the look-ahead window.
                let minimum = queueGains[head]
                released = min(minimum, 1 - (1 - released) * releaseCoefficient)
                sum += released - ring[position]
                ring[position] = released
                position = position + 1 == ring.count ? 0 : position + 1
                let k = frame - centreOffset
                guard k >= 0, k < realFrames else { continue }
                let gain = min(1, sum * averageScale)
                lowestGain = min(lowestGain, gain)
                gains[emitted] = Float(gain)
                emitted += 1
            }
        }
        }
        }
        }
        }
        previousIntervalPeak = previous
        releasedGain = released
        averageSum = sum
        averagePosition = position
        queueHead = head
        queueCount = count
        framesReceived += frames
        guard emitted > 0 else { return }
        // Apply the gains to the held-back frames and hand them out.
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: emitted * channels))
        output.withUnsafeMutableBufferPointer { out in
            pending.withUnsafeBufferPointer { held in
                blockGains.withUnsafeBufferPointer { gains in
                    let destination = out.baseAddress! + start, source = held.baseAddress!
                    for frame in 0..<emitted {
                        let gain = gains[frame]
                        for channel in 0..<channels {
                            destination[frame * channels + channel] = source[frame * channels + channel] * gain
                        }
                    }
                }
            }
        }
        pending.removeFirst(emitted * channels)
        framesEmitted += emitted
        gainReductionDB = Gain.decibels(fromLinear: Double(blockGains[emitted - 1]))
        largestGainReductionDB = min(largestGainReductionDB, Gain.decibels(fromLinear: lowestGain))
    }
}
