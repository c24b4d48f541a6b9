import PhimCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures loudness and peaks of a stream as ITU-R BS.1770-4 and EBU R128 define them: integrated
/// loudness (gated), momentary (400 ms) and short-term (3 s) loudness, loudness range (EBU Tech 3342),
/// sample peak and true peak.
///
/// Feed interleaved chunks of any size to ``process(_:)-(UnsafeBufferPointer<Float>)``; read the results at
/// any time. Memory does not grow with the length of the stream: the gating blocks go into fixed histograms
/// (see the note on ``integratedLoudness``).
///
/// How it measures:
/// - Each channel is K-weighted (``KWeighting``, coefficients derived for the meter's sample rate), squared
///   and summed over 100 ms steps; a gating block is 4 steps (400 ms, 75 % overlap), a short-term window 30.
/// - Block loudness is `−0.691 + 10·log10(Σ Gᵢ · zᵢ)` with channel weights `Gᵢ` (1 for front channels,
///   1.41 for surrounds, 0 for LFE).
/// - True peak: the signal oversampled 4× (below 96 kHz; see `TruePeakOversampler`) by a polyphase
///   windowed-sinc interpolator, as BS.1770-4 Annex 2 describes.
///
/// A value type: copying a meter copies its state.
public struct LoudnessMeter: Sendable {
    public let sampleRate: Int
    public let channelCount: Int
    /// The weight of each channel in the loudness sum.
    public let channelWeights: [Double]

    private let highShelf: BiquadCoefficients
    private let highPass: BiquadCoefficients
    /// Four filter state values per channel (two per biquad, transposed direct form II).
    private var filterState: [Double]
    private let stepFrames: Int
    private var framesInStep = 0
    /// Σ y² per channel for the step being filled.
    private var stepChannelEnergy: [Double]
    /// Channel-weighted Σ y² of the last 30 completed steps (a ring).
    private var recentSteps = [Double](repeating: 0, count: 30)
    private var stepsCompleted = 0
    private var blocks = LoudnessHistogram()
    private var shortTermWindows = LoudnessHistogram()
    private var oversampler: TruePeakOversampler
    private var samplePeaks: [Float]
    private var latestMomentaryEnergy: Double?
    private var latestShortTermEnergy: Double?
    private var largestMomentaryEnergy: Double?
    private var largestShortTermEnergy: Double?
    /// Frames measured so far.
    public private(set) var framesProcessed = 0

    /// A meter for a standard channel layout.
    /// - Parameters:
    ///   - sampleRate: frames per second (any positive rate; the filters are derived for it).
    ///   - channelCount: 1 (mono), 2 (L R), 3 (L R C), 4 (L R Ls Rs), 5 (L R C Ls Rs) or 6 (5.1 in FFmpeg's
    ///     order L R C LFE Ls Rs). For other layouts use ``init(sampleRate:channelWeights:)``.
    public init(sampleRate: Int, channelCount: Int) {
        guard let weights = Self.standardChannelWeights(channelCount: channelCount) else {
            preconditionFailure("no standard layout for \(channelCount) channels; pass channelWeights")
        }
        self.init(sampleRate: sampleRate, channelWeights: weights)
    }

    /// A meter with explicit channel weights (one per interleaved channel; 0 leaves a channel out).
    public init(sampleRate: Int, channelWeights: [Double]) {
        precondition(sampleRate > 0, "sample rate must be positive")
        precondition(!channelWeights.isEmpty, "at least one channel")
        self.sampleRate = sampleRate
        self.channelCount = channelWeights.count
        self.channelWeights = channelWeights
        (highShelf, highPass) = KWeighting.coefficients(sampleRate: sampleRate)
        filterState = [Double](repeating: 0, count: 4 * channelCount)
        stepFrames = max(1, Int((Double(sampleRate) / 10).rounded()))
        stepChannelEnergy = [Double](repeating: 0, count: channelCount)
        oversampler = TruePeakOversampler(sampleRate: sampleRate, channelCount: channelCount)
        samplePeaks = [Float](repeating: 0, count: channelCount)
    }

    /// BS.1770-4 channel weights for the layouts listed at ``init(sampleRate:channelCount:)``; `nil` otherwise.
    public static func standardChannelWeights(channelCount: Int) -> [Double]? {
        switch channelCount {
        case 1: [1]
        case 2: [1, 1]
        case 3: [1, 1, 1]
        case 4: [1, 1, 1.41, 1.41]
        case 5: [1, 1, 1, 1.41, 1.41]
        case 6: [1, 1, 1, 0, 1.41, 1.41]
        default: nil
        }
    }

    // MARK: Feeding

    /// Measures interleaved frames of ``channelCount`` samples.
    /// - Precondition: `interleaved.count` is a multiple of ``channelCount``.
    /// - Complexity: O(n); no allocation.
    public mutating func process(_ interleaved: UnsafeBufferPointer<Float>) {
        precondition(interleaved.count % channelCount == 0, "samples must fill whole frames")
        let frames = interleaved.count / channelCount
        guard frames > 0, let base = interleaved.baseAddress else { return }
        measurePeaks(base, frames: frames)
        var done = 0
        while done < frames {
            let count = min(frames - done, stepFrames - framesInStep)
            filterAndSum(base + done * channelCount, frames: count)
            framesInStep += count
            done += count
            if framesInStep == stepFrames { completeStep() }
        }
        framesProcessed += frames
    }

    /// Measures interleaved frames of ``channelCount`` samples.
    public mutating func process(_ interleaved: [Float]) {
        interleaved.withUnsafeBufferPointer { process($0) }
    }

    /// Measures a buffer.
    /// - Precondition: the buffer's sample rate and channel count are the meter's.
    public mutating func process(_ buffer: AudioBuffer) {
        precondition(buffer.sampleRate == sampleRate && buffer.channelCount == channelCount,
                     "buffer format \(buffer.sampleRate) Hz × \(buffer.channelCount) differs from the meter's")
        process(buffer.samples)
    }

    private mutating func measurePeaks(_ base: UnsafePointer<Float>, frames: Int) {
        let channels = channelCount
        samplePeaks.withUnsafeMutableBufferPointer { peaks in
            for channel in 0..<channels {
                var peak = peaks[channel]
                var pointer = base + channel
                for _ in 0..<frames {
                    let magnitude = abs(pointer.pointee)
                    peak = magnitude > peak ? magnitude : peak
                    pointer += channels
                }
                peaks[channel] = peak
            }
        }
        var done = 0
        while done < frames {
            let count = min(frames - done, TruePeakOversampler.blockFrames)
            oversampler.process(base + done * channels, frames: count, intervalPeaks: nil)
            done += count
        }
    }

    /// K-weights `frames` frames and adds their squares to the current step.
    private mutating func filterAndSum(_ base: UnsafePointer<Float>, frames: Int) {
        let channels = channelCount
        let (sb0, sb1, sb2, sa1, sa2) = (highShelf.b0, highShelf.b1, highShelf.b2, highShelf.a1, highShelf.a2)
        let (hb0, hb1, hb2, ha1, ha2) = (highPass.b0, highPass.b1, highPass.b2, highPass.a1, highPass.a2)
        filterState.withUnsafeMutableBufferPointer { state in
            stepChannelEnergy.withUnsafeMutableBufferPointer { energy in
                for channel in 0..<channels {
                    var s1 = state[4 * channel], s2 = state[4 * channel + 1]
                    var s3 = state[4 * channel + 2], s4 = state[4 * channel + 3]
                    // Continue the step's running sum, so that chunk boundaries do not change rounding.
                    var sum = energy[channel]
                    var pointer = base + channel
                    for _ in 0..<frames {
                        let x = Double(pointer.pointee)
                        pointer += channels
                        let shelved = sb0 * x + s1
                        s1 = sb1 * x - sa1 * shelved + s2
                        s2 = sb2 * x - sa2 * shelved
                        let weighted = hb0 * shelved + s3
                        s3 = hb1 * shelved - ha1 * weighted + s4
                        s4 = hb2 * shelved - ha2 * weighted
                        sum += weighted * weighted
                    }
                    state[4 * channel] = s1
                    state[4 * channel + 1] = s2
                    state[4 * channel + 2] = s3
                    state[4 * channel + 3] = s4
                    energy[channel] = sum
                }
            }
        }
    }

    private mutating func completeStep() {
        var weighted = 0.0
        for channel in 0..<channelCount {
            weighted += channelWeights[channel] * stepChannelEnergy[channel]
            stepChannelEnergy[channel] = 0
        }
        // After long silence the filter state decays towards subnormal numbers, which are slow; flush it.
        for index in filterState.indices where abs(filterState[index]) < 1e-30 { filterState[index] = 0 }
        recentSteps[stepsCompleted % 30] = weighted
        stepsCompleted += 1
        framesInStep = 0
        if stepsCompleted >= 4 {
            let energy = sumOfRecentSteps(4) / Double(4 * stepFrames)
            latestMomentaryEnergy = energy
            largestMomentaryEnergy = max(largestMomentaryEnergy ?? 0, energy)
            blocks.add(energy: energy)
        }
        if stepsCompleted >= 30 {
            let energy = sumOfRecentSteps(30) / Double(30 * stepFrames)
            latestShortTermEnergy = energy
            largestShortTermEnergy = max(largestShortTermEnergy ?? 0, energy)
            shortTermWindows.add(energy: energy)
        }
    }

    private func sumOfRecentSteps(_ count: Int) -> Double {
        var sum = 0.0
        for back in 1...count { sum += recentSteps[(stepsCompleted - back) % 30] }
        return sum
    }

    // MARK: Results

    /// Integrated loudness in LUFS over everything measured so far: the mean energy of the 400 ms blocks
    /// (75 % overlap) above the absolute gate (−70 LUFS) and above the relative gate (10 LU below the mean of
    /// the blocks above the absolute gate). `-infinity` for silence or less than 400 ms of audio.
    ///
    /// Blocks are kept in 0.01 LU bins with their exact energies, so the result differs from keeping every
    /// block only when blocks lie within 0.01 LU of the relative gate (by far less than 0.01 LU in practice).
    /// - Complexity: O(1) in the stream's length (a pass over 10 000 bins).
    public var integratedLoudness: Double { blocks.gatedLoudness(relativeGate: -10) }

    /// The loudness of the latest 400 ms block (ending at the latest 100 ms step); `-infinity` before 400 ms.
    public var momentaryLoudness: Double {
        LoudnessHistogram.loudness(ofEnergy: latestMomentaryEnergy ?? 0)
    }

    /// The loudness of the latest 3 s window (ending at the latest 100 ms step); `-infinity` before 3 s.
    public var shortTermLoudness: Double {
        LoudnessHistogram.loudness(ofEnergy: latestShortTermEnergy ?? 0)
    }

    /// The largest momentary loudness so far (`-infinity` before 400 ms).
    public var maximumMomentaryLoudness: Double {
        LoudnessHistogram.loudness(ofEnergy: largestMomentaryEnergy ?? 0)
    }

    /// The largest short-term loudness so far (`-infinity` before 3 s).
    public var maximumShortTermLoudness: Double {
        LoudnessHistogram.loudness(ofEnergy: largestShortTermEnergy ?? 0)
    }

    /// Loudness range in LU (EBU Tech 3342): the spread between the 10th and 95th percentiles of the
    /// short-term loudness (3 s windows every 100 ms) above −70 LUFS and above a gate 20 LU below their mean.
    /// 0 before 3 s of audio.
    public var loudnessRange: Double { shortTermWindows.loudnessRange() }

    /// The largest absolute sample value over all channels, in dBFS (`-infinity` for silence).
    public var samplePeak: Double { Gain.decibels(fromLinear: Double(samplePeaks.max() ?? 0)) }

    /// The largest absolute sample value of each channel, in dBFS.
    public var samplePeakPerChannel: [Double] { samplePeaks.map { Gain.decibels(fromLinear: Double($0)) } }

    /// True peak in dBTP over all channels: the largest magnitude of the 4× oversampled signal (never below
    /// ``samplePeak``), including the interpolated values after the last frame received so far.
    /// - Complexity: O(channels · 24 frames of interpolation) to finish the tail on a copy.
    public var truePeak: Double { Gain.decibels(fromLinear: Double(truePeakAmplitudes.max() ?? 0)) }

    /// True peak of each channel in dBTP.
    public var truePeakPerChannel: [Double] { truePeakAmplitudes.map { Gain.decibels(fromLinear: Double($0)) } }

    private var truePeakAmplitudes: [Float] {
        var tail = oversampler
        tail.processSilence(frames: tail.delayFrames, intervalPeaks: nil)
        return zip(tail.channelPeaks, samplePeaks).map { max($0, $1) }
    }

    /// Everything measured so far, as one value.
    public var measurement: LoudnessMeasurement {
        LoudnessMeasurement(
            integratedLoudness: integratedLoudness, loudnessRange: loudnessRange, truePeak: truePeak,
            samplePeak: samplePeak, maximumMomentaryLoudness: maximumMomentaryLoudness,
            maximumShortTermLoudness: maximumShortTermLoudness,
            duration: Double(framesProcessed) / Double(sampleRate))
    }
}

/// A summary of a ``LoudnessMeter``'s results (LUFS, LU, dBTP, dBFS, seconds).
public struct LoudnessMeasurement: Sendable, Hashable, Codable {
    public var integratedLoudness: Double
    public var loudnessRange: Double
    public var truePeak: Double
    public var samplePeak: Double
    public var maximumMomentaryLoudness: Double
    public var maximumShortTermLoudness: Double
    public var duration: Double

    public init(integratedLoudness: Double, loudnessRange: Double, truePeak: Double, samplePeak: Double,
                maximumMomentaryLoudness: Double, maximumShortTermLoudness: Double, duration: Double) {
        self.integratedLoudness = integratedLoudness
        self.loudnessRange = loudnessRange
        self.truePeak = truePeak
        self.samplePeak = samplePeak
        self.maximumMomentaryLoudness = maximumMomentaryLoudness
        self.maximumShortTermLoudness = maximumShortTermLoudness
        self.duration = duration
    }
}
