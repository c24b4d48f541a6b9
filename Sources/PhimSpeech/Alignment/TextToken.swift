/// A whitespace-separated token of a text and where it lies in the text's Unicode scalars, which is how
/// espeak-ng counts positions in UTF-8 input (one count per code point, not per byte).
struct TextToken: Sendable, Hashable {
    /// The token as written.
    var text: String
    /// Offset of its first scalar (0-based).
    var scalarStart: Int
    /// Offset just past its last scalar.
    var scalarEnd: Int

    /// Splits `text` at whitespace (spaces, tabs, line breaks, no-break spaces).
    /// - Complexity: O(n) in the length of the text.
    static func split(_ text: String) -> [TextToken] {
        var tokens: [TextToken] = []
        var current = String.UnicodeScalarView()
        var start = 0
        var offset = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty {
                    tokens.append(TextToken(text: String(current), scalarStart: start, scalarEnd: offset))
                    current = String.UnicodeScalarView()
                }
            } else {
                if current.isEmpty { start = offset }
                current.append(scalar)
            }
            offset += 1
        }
        if !current.isEmpty { tokens.append(TextToken(text: String(current), scalarStart: start, scalarEnd: offset)) }
        return tokens
    }

    /// The index of the token that holds scalar `offset`, or of the next token when `offset` falls on whitespace;
    /// the last token for offsets past the end.
    /// - Complexity: O(log n) in the number of tokens.
    static func index(holding offset: Int, in tokens: [TextToken]) -> Int {
        var low = 0, high = tokens.count
        while low < high {
            let middle = (low + high) / 2
            if tokens[middle].scalarEnd <= offset { low = middle + 1 } else { high = middle }
        }
        return min(low, tokens.count - 1)
    }
}
