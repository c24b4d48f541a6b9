import PhimSubtitles

/// A text as written and as a voice should say it, with the mapping between the two, token by token.
///
/// Tokens are whitespace-separated, as ``TextToken/split(_:)`` splits them. Every written token became a run of spoken
/// tokens (`spoken`); the runs follow one another in order and together cover every spoken token. A run is empty only
/// for a token whose reading was said by a neighbour: the later groups of a number written with spaces (`1 000 000`,
/// read "một triệu" as a whole by its first token).
public struct NormalizedText: Sendable, Hashable {
    /// One written token and the spoken tokens it became.
    public struct Token: Sendable, Hashable {
        /// The token as written (NFC), punctuation included.
        public var written: String
        /// Indices into ``NormalizedText/spokenTokens``.
        public var spoken: Range<Int>

        public init(written: String, spoken: Range<Int>) {
            self.written = written
            self.spoken = spoken
        }
    }

    /// The written tokens, in order, each with its spoken run.
    public var tokens: [Token]
    /// The spoken tokens, in order; punctuation attached to a written token stays on the last token it became.
    public var spokenTokens: [String]
    /// The spoken tokens joined by the whitespace that separated their written tokens (one space inside a run), so
    /// line breaks and paragraphs survive; ``TextToken/split(_:)`` splits it into exactly ``spokenTokens``.
    public var spokenText: String

    public init(tokens: [Token], spokenTokens: [String], spokenText: String) {
        self.tokens = tokens
        self.spokenTokens = spokenTokens
        self.spokenText = spokenText
    }

    /// The written tokens, in order.
    public var writtenTokens: [String] { tokens.map(\.written) }

    /// Timed written words from timed spoken words: each written token lasts from the start of the first spoken token
    /// it became to the end of the last. A token with an empty run takes no time, at the end of the word before it.
    /// - Parameters:
    ///   - spokenWords: one timed word per spoken token, in order (as a synthesizer times ``spokenText``).
    /// - Returns: one ``SpokenWord`` per written token, carrying the written text; in order if `spokenWords` are.
    /// - Complexity: O(n) in the number of tokens.
    public func writtenWords(timedBy spokenWords: [SpokenWord]) -> [SpokenWord] {
        precondition(spokenWords.count == spokenTokens.count, "one timed word per spoken token")
        var words: [SpokenWord] = []
        words.reserveCapacity(tokens.count)
        var previousEnd = spokenWords.first?.start ?? 0
        for token in tokens {
            if let first = token.spoken.first, let last = token.spoken.last {
                words.append(SpokenWord(text: token.written, start: spokenWords[first].start, end: spokenWords[last].end))
                previousEnd = spokenWords[last].end
            } else {
                words.append(SpokenWord(text: token.written, start: previousEnd, end: previousEnd))
            }
        }
        return words
    }
}
