import Foundation
import PhimCore

/// Splits text into sentences.
///
/// A sentence ends at `.`, `!`, `?`, `…` or `...` (with any closing quotes or brackets after it) when whitespace and
/// then a capital letter, a digit or an opening quote follow. So these stay whole:
/// decimals and grouped numbers (`3.5`, `1.000.000`), abbreviations (`Mr.`, `Dr.`, `e.g.`, `U.S.`, `TS.`, `PGS.`,
/// `TP. Hồ Chí Minh`), initials (`J. K. Rowling`) and an ellipsis followed by a lowercase word.
/// A blank line always ends a sentence; single line breaks are spaces.
public struct SentenceSplitter: Sendable {
    public let language: ScriptLanguage

    public init(language: ScriptLanguage) {
        self.language = language
    }

    /// The sentences of `text`, trimmed, in NFC, in order.
    /// - Complexity: O(n) in the length of `text`.
    public func sentences(in text: String) -> [String] {
        var result: [String] = []
        for paragraph in text.nfc.components(separatedBy: "\n\n") {
            let flat = paragraph.split(whereSeparator: \.isNewline).joined(separator: " ")
            result += split(flat)
        }
        return result
    }

    private func split(_ text: String) -> [String] {
        let characters = Array(text)
        var sentences: [String] = []
        var start = 0
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard Self.terminators.contains(character) else { index += 1; continue }
            // The whole run of terminators and closing quotes: `?!`, `...`, `."`, `.)`.
            var end = index
            while end + 1 < characters.count, Self.terminators.contains(characters[end + 1]) { end += 1 }
            let isSingleFullStop = end == index && character == "."
            while end + 1 < characters.count, Self.closers.contains(characters[end + 1]) { end += 1 }
            if isBoundary(characters, terminatorAt: index, runEnd: end, isSingleFullStop: isSingleFullStop) {
                append(characters[start...end], to: &sentences)
                start = end + 1
            }
            index = end + 1
        }
        if start < characters.count { append(characters[start...], to: &sentences) }
        return sentences
    }

    private func append(_ slice: ArraySlice<Character>, to sentences: inout [String]) {
        let sentence = String(slice).collapsingWhitespace
        guard sentence.contains(where: { $0.isLetter || $0.isNumber }) else {
            // Stray punctuation: keep it on the sentence before.
            if !sentence.isEmpty, let last = sentences.popLast() { sentences.append(last + sentence) }
            return
        }
        sentences += Self.pieces(of: sentence)
    }

    /// The most words in one sentence: longer ones (a transcript without full stops, lines without punctuation) are
    /// narrated in pieces of at most this many words, cut after a comma, semicolon, colon or dash when one falls in
    /// the second half of a piece, else between words. No word is ever cut.
    public static let maxWords = 40

    /// `sentence` in pieces of at most ``maxWords`` words.
    /// - Complexity: O(n) in the length of the sentence.
    static func pieces(of sentence: String) -> [String] {
        let words = sentence.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count > maxWords else { return [sentence] }
        var pieces: [String] = []
        var start = 0
        while start < words.count {
            var end = min(start + maxWords, words.count)
            if end < words.count {
                // The last clause break in the second half of the window.
                for index in stride(from: end - 1, through: start + maxWords / 2, by: -1) {
                    if let last = words[index].last, [",", ";", ":", "–", "—"].contains(last) {
                        end = index + 1
                        break
                    }
                }
            }
            pieces.append(words[start..<end].joined(separator: " "))
            start = end
        }
        return pieces
    }

    private func isBoundary(_ characters: [Character], terminatorAt index: Int, runEnd end: Int, isSingleFullStop: Bool) -> Bool {
        // Whitespace must follow (or the text ends): `3.5`, `U.S.A`, `example.com` are not boundaries.
        guard end + 1 < characters.count else { return true }
        guard characters[end + 1].isWhitespace else { return false }
        // The next sentence starts with a capital letter, a digit or an opening quote before one.
        var next = end + 1
        while next < characters.count, characters[next].isWhitespace || Self.openers.contains(characters[next]) { next += 1 }
        guard next < characters.count else { return true }
        let first = characters[next]
        if first.isLowercase { return false }
        guard isSingleFullStop else { return true }
        // A full stop after an abbreviation or an initial does not end the sentence.
        var wordStart = index
        while wordStart > 0, !characters[wordStart - 1].isWhitespace, !Self.openers.contains(characters[wordStart - 1]) {
            wordStart -= 1
        }
        let word = String(characters[wordStart..<index])
        if word.isEmpty { return true }
        if word.count == 1, word.first!.isLetter { return false }               // J. K. Rowling, Q. 1
        if word.contains("."), word.allSatisfy({ $0.isLetter || $0 == "." }) { return false }  // U.S., e.g., a.m.
        let lower = word.lowercased()
        if Self.abbreviations.contains(lower) { return false }
        if Self.abbreviationsBeforeNumbers.contains(lower), first.isNumber { return false }
        return true
    }

    static let terminators: Set<Character> = [".", "!", "?", "…"]
    static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]", "»", "»"]
    static let openers: Set<Character> = ["\"", "'", "“", "‘", "(", "[", "«"]

    /// Lowercased words that end with a full stop without ending a sentence (English and Vietnamese).
    static let abbreviations: Set<String> = [
        // English titles and common abbreviations
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "gen", "gov", "sen", "rep", "lt", "col",
        "capt", "sgt", "rev", "hon", "inc", "ltd", "co", "corp", "dept", "univ", "approx", "est", "cf", "al", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu",
        "fri", "sat", "sun",
        // Vietnamese: degrees and titles, places, publishers
        "ts", "ths", "pgs", "gs", "bs", "ks", "ls", "ns", "nxb", "tp", "tt", "tx", "q", "p", "h", "ubnd", "hđnd",
        "đhqg", "tr",
    ]

    /// Abbreviations that do not end a sentence when a number follows (`No. 5`, `tr. 12`, `p. 3`).
    static let abbreviationsBeforeNumbers: Set<String> = ["no", "nos", "pp", "vol", "ch", "fig", "art", "số", "kh"]
}
