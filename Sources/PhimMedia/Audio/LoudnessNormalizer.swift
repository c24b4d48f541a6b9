import PhimCore

/// The second pass of two-pass loudness normalisation: applies the gain that brings a measured integrated
/// loudness to a target, then a ``TruePeakLimiter`` so that the gain cannot push true peaks over the ceiling.
///
/// Pass one runs a ``LoudnessMeter`` over the mix; pass two streams the mix through a normaliser made from
/// its ``LoudnessMeter/integratedLoudness``. Alignment works as for the limiter: output frame *i* is input
/// frame *i*; early calls return fewer frames and ``flush()`` returns the rest.
///
/// Where the limiter has to work hard (a quiet, peaky mix raised a lot), the integrated loudness of the
/// result ends somewhat below the target, since limiting removes energy.
public struct LoudnessNormalizer: Sendable {
    /// The default cap on the gain: +30 dB. A mix measured far below the target is mostly silence, noise or
    /// a mistake, and raising it more would mostly raise noise.
    public static let defaultMaximumGainDB = 30.0

    /// The gain in dB that moves `measuredLoudness` to `targetLoudness`, at most `maximumGainDB`.
    ///
    /// Silence (a measured loudness of `-infinity`: no block above the −70 LUFS gate) or any non-finite
    /// value gets 0 dB: there is nothing to normalise. Attenuation is not limited.
    public static func gainDB(measuredLoudness: Double, targetLoudness: Double,
                              maximumGainDB: Double = defaultMaximumGainDB) -> Double {
        guard measuredLoudness.isFinite, targetLoudness.isFinite else { return 0 }
        return min(targetLoudness - measuredLoudness, maximumGainDB)
    }

    /// The gain applied before the limiter, in dB.
    public let gainDB: Double
    public let targetLoudness: Double
    private let gain: Float
    private var limiter: TruePeakLimiter
    private var scratch: [Float] = []

    /// - Parameters:
    ///   - measuredLoudness: the integrated loudness of the whole stream (LUFS), from a first pass.
    ///   - targetLoudness: the integrated loudness wanted (LUFS), e.g. −14 or −23.
    ///   - ceilingDBTP: the true-peak ceiling of the output.
    ///   - maximumGainDB: the cap on the gain (see ``defaultMaximumGainDB``).
    public init(sampleRate: Int, channelCount: Int, measuredLoudness: Double, targetLoudness: Double,
                ceilingDBTP: Double = -1, maximumGainDB: Double = defaultMaximumGainDB,
                lookahead: Double = 0.005, release: Double = 0.05) {
        gainDB = Self.gainDB(measuredLoudness: measuredLoudness, targetLoudness: targetLoudness,
                             maximumGainDB: maximumGainDB)
        self.targetLoudness = targetLoudness
        gain = Float(Gain.linear(fromDecibels: gainDB))
        limiter = TruePeakLimiter(sampleRate: sampleRate, channelCount: channelCount, ceilingDBTP: ceilingDBTP,
                                  lookahead: lookahead, release: release)
    }

    /// Frames held back inside (see ``TruePeakLimiter/latencyFrames``; callers need not care).
    public var latencyFrames: Int { limiter.latencyFrames }
    /// The deepest gain reduction the limiter applied so far, in dB (0 or negative).
    public var largestGainReductionDB: Double { limiter.largestGainReductionDB }

    /// Normalises interleaved frames and returns the frames that are ready.
    /// - Complexity: O(n), as ``TruePeakLimiter``.
    public mutating func process(_ input: [Float]) -> [Float] {
        var output = [Float]()
        output.reserveCapacity(input.count)
        input.withUnsafeBufferPointer { process($0, appendingTo: &output) }
        return output
    }

    /// Normalises interleaved frames, appending the frames that are ready to `output`.
    public mutating func process(_ input: UnsafeBufferPointer<Float>, appendingTo output: inout [Float]) {
        precondition(input.count % limiter.channelCount == 0, "samples must fill whole frames")
        let chunk = 4_096 * limiter.channelCount  // whole frames, so the limiter sees whole frames
        var start = 0
        while start < input.count {
            let end = min(input.count, start + chunk)
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<end]))
            let gain = self.gain
            scratch.withUnsafeMutableBufferPointer { Gain.apply(gain, to: $0) }
            scratch.withUnsafeBufferPointer { limiter.process($0, appendingTo: &output) }
            start = end
        }
    }

    /// Returns the frames still held back, ending the stream.
    public mutating func flush() -> [Float] { limiter.flush() }

    /// Appends the frames still held back to `output`, ending the stream.
    public mutating func flush(appendingTo output: inout [Float]) { limiter.flush(appendingTo: &output) }
}
