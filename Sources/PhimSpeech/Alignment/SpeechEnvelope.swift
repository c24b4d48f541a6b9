/// The short-time loudness of a mono signal and where its sound starts and stops: the basis for placing word
/// onsets on the audio rather than trusting an engine's event times.
///
/// Frames are `hop` samples apart; frame `k` measures the RMS of the `window` samples centred on sample `k * hop`.
/// A frame is loud when its RMS reaches ``threshold``: 40 dB below the loudest frame, and well above the noise floor.
struct SpeechEnvelope {
    let sampleRate: Int
    let hop: Int
    let window: Int
    let threshold: Float
    /// RMS per frame.
    private(set) var rms: [Float]
    /// Consecutive quiet frames ending at each frame (0 for a loud frame).
    private var quietRun: [Int32]
    /// Loud frames before each frame (`frameCount + 1` entries).
    private var loudBefore: [Int32]
    private let samples: [Float]

    /// Quiet time that makes a pause: an onset after at least this much quiet is a word start.
    static let onsetQuiet = 0.050
    /// A word's sound ends before the next word when at least this much quiet separates them.
    static let endQuiet = 0.040

    /// - Complexity: O(n) in the number of samples, plus O(f log f) in the number of frames for the noise floor.
    init(samples: [Float], sampleRate: Int, hopSeconds: Double = 0.002, windowSeconds: Double = 0.010) {
        self.samples = samples
        self.sampleRate = sampleRate
        hop = max(1, Int((hopSeconds * Double(sampleRate)).rounded()))
        window = max(2, Int((windowSeconds * Double(sampleRate)).rounded()))
        // Running sums of squares make every window O(1).
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for (index, sample) in samples.enumerated() { prefix[index + 1] = prefix[index] + Double(sample * sample) }
        let frameCount = samples.isEmpty ? 0 : (samples.count - 1) / hop + 1
        var rms = [Float](repeating: 0, count: frameCount)
        for frame in 0..<frameCount {
            let centre = frame * hop
            let low = max(0, centre - window / 2), high = min(samples.count, centre + window / 2)
            if high > low { rms[frame] = Float(((prefix[high] - prefix[low]) / Double(high - low)).squareRoot()) }
        }
        let peak = rms.max() ?? 0
        var floor: Float = 0
        if !rms.isEmpty {
            let sorted = rms.sorted()
            floor = sorted[sorted.count / 10]
        }
        threshold = max(peak * 0.01, floor * 4, 1e-5)
        var quietRun = [Int32](repeating: 0, count: frameCount)
        var loudBefore = [Int32](repeating: 0, count: frameCount + 1)
        var run: Int32 = 0
        for frame in 0..<frameCount {
            let loud = rms[frame] >= threshold
            run = loud ? 0 : run + 1
            quietRun[frame] = run
            loudBefore[frame + 1] = loudBefore[frame] + (loud ? 1 : 0)
        }
        self.rms = rms
        self.quietRun = quietRun
        self.loudBefore = loudBefore
    }

    var frameCount: Int { rms.count }
    func isLoud(_ frame: Int) -> Bool { rms[frame] >= threshold }
    func frame(atSample sample: Int) -> Int { min(max(0, (sample + hop / 2) / hop), max(0, frameCount - 1)) }
    func samples(_ seconds: Double) -> Int { Int((seconds * Double(sampleRate)).rounded()) }

    /// The first sample of sound, or `nil` for a silent signal.
    var soundStart: Int? {
        guard let first = rms.firstIndex(where: { $0 >= threshold }) else { return nil }
        return preciseOnset(frame: first)
    }

    /// The sample just after the last sound, or `nil` for a silent signal.
    var soundEnd: Int? {
        guard let last = rms.lastIndex(where: { $0 >= threshold }) else { return nil }
        return min(samples.count, last * hop + hop / 2)
    }

    /// The onset nearest `estimate` that follows a pause (at least ``onsetQuiet`` of quiet, or the start of the
    /// signal), searching `radius` seconds either side but only strictly between `lowerBound` and `upperBound`.
    /// - Returns: the sample where the sound starts, or `nil` when no onset after a pause lies in range.
    /// - Complexity: O(radius) frames.
    func onsetAfterPause(near estimate: Int, radius: Double, lowerBound: Int, upperBound: Int) -> Int? {
        guard frameCount > 0 else { return nil }
        let reach = samples(radius)
        let first = frame(atSample: max(estimate - reach, lowerBound + 1))
        let last = frame(atSample: min(estimate + reach, upperBound - 1))
        guard first <= last else { return nil }
        let quietFrames = Int32(max(1, Int((Self.onsetQuiet * Double(sampleRate)).rounded()) / hop))
        var best: Int?
        for frame in first...last where isLoud(frame) {
            let quietBefore = frame == 0 ? Int32.max : quietRun[frame - 1]
            guard quietBefore >= quietFrames || quietBefore == Int32(frame) else { continue }
            let onset = preciseOnset(frame: frame)
            guard onset > lowerBound, onset < upperBound else { continue }
            if best.map({ abs(onset - estimate) < abs($0 - estimate) }) ?? true { best = onset }
        }
        return best
    }

    /// Where the sound that starts at or after `start` stops before `next`: the end of the last loud frame when at least
    /// ``endQuiet`` of quiet follows it before `next`, else `next` itself (the words run together). With no sound at all
    /// in between, `start`.
    /// - Complexity: O(quiet frames before `next`).
    func soundEnd(from start: Int, before next: Int) -> Int {
        guard frameCount > 0, next > start else { return start }
        // Only frames whose window closes before `next`: later ones already hear the next word.
        let firstFrame = frame(atSample: start)
        var last = min(frameCount - 1, (next - 1 - window / 2) / hop)
        guard last >= firstFrame else { return next }
        while last >= firstFrame, !isLoud(last) { last -= 1 }
        guard last >= firstFrame else { return start }
        let end = min(next, max(start, last * hop + window / 2))
        return next - end >= samples(Self.endQuiet) ? end : next
    }

    /// Seconds of sound (loud frames) before `sample`: a clock that stops during pauses, so that two readings of a text
    /// with different pause lengths can be compared.
    func soundingSeconds(before sample: Int) -> Double {
        let frame = min(max(0, (sample + hop - 1) / hop), frameCount)
        return Double(loudBefore[frame]) * Double(hop) / Double(sampleRate)
    }

    /// Where the sounding clock passes `seconds`: the sample of the first loud frame after that much sound (so a time
    /// that falls in a pause maps to the pause's end, where the next sound starts).
    /// - Complexity: O(log frames).
    func sample(whereSoundingReaches seconds: Double) -> Int {
        let count = Int32(max(0, (seconds * Double(sampleRate) / Double(hop)).rounded(.down)))
        var low = 0, high = frameCount
        while low < high {
            let middle = (low + high) / 2
            if loudBefore[middle + 1] > count { high = middle } else { low = middle + 1 }
        }
        return min(low * hop, samples.count)
    }

    /// Seconds of sound in the whole signal.
    var soundingSeconds: Double { Double(loudBefore.last ?? 0) * Double(hop) / Double(sampleRate) }

    /// Quiet stretches of at least `minimum` seconds between sounds (leading and trailing quiet excluded).
    /// - Returns: pairs of samples: where the quiet starts and where the next sound starts.
    func pauses(minimum: Double) -> [(start: Int, end: Int)] {
        let minimumFrames = max(1, samples(minimum) / hop)
        var result: [(Int, Int)] = []
        var seenSound = false
        var quietStart: Int?
        for frame in 0..<frameCount {
            if isLoud(frame) {
                if let begin = quietStart, seenSound, frame - begin >= minimumFrames {
                    result.append((begin * hop, preciseOnset(frame: frame)))
                }
                quietStart = nil
                seenSound = true
            } else if quietStart == nil {
                quietStart = frame
            }
        }
        return result
    }

    /// The first sample in loud frame `frame`'s window whose magnitude reaches the threshold.
    private func preciseOnset(frame: Int) -> Int {
        let centre = frame * hop
        let low = max(0, centre - window / 2), high = min(samples.count, centre + window / 2)
        var index = low
        while index < high {
            if abs(samples[index]) >= threshold { return index }
            index += 1
        }
        return centre
    }
}
