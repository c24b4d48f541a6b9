import PhimCore
/// Limits for subtitle cues built from timed words.
public struct CueLayout: Sendable, Hashable {
    /// Most characters (grapheme clusters, spaces included) on one line; a longer single word gets a line of its own.
    public var maxCharactersPerLine: Int
    /// Most lines in one cue.
    public var maxLines: Int
    /// Longest time a cue stays on screen, in seconds (a single word spoken for longer keeps its own length).
    public var maxDuration: Double
    /// Shortest time a cue should stay on screen: short cues are merged with neighbours where the limits allow, and
    /// extended (never over the next cue) where they do not.
    public var minDuration: Double

    /// - Parameters:
    ///   - maxCharactersPerLine: e.g. 42 for 16:9 video, 32 for 9:16.
    ///   - maxLines: usually 2.
    ///   - maxDuration: seconds.
    ///   - minDuration: seconds.
    public init(maxCharactersPerLine: Int, maxLines: Int, maxDuration: Double = 6, minDuration: Double = 0.8) {
        self.maxCharactersPerLine = maxCharactersPerLine
        self.maxLines = maxLines
        self.maxDuration = maxDuration
        self.minDuration = minDuration
    }
}

/// Groups timed words into subtitle cues that read well.
///
/// Rules: a word is never split; cues always break at sentence ends and at pauses of a second or more, and prefer to
/// break after a comma, semicolon, colon or dash, or at a pause longer than 0.3 s; each cue fits ``CueLayout``'s
/// lines and duration; lines within a cue are balanced. Within those rules the fewest, fullest cues win (found by
/// dynamic programming over each sentence).
public enum SubtitleCueBuilder {
    /// Longest time a cue stays up after its last word ends (less when the next cue starts sooner).
    public static let maximumHold = 0.4
    /// A silence longer than this between words is a good place to break.
    public static let breakingPause = 0.3
    /// A silence this long always ends a cue.
    public static let forcedBreakPause = 1.0

    /// Cues for `words`, in order; every word with visible text lands in exactly one cue, in its ``SubtitleCue/words``.
    ///
    /// A cue starts at its first word's start and ends at its last word's end plus a hold of up to ``maximumHold``,
    /// extended towards ``CueLayout/minDuration`` if the cue is shorter, but never past the next cue's start or the
    /// layout's maximum duration. Its `text` is the words joined by spaces, lines by `\n`.
    /// - Parameters:
    ///   - words: timed words in speaking order (a ``SpeechClip``'s words); words with empty text are skipped.
    ///   - layout: line and duration limits (at least one line of one character).
    ///   - keepsTogether: whether two neighbouring words form one unit that a cue should not end between (a
    ///     Vietnamese two-syllable word such as `quy luật`); such breaks cost as much as one mid-phrase.
    /// - Complexity: O(n·k²) for n words and at most k words per cue.
    public static func cues(for words: [SpokenWord], layout: CueLayout,
                            keepsTogether: ((String, String) -> Bool)? = nil) -> [SubtitleCue] {
        let words = words.filter { !$0.text.allSatisfy(\.isWhitespace) }
        guard !words.isEmpty else { return [] }
        let layout = CueLayout(maxCharactersPerLine: max(1, layout.maxCharactersPerLine), maxLines: max(1, layout.maxLines),
                               maxDuration: max(0, layout.maxDuration), minDuration: max(0, layout.minDuration))
        let lengths = words.map(\.text.count)
        var groups: [Range<Int>] = []
        var sentenceStart = 0
        for index in words.indices where index == words.count - 1 || endsSentence(words, at: index) {
            groups += split(words, lengths: lengths, sentence: sentenceStart..<(index + 1), layout: layout,
                            keepsTogether: keepsTogether)
            sentenceStart = index + 1
        }
        // A cue whose next one starts no later than it does would last no time at all (words espeak gives no sound,
        // such as a run of dashes): it joins the next one.
        var merged: [Range<Int>] = []
        for group in groups {
            if let last = merged.last, words[group.lowerBound].start <= words[last.lowerBound].start + 0.001 {
                merged[merged.count - 1] = last.lowerBound..<group.upperBound
            } else {
                merged.append(group)
            }
        }
        groups = merged
        var cues: [SubtitleCue] = []
        for (number, group) in groups.enumerated() {
            let cueWords = Array(words[group])
            let lines = lineBreaks(lengths: Array(lengths[group]), words: cueWords, width: layout.maxCharactersPerLine,
                                   keepsTogether: keepsTogether)
            let text = lines.map { line in line.map { cueWords[$0].text }.joined(separator: " ") }.joined(separator: "\n")
            let start = cueWords.first!.start
            let lastEnd = max(start, cueWords.map(\.end).max()!)
            let nextStart = number + 1 < groups.count ? words[groups[number + 1].lowerBound].start : Double.infinity
            var end = lastEnd + min(maximumHold, max(0, nextStart - lastEnd))
            if end - start < layout.minDuration { end = max(end, min(start + layout.minDuration, nextStart)) }
            end = max(lastEnd, min(end, start + layout.maxDuration))
            end = max(start, min(end, nextStart))
            cues.append(SubtitleCue(start: start, end: end, text: text, words: cueWords))
        }
        return cues
    }

    // MARK: Breaking a sentence into cues

    /// Splits one sentence into cues with the least total cost (see ``cueCost``).
    private static func split(_ words: [SpokenWord], lengths: [Int], sentence: Range<Int>, layout: CueLayout,
                              keepsTogether: ((String, String) -> Bool)?) -> [Range<Int>] {
        // A long pause always ends a cue: split there first.
        var pieces: [Range<Int>] = []
        var pieceStart = sentence.lowerBound
        for index in sentence.dropLast() where words[index + 1].start - words[index].end >= forcedBreakPause {
            pieces.append(pieceStart..<(index + 1))
            pieceStart = index + 1
        }
        pieces.append(pieceStart..<sentence.upperBound)

        var result: [Range<Int>] = []
        for piece in pieces {
            let first = piece.lowerBound, count = piece.count
            // best[j]: cheapest way to cover words first..<first+j; from[j]: where its last cue starts.
            var best = [Double](repeating: .infinity, count: count + 1)
            var from = [Int](repeating: 0, count: count + 1)
            best[0] = 0
            for end in 1...count {
                var start = end - 1
                while start >= 0 {
                    let range = (first + start)..<(first + end)
                    guard range.count == 1 || fits(range, words: words, lengths: lengths, layout: layout) else { break }
                    let cost = best[start] + cueCost(range, words: words, lengths: lengths, layout: layout,
                                                     endsPiece: end == count, keepsTogether: keepsTogether)
                    if cost < best[end] {
                        best[end] = cost
                        from[end] = start
                    }
                    start -= 1
                }
            }
            var ranges: [Range<Int>] = []
            var end = count
            while end > 0 {
                ranges.append((first + from[end])..<(first + end))
                end = from[end]
            }
            result += ranges.reversed()
        }
        return result
    }

    /// Whether the words fit the layout's lines (greedy filling uses the fewest lines) and duration.
    private static func fits(_ range: Range<Int>, words: [SpokenWord], lengths: [Int], layout: CueLayout) -> Bool {
        guard words[range.upperBound - 1].end - words[range.lowerBound].start <= layout.maxDuration else { return false }
        var lines = 1, lineLength = 0
        for index in range {
            let length = lengths[index]
            if lineLength == 0 {
                lineLength = length
            } else if lineLength + 1 + length <= layout.maxCharactersPerLine {
                lineLength += 1 + length
            } else {
                // A word longer than a line starts a line here and pushes the next word to another.
                lines += 1
                lineLength = length
            }
        }
        return lines <= layout.maxLines
    }

    /// One cue's cost: 1 per cue (fewer, fuller cues read better), plus a penalty for breaking mid-phrase, for a cue
    /// shorter than the minimum duration, and a small one for an underfilled cue (so splits come out balanced).
    private static func cueCost(_ range: Range<Int>, words: [SpokenWord], lengths: [Int], layout: CueLayout,
                                endsPiece: Bool, keepsTogether: ((String, String) -> Bool)?) -> Double {
        var cost = 1.0
        let last = range.upperBound - 1
        if !endsPiece {
            if endsClause(words[last].text) || (last + 1 < words.count && isDash(words[last + 1].text)) {
                cost += 0
            } else if words[last + 1].start - words[last].end > breakingPause {
                cost += 0.2
            } else {
                cost += 3
            }
            if let keepsTogether, keepsTogether(words[last].text, words[last + 1].text) { cost += 3 }
        }
        if words[last].end - words[range.lowerBound].start < layout.minDuration { cost += 2 }
        let characters = range.reduce(-1) { $0 + lengths[$1] + 1 }
        let fill = min(1, Double(characters) / Double(layout.maxCharactersPerLine * layout.maxLines))
        cost += 0.5 * (1 - fill) * (1 - fill)
        return cost
    }

    // MARK: Lines within a cue

    /// Balanced lines: the fewest lines that fit, with the longest line as short as possible, except that a break after
    /// punctuation is worth a line up to a fifth of the width longer, and one inside a unit `keepsTogether` names costs as
    /// much. A word longer than the width gets a line of its own.
    /// - Returns: the word indices (into `words`) of each line.
    static func lineBreaks(lengths: [Int], words: [SpokenWord], width: Int,
                           keepsTogether: ((String, String) -> Bool)? = nil) -> [[Int]] {
        let count = lengths.count
        guard count > 1 else { return [Array(0..<count)] }
        func lineLength(_ range: Range<Int>) -> Int { range.reduce(-1) { $0 + lengths[$1] + 1 } }
        func allowed(_ range: Range<Int>) -> Bool { range.count == 1 || lineLength(range) <= width }
        // Fewest lines, by greedy filling.
        var lineCount = 1, current = 0
        for (index, length) in lengths.enumerated() {
            if index == 0 { current = length; continue }
            if current + 1 + length <= width { current += 1 + length } else {
                lineCount += 1
                current = length
            }
        }
        guard lineCount > 1 else { return [Array(0..<count)] }
        // score[l][j]: best (longest line, punctuation breaks) for the first j words on l lines.
        typealias Score = (longest: Int, bonus: Int)
        let breakWorth = Double(width) / 5
        func value(_ score: Score) -> Double { Double(score.longest) - breakWorth * Double(score.bonus) }
        func better(_ a: Score, _ b: Score) -> Bool {
            value(a) != value(b) ? value(a) < value(b) : a.longest < b.longest
        }
        var score = [[Score?]](repeating: [Score?](repeating: nil, count: count + 1), count: lineCount + 1)
        var from = [[Int]](repeating: [Int](repeating: 0, count: count + 1), count: lineCount + 1)
        score[0][0] = (0, 0)
        for line in 1...lineCount {
            for end in line...count {
                for start in (line - 1)..<end {
                    guard let previous = score[line - 1][start], allowed(start..<end) else { continue }
                    let breaksWell = end < count && endsClause(words[end - 1].text)
                    // Splitting a unit (a Vietnamese two-syllable word) costs what a good break earns.
                    let splitsUnit = end < count && keepsTogether?(words[end - 1].text, words[end].text) == true
                    let candidate = (max(previous.longest, lineLength(start..<end)),
                                     previous.bonus + (breaksWell ? 1 : 0) - (splitsUnit ? 1 : 0))
                    if score[line][end].map({ better(candidate, $0) }) ?? true {
                        score[line][end] = candidate
                        from[line][end] = start
                    }
                }
            }
        }
        guard score[lineCount][count] != nil else { return [Array(0..<count)] }
        var lines: [[Int]] = []
        var end = count
        for line in stride(from: lineCount, to: 0, by: -1) {
            let start = from[line][end]
            lines.append(Array(start..<end))
            end = start
        }
        return lines.reversed()
    }

    // MARK: Punctuation

    private static let closers: Set<Character> = ["\"", "'", "”", "’", "»", ")", "]", "}"]
    private static let sentenceEnders: Set<Character> = [".", "!", "?", "…", "。", "！", "？"]
    private static let clauseEnders: Set<Character> = [",", ";", ":", "–", "—", "，", "；", "："]
    /// Abbreviations whose period does not end a sentence (English and Vietnamese: `TP.` thành phố, `TS.` tiến sĩ).
    private static let abbreviations: Set<String> = ["mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.",
                                                     "no.", "tp.", "ts.", "ths.", "pgs.", "gs.", "q.", "p."]

    /// The token without trailing quotes and brackets.
    private static func core(_ text: String) -> Substring {
        var core = Substring(text)
        while let last = core.last, closers.contains(last), core.count > 1 { core.removeLast() }
        return core
    }

    /// Whether the sentence ends after word `index`: it ends with `.`, `!`, `?` or `…` (before closing quotes), is not
    /// a known abbreviation or an initial, and the next word (if any) does not start in lowercase.
    static func endsSentence(_ words: [SpokenWord], at index: Int) -> Bool {
        let text = words[index].text
        let core = core(text)
        guard let last = core.last, sentenceEnders.contains(last) else { return false }
        if last == "." {
            let lower = core.lowercased()
            if abbreviations.contains(lower) { return false }
            if core.count == 2, core.first!.isLetter, core.first!.isUppercase { return false }   // an initial: "J."
        }
        guard index + 1 < words.count, let next = words[index + 1].text.first(where: { !closers.contains($0) && $0 != "\"" && $0 != "“" && $0 != "‘" && $0 != "(" }) else { return true }
        return !next.isLowercase
    }

    /// Whether a phrase ends after this word (comma, semicolon, colon, dash).
    public static func endsClause(_ text: String) -> Bool {
        guard let last = core(text).last else { return false }
        return clauseEnders.contains(last) || sentenceEnders.contains(last)
    }

    private static func isDash(_ text: String) -> Bool { ["-", "–", "—"].contains(text) }
}
