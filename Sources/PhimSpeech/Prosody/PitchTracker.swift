/// The fundamental frequency of speech, frame by frame, from the normalised autocorrelation: a frame is voiced when
/// it is loud enough and repeats itself (correlation at the best lag ≥ ``voicingThreshold``) at a lag between
/// ``maxFrequency`` and ``minFrequency``.
///
/// Made for engine speech (clean, no background), to find how a question ends and where its pitch periods lie.
struct PitchTracker {
    /// Lowest and highest pitch looked for, in Hz.
    static let minFrequency = 60.0, maxFrequency = 420.0
    /// Normalised autocorrelation a frame needs to count as voiced.
    static let voicingThreshold = 0.5

    let sampleRate: Int
    /// The pitches looked for, in Hz: ``minFrequency``...``maxFrequency`` unless narrowed around a known voice.
    let frequencies: ClosedRange<Double>
    /// Samples between frames (5 ms).
    let hop: Int
    /// Samples in a frame's window (two periods of the lowest pitch).
    let window: Int
    /// Every how many samples the correlations read (about 16 kHz of them: pitch needs no more).
    let step: Int

    /// - Parameter frequencies: the pitches to look for; narrowing them around a voice's median (0.6× to 1.8×) keeps
    ///   a strong first formant from passing for two or three times the pitch.
    init(sampleRate: Int, frequencies: ClosedRange<Double> = minFrequency...maxFrequency) {
        self.sampleRate = sampleRate
        self.frequencies = max(Self.minFrequency, frequencies.lowerBound)...min(Self.maxFrequency, max(frequencies.upperBound, frequencies.lowerBound + 1))
        hop = max(1, sampleRate / 200)
        window = Int((2 * Double(sampleRate) / Self.minFrequency).rounded(.up))
        step = max(1, sampleRate / 16_000)
    }

    /// The pitch period in samples of the frame centred at `centre`, or nil when it is unvoiced or quieter than
    /// `floor` (RMS).
    /// - Complexity: O(window × lags), about 0.1 ms a frame in a release build.
    func period(_ samples: [Float], centre: Int, floor: Float) -> Double? {
        let minLag = Int(Double(sampleRate) / frequencies.upperBound), maxLag = Int(Double(sampleRate) / frequencies.lowerBound)
        let start = centre - window / 2
        guard start >= 0, start + window + maxLag <= samples.count else { return nil }
        var energy: Float = 0
        for index in stride(from: start, to: start + window, by: step) { energy += samples[index] * samples[index] }
        guard (energy / Float((window + step - 1) / step)).squareRoot() >= floor else { return nil }
        var best = 0.0, bestLag = 0
        var correlations = [Double](repeating: 0, count: maxLag + 2)
        for lag in minLag...maxLag {
            var product: Float = 0, shifted: Float = 0
            for index in stride(from: start, to: start + window, by: step) {
                product += samples[index] * samples[index + lag]
                shifted += samples[index + lag] * samples[index + lag]
            }
            let correlation = Double(product) / max(1e-12, (Double(energy) * Double(shifted)).squareRoot())
            correlations[lag] = correlation
            if correlation > best { best = correlation; bestLag = lag }
        }
        guard best >= Self.voicingThreshold, bestLag > minLag, bestLag < maxLag else { return nil }
        // An octave error picks a multiple of the period: take half the lag when it is as good within 1 % (a looser
        // margin, or a third or a quarter, lets a strong first formant pass for the pitch: two or three times too high).
        let half = Int((Double(bestLag) / 2).rounded())
        if half > minLag {
            let local = (max(minLag, half - 2)...min(maxLag, half + 2)).max { correlations[$0] < correlations[$1] } ?? half
            if correlations[local] >= 0.99 * best { bestLag = local }
        }
        // Parabolic interpolation around the peak.
        let left = correlations[bestLag - 1], middle = correlations[bestLag], right = correlations[bestLag + 1]
        let curvature = left - 2 * middle + right
        let offset = curvature < 0 ? 0.5 * (left - right) / curvature : 0
        return Double(bestLag) + max(-0.5, min(0.5, offset))
    }

    /// Periods every ``hop`` samples across `range` (nil where unvoiced).
    func periods(_ samples: [Float], in range: Range<Int>, floor: Float) -> [Double?] {
        stride(from: range.lowerBound, to: range.upperBound, by: hop).map { period(samples, centre: $0, floor: floor) }
    }

    /// The median pitch in Hz of the voiced frames in `range`, or nil when fewer than three are voiced.
    func medianFrequency(_ samples: [Float], in range: Range<Int>, floor: Float) -> Double? {
        let voiced = periods(samples, in: range, floor: floor).compactMap { $0 }.map { Double(sampleRate) / $0 }.sorted()
        guard voiced.count >= 3 else { return nil }
        return voiced[voiced.count / 2]
    }
}
