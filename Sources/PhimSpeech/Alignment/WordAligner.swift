import PhimSubtitles
/// An engine's report that a word starts: where in the text (scalar offset, 0-based) and at which sample.
struct WordMark: Sendable, Hashable {
    var scalarOffset: Int
    var sample: Int
}

/// Turns an engine's word events into one timed word per token of the text, placed on the audio.
///
/// Engines split some tokens into several events (`1234`, `e.g.`), give none for others (a lone dash), and time
/// their events by the phoneme stream rather than the sound. The aligner keeps, per token, the earliest event that is
/// in order with its neighbours, interpolates the rest by text length, then moves each onset that follows a pause to
/// where the sound actually starts, and ends each word where its sound stops.
enum WordAligner {
    /// How far from an estimate an onset is looked for, in seconds.
    static let searchRadius = 0.120

    /// When an engine says a token was spoken, in seconds from the start of its waveform.
    struct Span: Sendable, Hashable {
        var start: Double
        var end: Double
    }

    /// One timed word per token from the spans an engine reported (nil for tokens it said nothing for, such as a
    /// lone dash: they are placed between their neighbours by text length). Onsets after a pause then move to where
    /// the sound starts, ends stay where the engine put them when that is before the next word, and every word gets at
    /// least 10 ms (silence is added at the end if the clip is too short for that, as when only punctuation was given).
    /// - Parameters:
    ///   - spans: one per token.
    ///   - samples: the waveform; may grow.
    /// - Complexity: O(n + samples).
    static func timedWords(tokens: [TextToken], spans: [Span?], samples: inout [Float], sampleRate: Int) -> [SpokenWord] {
        guard !tokens.isEmpty else { return [] }
        let rate = Double(sampleRate)
        let envelope = SpeechEnvelope(samples: samples, sampleRate: sampleRate)
        let marks = tokens.indices.compactMap { index in
            spans[index].map { WordMark(scalarOffset: tokens[index].scalarStart, sample: Int(($0.start * rate).rounded())) }
        }
        let onsets = estimatedOnsets(tokens: tokens, marks: marks, soundStart: envelope.soundStart ?? 0,
                                                 soundEnd: envelope.soundEnd ?? samples.count)
        let aligned = words(tokens: tokens, onsets: onsets, envelope: envelope, sampleCount: samples.count)
        var starts = aligned.map { Int(($0.start * rate).rounded()) }
        var ends = aligned.map { Int(($0.end * rate).rounded()) }
        // The engine's ends, where it gave them, between the word's start and the next word's.
        for index in tokens.indices {
            guard let span = spans[index] else { continue }
            let next = index + 1 < tokens.count ? starts[index + 1] : samples.count
            let end = min(Int((span.end * rate).rounded()), next)
            if end > starts[index] { ends[index] = end }
        }
        let minimum = max(1, sampleRate / 100)
        for index in tokens.indices.dropFirst() { starts[index] = max(starts[index], starts[index - 1] + minimum) }
        if starts[tokens.count - 1] + minimum > samples.count {
            samples += [Float](repeating: 0, count: starts[tokens.count - 1] + minimum - samples.count)
        }
        return tokens.indices.map { index in
            let next = index + 1 < tokens.count ? starts[index + 1] : samples.count
            let end = min(max(ends[index], starts[index] + minimum), next)
            return SpokenWord(text: tokens[index].text, start: Double(starts[index]) / rate, end: Double(end) / rate)
        }
    }

    /// One onset estimate (a sample) per token.
    /// - Parameters:
    ///   - marks: word events in the order the engine gave them.
    ///   - soundStart: where the audio's first sound starts (tokens before the first event start here).
    ///   - soundEnd: where the audio's last sound ends (tokens after the last event are spread up to here).
    /// - Complexity: O(m log m + n) for m marks and n tokens.
    static func estimatedOnsets(tokens: [TextToken], marks: [WordMark], soundStart: Int, soundEnd: Int) -> [Int] {
        guard !tokens.isEmpty else { return [] }
        var known = [Int?](repeating: nil, count: tokens.count)
        for mark in marks {
            let index = TextToken.index(holding: mark.scalarOffset, in: tokens)
            let sample = min(max(mark.sample, soundStart), max(soundStart, soundEnd))
            known[index] = min(known[index] ?? sample, sample)
        }
        // Keep the longest run of estimates that never goes back in time; the others are misplaced events.
        let indices = known.indices.filter { known[$0] != nil }
        let kept = Set(longestNonDecreasing(indices.map { known[$0]! }).map { indices[$0] })
        for index in indices where !kept.contains(index) { known[index] = nil }

        // Text position of each token start (scalars, counting one separator), for interpolation.
        var position = [Int](repeating: 0, count: tokens.count + 1)
        for (index, token) in tokens.enumerated() {
            position[index + 1] = position[index] + (token.scalarEnd - token.scalarStart) + 1
        }
        var onsets = [Int](repeating: 0, count: tokens.count)
        var leftIndex = -1, leftTime = soundStart
        var index = 0
        while index < tokens.count {
            if let time = known[index] {
                onsets[index] = time
                leftIndex = index
                leftTime = time
                index += 1
                continue
            }
            // A run of tokens without events: spread them between the anchors either side.
            var rightIndex = index
            while rightIndex < tokens.count, known[rightIndex] == nil { rightIndex += 1 }
            let rightTime = rightIndex < tokens.count ? known[rightIndex]! : max(soundEnd, leftTime)
            let leftPosition = leftIndex >= 0 ? position[leftIndex] : 0
            let rightPosition = rightIndex < tokens.count ? position[rightIndex] : position[tokens.count]
            let span = Double(max(1, rightPosition - leftPosition))
            for filled in index..<rightIndex {
                let fraction = Double(position[filled] - leftPosition) / span
                onsets[filled] = leftTime + Int((Double(rightTime - leftTime) * fraction).rounded())
            }
            index = rightIndex
        }
        return onsets
    }

    /// Timed words from onset estimates: onsets after a pause move to where the sound starts; each word ends where
    /// its sound stops, or at the next word's start when they run together.
    /// - Parameters:
    ///   - onsets: one estimate per token, in samples, not decreasing.
    ///   - radius: how far (seconds) to look for the real onset.
    /// - Complexity: O(n + samples) overall.
    static func words(tokens: [TextToken], onsets: [Int], envelope: SpeechEnvelope, sampleCount: Int,
                      radius: Double = searchRadius) -> [SpokenWord] {
        precondition(tokens.count == onsets.count)
        var starts: [Int] = []
        starts.reserveCapacity(tokens.count)
        var previous = -1
        for index in tokens.indices {
            let estimate = min(max(onsets[index], previous), sampleCount)
            // Only onsets nearer this word's estimate than its neighbours' are its own.
            let lower = index > 0 ? max(previous, (onsets[index - 1] + estimate) / 2) : previous
            let upper = index + 1 < tokens.count ? max((estimate + onsets[index + 1]) / 2, estimate + 1) : sampleCount + 1
            let refined = envelope.onsetAfterPause(near: estimate, radius: radius, lowerBound: lower, upperBound: upper)
            let start = max(refined ?? estimate, max(previous, 0))
            starts.append(start)
            previous = start
        }
        let rate = Double(envelope.sampleRate)
        return tokens.indices.map { index in
            let next = index + 1 < tokens.count ? starts[index + 1] : sampleCount
            let end = envelope.soundEnd(from: starts[index], before: next)
            return SpokenWord(text: tokens[index].text, start: Double(starts[index]) / rate, end: Double(end) / rate)
        }
    }

    /// Indices (into `values`) of a longest non-decreasing subsequence, in order.
    /// - Complexity: O(n log n).
    static func longestNonDecreasing(_ values: [Int]) -> [Int] {
        guard !values.isEmpty else { return [] }
        var tails: [Int] = []          // index of the smallest tail value of each length
        var parent = [Int](repeating: -1, count: values.count)
        for (index, value) in values.enumerated() {
            // First length whose tail is greater than `value` (upper bound keeps equal values together).
            var low = 0, high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if values[tails[middle]] <= value { low = middle + 1 } else { high = middle }
            }
            if low > 0 { parent[index] = tails[low - 1] }
            if low == tails.count { tails.append(index) } else { tails[low] = index }
        }
        var result: [Int] = []
        var cursor = tails.last!
        while cursor >= 0 {
            result.append(cursor)
            cursor = parent[cursor]
        }
        return result.reversed()
    }
}
