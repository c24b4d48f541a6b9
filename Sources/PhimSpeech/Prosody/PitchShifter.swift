import Foundation

/// Changes the pitch of part of a speech clip without changing its length or its voice's timbre much:
/// time-domain pitch-synchronous overlap-add (TD-PSOLA).
///
/// Voiced stretches are cut into grains two pitch periods long (Hann-windowed, centred on pitch marks one period apart,
/// each set on the period's peak); the grains are laid down again `factor` times closer together, which raises the
/// pitch by that factor, and each output position takes the grain nearest to it, so the length is kept. Unvoiced
/// stretches (consonants, silence) are laid down where they were. The sum is divided by the windows' sum, and the
/// ends of the range are cross-faded into the untouched samples.
enum PitchShifter {
    /// Grain spacing in unvoiced stretches, in seconds.
    static let unvoicedSpacing = 0.005
    /// Cross-fade at each end of the range, in seconds.
    static let fade = 0.005

    /// Multiplies the pitch of `samples[range]` by `factor(position)`, where position runs from 0 at the start of the
    /// range to 1 at its end (1 leaves the pitch as it was).
    /// - Parameters:
    ///   - floor: RMS below which frames count as silence (unvoiced).
    /// - Complexity: O(range × lags / hop) for the pitch analysis, O(range) for the overlap-add.
    ///   - frequencies: the pitches the voice may have there (see ``PitchTracker/init(sampleRate:frequencies:)``).
    static func shift(_ samples: inout [Float], range: Range<Int>, sampleRate: Int, floor: Float,
                      frequencies: ClosedRange<Double> = PitchTracker.minFrequency...PitchTracker.maxFrequency,
                      factor: (Double) -> Double) {
        let range = range.clamped(to: 0..<samples.count)
        guard range.count > sampleRate / 50 else { return }
        let tracker = PitchTracker(sampleRate: sampleRate, frequencies: frequencies)
        let raw = tracker.periods(samples, in: range, floor: floor)
        // A 3-frame median smooths single-frame errors.
        let periods = raw.indices.map { index -> Double? in
            let neighbours = raw[max(0, index - 1)...min(raw.count - 1, index + 1)].compactMap { $0 }.sorted()
            return raw[index] == nil || neighbours.isEmpty ? nil : neighbours[neighbours.count / 2]
        }
        func period(at position: Int) -> Double? {
            let frame = (position - range.lowerBound) / tracker.hop
            return frame >= 0 && frame < periods.count ? periods[frame] : nil
        }

        // Analysis marks: one per period in voiced stretches, on the period's peak; evenly spaced elsewhere.
        let unvoiced = max(1, Int(unvoicedSpacing * Double(sampleRate)))
        var marks: [(position: Int, period: Int, voiced: Bool)] = []
        var position = range.lowerBound
        var lastVoiced = false
        while position < range.upperBound {
            guard let length = period(at: position) else {
                marks.append((position, unvoiced, false))
                position += unvoiced
                lastVoiced = false
                continue
            }
            let span = Int(length.rounded())
            let radius = lastVoiced ? span / 4 : span / 2
            let low = max(range.lowerBound, position - radius), high = min(range.upperBound - 1, position + radius)
            var peak = position
            if low <= high { peak = (low...high).max { samples[$0] < samples[$1] } ?? position }
            if let last = marks.last, peak <= last.position { peak = last.position + max(1, span / 2) }
            marks.append((peak, span, true))
            position = peak + span
            lastVoiced = true
        }
        guard !marks.isEmpty else { return }

        // Synthesis: grains from the nearest analysis mark, spaced by period / factor where voiced.
        var output = [Float](repeating: 0, count: range.count), weights = [Float](repeating: 0, count: range.count)
        var target = Double(range.lowerBound), nearest = 0
        while target < Double(range.upperBound) {
            let centre = Int(target.rounded())
            while nearest + 1 < marks.count, abs(marks[nearest + 1].position - centre) <= abs(marks[nearest].position - centre) {
                nearest += 1
            }
            let mark = marks[nearest]
            let half = mark.period
            for offset in -half..<half {
                let source = mark.position + offset, destination = centre + offset - range.lowerBound
                guard source >= 0, source < samples.count, destination >= 0, destination < output.count else { continue }
                let weight = 0.5 - 0.5 * cos(Float.pi * Float(offset + half) / Float(half))
                output[destination] += samples[source] * weight
                weights[destination] += weight
            }
            let scale = mark.voiced ? max(0.25, min(4, factor((target - Double(range.lowerBound)) / Double(range.count)))) : 1
            target += Double(half) / scale
        }
        let fadeLength = max(1, Int(fade * Double(sampleRate)))
        for index in range {
            let local = index - range.lowerBound
            guard weights[local] > 0.05 else { continue }
            let shifted = output[local] / weights[local]
            let edge = min(local, range.count - 1 - local)
            let mix = edge >= fadeLength ? 1 : Float(edge) / Float(fadeLength)
            samples[index] = samples[index] * (1 - mix) + shifted * mix
        }
    }
}
