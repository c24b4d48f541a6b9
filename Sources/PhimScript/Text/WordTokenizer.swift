import Foundation
import PhimCore

/// Splits text into words: lowercased, in NFC, without punctuation.
///
/// Vietnamese is written one syllable per space-separated word, so a Vietnamese "word" here is a syllable
/// (`học`, `máy`); ``KeywordExtractor`` joins frequent syllable pairs (`học máy`) into compounds.
/// Numbers stay whole: `3.5`, `1.000.000` and `2,5` are one word each.
public struct WordTokenizer: Sendable {
    public let language: ScriptLanguage

    public init(language: ScriptLanguage) {
        self.language = language
    }

    /// Every word of `text`, lowercased, in order.
    public func words(in text: String) -> [String] {
        tokens(in: text).map(\.normalized)
    }

    /// The words of `text` that carry meaning: no stopwords (per language), no numbers, no single letters.
    public func contentWords(in text: String) -> [String] {
        tokens(in: text).filter(isContent).map(\.normalized)
    }

    /// `true` for a lowercased word in this language's stopword list.
    public func isStopword(_ word: String) -> Bool {
        switch language {
        case .english: Stopwords.english.contains(word)
        case .vietnamese: Stopwords.vietnamese.contains(word) || Stopwords.english.contains(word) && word.allSatisfy(\.isASCII)
                && !Stopwords.vietnameseUnmarkedContent.contains(word)
        }
    }

    /// `true` when a token is a content word (see ``contentWords(in:)``).
    func isContent(_ token: Token) -> Bool {
        !token.isNumber && token.normalized.count > 1 && !isStopword(token.normalized)
    }

    /// A word as written, its lowercased form, and whether punctuation separates it from the word before.
    struct Token: Sendable, Equatable {
        /// The word as written (original case and marks), in NFC.
        var text: String
        /// Lowercased `text`.
        var normalized: String
        /// A number such as `40`, `3.5` or `1.000.000`.
        var isNumber: Bool
        /// Punctuation (or the start of the text) comes between this token and the one before.
        var breakBefore: Bool
        /// Where the token is in the text it came from (which was normalised to NFC first).
        var range: Range<String.Index>
    }

    /// Splits NFC text into tokens. Apostrophes between letters stay (`don't`); `.` and `,` between digits stay.
    func tokens(in text: String) -> [Token] {
        let text = text.nfc
        var tokens: [Token] = []
        var index = text.startIndex
        var sawBreak = true
        while index < text.endIndex {
            let character = text[index]
            if !Self.isWordCharacter(character) {
                if !character.isWhitespace { sawBreak = true }
                index = text.index(after: index)
                continue
            }
            let start = index
            var allDigits = true
            var end = index
            while end < text.endIndex {
                let current = text[end]
                if Self.isWordCharacter(current) {
                    if !current.isNumber { allDigits = false }
                    end = text.index(after: end)
                    continue
                }
                // Keep `.`/`,` between digits (3.5, 1.000.000) and apostrophes between letters (don't, O’Neil).
                let next = text.index(after: end)
                guard next < text.endIndex, end > start else { break }
                let before = text[text.index(before: end)], after = text[next]
                if (current == "." || current == ","), before.isNumber, after.isNumber, allDigits {
                    end = next
                } else if (current == "'" || current == "’"), before.isLetter, after.isLetter {
                    end = next
                } else {
                    break
                }
            }
            let word = String(text[start..<end])
            tokens.append(Token(text: word, normalized: word.lowercased(), isNumber: allDigits, breakBefore: sawBreak,
                                range: start..<end))
            sawBreak = false
            index = end
        }
        return tokens
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }
}

/// Words too common to say what a sentence is about.
enum Stopwords {
    static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "almost", "also", "although", "always", "am", "among",
        "an", "and", "another", "any", "are", "aren't", "around", "as", "at", "be", "because", "been", "before", "being",
        "below", "between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
        "does", "doesn't", "doing", "don't", "down", "during", "each", "either", "else", "enough", "even", "ever",
        "every", "few", "for", "from", "further", "get", "gets", "got", "had", "hadn't", "has", "hasn't", "have",
        "haven't", "having", "he", "he's", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
        "i", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "least", "less",
        "let", "let's", "like", "made", "make", "makes", "many", "may", "me", "might", "more", "most", "much", "must",
        "my", "myself", "neither", "never", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one", "only",
        "or", "other", "others", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps", "quite", "rather",
        "really", "same", "say", "says", "said", "see", "she", "she's", "should", "shouldn't", "since", "so", "some",
        "still", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there",
        "there's", "these", "they", "they're", "this", "those", "though", "through", "thus", "to", "too", "under",
        "until", "up", "upon", "us", "use", "used", "uses", "using", "very", "via", "was", "wasn't", "we", "we're",
        "well", "were", "weren't", "what", "what's", "when", "where", "whether", "which", "while", "who", "whom",
        "whose", "why", "will", "with", "within", "without", "won't", "would", "wouldn't", "yet", "you", "you're",
        "your", "yours", "yourself", "yourselves", "new", "way", "ways", "thing", "things", "lot", "lots", "able",
        "across", "already", "along", "anything", "something", "nothing", "everything", "instead", "whose", "become",
        "becomes", "became", "year", "years", "today", "day", "days", "first", "second", "two", "three", "four", "five",
        "six", "seven", "eight", "nine", "ten", "percent", "cent", "thousand", "million", "billion", "trillion",
        "around", "about", "roughly", "nearly", "approximately", "e.g", "i.e", "etc",
        // Generic verbs and adjectives: they link sentences without saying what they are about.
        "whole", "small", "large", "big", "main", "single", "typical", "little", "long", "short", "high", "low", "lower",
        "higher", "good", "better", "best", "great", "old", "real", "full", "certain", "common", "different", "early",
        "late", "possible", "simple", "sure", "important", "several", "various", "keep", "keeps", "kept", "turn", "turns",
        "turned", "reach", "reaches", "reached", "come", "comes", "coming", "came", "go", "goes", "going", "went", "take",
        "takes", "took", "give", "gives", "gave", "need", "needs", "want", "wants", "know", "knows", "think", "look",
        "looks", "find", "finds", "found", "put", "puts", "seem", "seems", "help", "helps", "show", "shows", "try",
        "tries", "begin", "begins", "start", "starts", "end", "ends", "mean", "means", "lets", "set", "sets", "call",
        "called", "tell", "tells", "ask", "asks", "feel", "feels", "become", "part", "parts", "kind", "kinds", "number",
        "since", "ago", "next", "last", "again", "especially", "usually", "often", "sometimes", "today's",
    ]

    /// Vietnamese function syllables (conjunctions, prepositions, pronouns, particles, auxiliaries, classifiers):
    /// never a keyword, never part of a compound keyword.
    static let vietnameseFunction: Set<String> = [
        "và", "của", "là", "các", "những", "được", "có", "cho", "với", "trong", "một", "này", "đó", "khi", "đã", "sẽ",
        "đang", "không", "chưa", "thì", "mà", "để", "từ", "theo", "như", "về", "cũng", "rất", "nhiều", "hơn", "nhất",
        "vào", "nên", "nếu", "vì", "do", "bởi", "tại", "trên", "dưới", "giữa", "sau", "trước", "qua", "đến", "tới",
        "hoặc", "nhưng", "còn", "chỉ", "đều", "vẫn", "nó", "họ", "chúng", "ta", "tôi", "bạn", "mình", "ai", "gì", "nào",
        "đâu", "sao", "thế", "vậy", "đây", "kia", "ấy", "rằng", "bị", "bằng", "cùng", "lên", "xuống", "vừa", "mới",
        "luôn", "cả", "mọi", "mỗi", "từng", "cái", "chiếc", "việc", "sự", "nhờ", "lúc", "nơi", "ở", "hết", "rồi", "nữa",
        "thêm", "khoảng", "gần", "trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "hai", "ba", "bốn", "sáu", "bảy", "tám",
        "chín", "mười", "nhé", "ạ", "à", "ơi", "quá", "lắm", "hãy", "đừng", "cần", "phải", "muốn", "nhau", "chứ",
        "tuy", "dù", "song", "vốn", "đối", "ngoài", "gồm", "hay", "lại", "ra", "thật", "so", "đạt", "chiếm",
    ]

    /// Vietnamese syllables that say little alone but begin or end compounds (`thành phố`, `phần mềm`, `con người`):
    /// not keywords by themselves, allowed in a compound with a content syllable.
    static let vietnameseWeak: Set<String> = [
        "thành", "làm", "phần", "điều", "cách", "chính", "trở", "năm", "ngày", "tháng", "khác", "thể", "đi", "con",
        "người", "ông", "bà", "anh", "chị", "em", "bao", "tính", "hiện", "nay", "cao", "lớn", "nhỏ", "tốt",
    ]

    static let vietnamese = vietnameseFunction.union(vietnameseWeak)

    /// ASCII words that are English stopwords but Vietnamese content syllables, kept in Vietnamese text.
    static let vietnameseUnmarkedContent: Set<String> = ["an", "me", "to", "no", "do", "my"]
}
