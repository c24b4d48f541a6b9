/// A written token split into the punctuation around it and its core: `(50.000đ),` is `(`, `50.000đ` and `),`.
struct TokenParts: Sendable {
    /// Opening brackets and quotes.
    var leading: String
    /// The token without them (possibly empty, for a token of punctuation only such as `—`).
    var core: String
    /// Closing punctuation: full stops, commas, colons, closing brackets and quotes.
    var trailing: String

    static let leadingMarks: Set<Character> = ["(", "[", "{", "\"", "“", "‘", "«", "¿", "¡", "„", "<"]
    static let trailingMarks: Set<Character> = [".", ",", ";", ":", "!", "?", "…", ")", "]", "}", "\"", "'", "”", "’", "»", ">"]

    /// - Complexity: O(n) in the length of the token.
    init(_ token: String) {
        var core = Substring(token)
        let leadingEnd = core.firstIndex { !Self.leadingMarks.contains($0) } ?? core.endIndex
        leading = String(core[..<leadingEnd])
        core = core[leadingEnd...]
        var trailingStart = core.endIndex
        while trailingStart > core.startIndex {
            let before = core.index(before: trailingStart)
            guard Self.trailingMarks.contains(core[before]) else { break }
            trailingStart = before
        }
        trailing = String(core[trailingStart...])
        self.core = String(core[..<trailingStart])
    }

    /// Whether the trailing punctuation ends a sentence.
    var endsSentence: Bool { trailing.contains { $0 == "." || $0 == "!" || $0 == "?" || $0 == "…" } }
}

/// A neighbouring token, as a reader sees it.
struct Neighbor: Sendable {
    var parts: TokenParts
    /// The core in lower case, for matching words.
    var word: String

    init(_ parts: TokenParts) {
        self.parts = parts
        word = parts.core.lowercased()
    }

    /// Whether the token is a number (`12`, `-3,5`, `$5`, `10-20`) or a scale word after which units and currencies are
    /// read as such (`triệu`, `million`).
    var isQuantity: Bool {
        let core = parts.core
        if let index = core.firstIndex(where: \.isASCIIDigit) {
            return Self.quantityPrefixes.contains(String(core[..<index]))
        }
        return Self.scaleWords.contains(word)
    }

    /// Whether the token starts with a capital letter.
    var isCapitalized: Bool { parts.core.first?.isUppercase == true }

    static let quantityPrefixes: Set<String> = ["", "-", "−", "+", "$", "€", "£", "¥", "₫", "US$"]
    static let scaleWords: Set<String> = ["nghìn", "ngàn", "triệu", "tỷ", "tỉ", "trăm", "chục", "vạn", "hundred", "thousand",
                                          "million", "billion", "trillion", "dozen"]
}

/// What a language's reader sees of one token: its core and its neighbours.
struct TokenContext: Sendable {
    /// The token's core; when ``claimsFullStop`` it ends with the full stop that followed it (`etc.`, `TP.`).
    var core: String
    /// Whether the core includes a full stop taken from the trailing punctuation (tried first, for abbreviations).
    var claimsFullStop: Bool
    var previous: Neighbor?
    var beforePrevious: Neighbor?
    var next: Neighbor?
    /// Whether the token opens a sentence (it is the first, or the one before ended with `.`, `!`, `?`).
    var startsSentence: Bool
    /// Whether the token is one of a run of three or more words in capitals (a headline, not a row of acronyms).
    var inCapitalRun: Bool
    /// Whether an opening bracket precedes the core: `(2/9)` is a date.
    var opensBracket: Bool

    /// Whether the core is an ordinary word: letters only, none but the first a capital (`giá`, `Hà`, `market`).
    var isPlainWord: Bool {
        var first = true
        for character in core {
            guard character.isLetter, first || !character.isUppercase else { return false }
            first = false
        }
        return !core.isEmpty
    }

    /// The previous token's core in lower case, or "" at the start.
    var previousWord: String { previous?.word ?? "" }
    /// The next token's core in lower case, or "" at the end.
    var nextWord: String { next?.word ?? "" }
}

/// What a reader makes of a token: the words to say, replacing the core.
struct Reading: Sendable {
    var words: [String]
    /// Whether a claimed full stop also ends the sentence when the next token starts with a capital or there is none
    /// (`etc.`, `v.v.`, `Inc.`), so it is kept after the words.
    var mayEndSentence = false

    init(_ words: [String], mayEndSentence: Bool = false) {
        self.words = words
        self.mayEndSentence = mayEndSentence
    }
}

/// A language's rules for reading one token.
protocol TokenReader: Sendable {
    /// The words for the token in `context`, or `nil` to leave it as written.
    func read(_ context: TokenContext) -> Reading?
    /// Words for a unit, currency or `%` written after a number (`km`, `đ`, `USD`), or `nil` when it is none.
    /// - Parameters:
    ///   - singular: whether the number is exactly one (English units are then singular).
    func unitWords(_ unit: Substring, singular: Bool) -> [String]?
}
