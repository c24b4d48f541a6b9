import Foundation
import PhimCore

/// A number worth showing on screen: a percentage, an amount of money, a count with a magnitude word
/// (`3 triệu`, `1.5 million`) or a measure (`5 GW`). A year standing alone (`in 2020`) is not a figure.
public struct Figure: Sendable, Hashable {
    /// A few words near the number naming what it measures (`households`, `dân số`), as written; the figure's text
    /// when none is found.
    public var label: String
    /// The number with its magnitude applied: `3 triệu` is 3,000,000, `40%` is 40, `2,5 tỷ đồng` is 2,500,000,000.
    public var value: Double
    /// `%`, a currency code (`USD`, `VND`, `EUR`, `GBP`, `JPY`) or a unit as written (`GW`, `km`); `nil` for a count.
    public var unit: String?
    /// The figure as written: `40%`, `3 triệu`, `2,5 tỷ đồng`, `$120`, `1.5 million`.
    public var text: String

    public init(label: String, value: Double, unit: String?, text: String) {
        self.label = label
        self.value = value
        self.unit = unit
        self.text = text
    }
}

/// Finds ``Figure``s in text.
public struct FigureExtractor: Sendable {
    public let language: ScriptLanguage

    public init(language: ScriptLanguage) {
        self.language = language
    }

    /// The figures in `text`, in order, without repeats.
    ///
    /// Numbers are read by language: in Vietnamese `1.000.000` is a million and `2,5` is two and a half; in English
    /// `1,000,000` is a million and `1.5` one and a half. A group separator followed by three digits is read as a
    /// thousands separator in both. Numbers written as words (`ba triệu`, `two million`) are not found.
    public func figures(in text: String) -> [Figure] {
        let text = text.nfc
        let characters = Array(text)
        var figures: [Figure] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isNumber, characters[index].isASCII else { index += 1; continue }
            // Numbers glued to letters (`COVID-19`, `H2O`, `4K`) are names, not figures.
            if index > 0, characters[index - 1].isLetter || characters[index - 1] == "-" && index > 1 && characters[index - 2].isLetter {
                index = skipNumber(characters, from: index)
                continue
            }
            let numberEnd = skipNumber(characters, from: index)
            if let figure = figure(characters, numberStart: index, numberEnd: numberEnd), !figures.contains(figure) {
                figures.append(figure)
            }
            index = numberEnd
        }
        return figures
    }

    // MARK: Reading one figure

    private func skipNumber(_ characters: [Character], from start: Int) -> Int {
        var end = start
        while end < characters.count {
            if characters[end].isNumber && characters[end].isASCII {
                end += 1
            } else if (characters[end] == "." || characters[end] == ","), end + 1 < characters.count,
                      characters[end + 1].isNumber, characters[end + 1].isASCII {
                end += 1
            } else {
                break
            }
        }
        return end
    }

    private func figure(_ characters: [Character], numberStart: Int, numberEnd: Int) -> Figure? {
        guard var value = Self.number(String(characters[numberStart..<numberEnd]), language: language) else { return nil }
        var start = numberStart
        var cursor = numberEnd
        var unit: String?
        var isFigure = false

        // A currency before the number: `$120`, `US$ 5`, `€30`, `USD 120`.
        let before = String(characters[max(0, numberStart - 4)..<numberStart])
        for (symbol, code) in Self.currencyPrefixes where before.hasSuffix(symbol) || before.hasSuffix(symbol + " ") {
            unit = code
            start = numberStart - symbol.count - (before.hasSuffix(symbol + " ") ? 1 : 0)
            isFigure = true
            break
        }

        if cursor < characters.count, characters[cursor].isLetter {
            // Letters glued to the number: `$2m`, `$3bn`, `5GW`, `50.000đ`; anything else (`3D`, `5G`, `2nd`) is a name.
            if unit != nil, let (multiplier, after) = gluedMagnitude(characters, at: cursor) {
                value *= multiplier
                cursor = after
            } else if let (name, after) = Self.unit(after: characters, at: cursor) {
                unit = name
                isFigure = true
                cursor = after
            } else if let (code, after) = currencySuffix(characters, at: cursor) {
                unit = code
                isFigure = true
                cursor = after
            } else {
                return nil
            }
        } else if cursor < characters.count, characters[cursor] == "%" {
            unit = "%"
            isFigure = true
            cursor += 1
        } else if let after = matchPhrase(Self.percentWords, characters, at: cursor) {
            unit = "%"
            isFigure = true
            cursor = after
        } else {
            if let (multiplier, after) = magnitude(characters, at: cursor) {
                value *= multiplier
                isFigure = true
                cursor = after
            }
            if unit == nil, let (code, after) = currencySuffix(characters, at: cursor) {
                unit = code
                isFigure = true
                cursor = after
            } else if unit == nil, let (name, after) = Self.unit(after: characters, at: cursor) {
                unit = name
                isFigure = true
                cursor = after
            }
        }
        guard isFigure else { return nil }

        let text = String(characters[start..<cursor]).trimmed
        let label = label(characters, figureStart: start, figureEnd: cursor)
        return Figure(label: label.isEmpty ? text : label, value: value, unit: unit, text: text)
    }

    /// Reads a number as written in `language` (see ``figures(in:)``).
    static func number(_ text: String, language: ScriptLanguage) -> Double? {
        let dots = text.filter { $0 == "." }.count, commas = text.filter { $0 == "," }.count
        func isGrouped(_ separator: Character) -> Bool {
            let parts = text.split(separator: separator, omittingEmptySubsequences: false)
            return parts.count > 1 && parts.first!.count <= 3 && parts.dropFirst().allSatisfy { $0.count == 3 && !$0.contains(where: { !$0.isNumber }) }
        }
        var plain: String
        switch (dots, commas) {
        case (0, 0):
            plain = text
        case (_, 0) where dots > 1 || language == .vietnamese && isGrouped("."):
            plain = text.replacingOccurrences(of: ".", with: "")
        case (_, 0):
            plain = text
        case (0, _) where commas > 1 || language == .english && isGrouped(","):
            plain = text.replacingOccurrences(of: ",", with: "")
        case (0, _):
            plain = text.replacingOccurrences(of: ",", with: ".")
        default:
            // Both: the last one is the decimal mark (`1.234,5` or `1,234.5`).
            let lastDot = text.lastIndex(of: ".")!, lastComma = text.lastIndex(of: ",")!
            if lastDot > lastComma {
                plain = text.replacingOccurrences(of: ",", with: "")
            } else {
                plain = text.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
            }
        }
        if plain.hasSuffix(".") { plain.removeLast() }
        return Double(plain)
    }

    /// Matches one of `phrases` (lowercased, space-separated words) at `position` (after one optional space),
    /// ending at a word boundary; returns the position after it.
    private func matchPhrase(_ phrases: [String], _ characters: [Character], at position: Int) -> Int? {
        var at = position
        if at < characters.count, characters[at] == " " { at += 1 }
        for phrase in phrases {
            let candidate = Array(phrase)
            guard at + candidate.count <= characters.count else { continue }
            let slice = String(characters[at..<(at + candidate.count)]).lowercased()
            guard slice == phrase else { continue }
            let after = at + candidate.count
            if after < characters.count, characters[after].isLetter { continue }
            return after
        }
        return nil
    }

    private func magnitude(_ characters: [Character], at position: Int) -> (Double, Int)? {
        for (phrase, multiplier) in Self.magnitudes {
            if let after = matchPhrase([phrase], characters, at: position) { return (multiplier, after) }
        }
        return nil
    }

    /// Magnitudes glued to an amount of money: `$5k`, `$2m`, `$3bn`, `€1B`.
    private func gluedMagnitude(_ characters: [Character], at position: Int) -> (Double, Int)? {
        var stop = position
        while stop < characters.count, characters[stop].isLetter { stop += 1 }
        switch String(characters[position..<stop]).lowercased() {
        case "k": return (1e3, stop)
        case "m", "mn": return (1e6, stop)
        case "b", "bn": return (1e9, stop)
        case "tn": return (1e12, stop)
        default: return nil
        }
    }

    private func currencySuffix(_ characters: [Character], at position: Int) -> (String, Int)? {
        for (phrase, code) in Self.currencySuffixes {
            if let after = matchPhrase([phrase], characters, at: position) { return (code, after) }
        }
        return nil
    }

    private static func unit(after characters: [Character], at position: Int) -> (String, Int)? {
        var at = position
        if at < characters.count, characters[at] == " " { at += 1 }
        var stop = at
        while stop < characters.count, characters[stop].isLetter || characters[stop] == "²" || characters[stop] == "°" { stop += 1 }
        guard stop > at else { return nil }
        let word = String(characters[at..<stop])
        return units.contains(word) ? (word, stop) : nil
    }

    // MARK: Labels

    /// The words that say what a figure measures: the noun right after it (`40% of households`, `3 triệu người`,
    /// `40% dân số`), else the content words just before it in the same clause (`doanh thu tăng 25%`).
    private func label(_ characters: [Character], figureStart: Int, figureEnd: Int) -> String {
        let tokenizer = WordTokenizer(language: language)
        let maxWords = language == .vietnamese ? 4 : 2
        /// A word that can be part of a label; `weak` also accepts Vietnamese syllables that only make sense in a
        /// compound (`người`, `chính` in `độ chính xác`).
        func isLabelWord(_ token: WordTokenizer.Token, weak: Bool) -> Bool {
            guard !token.isNumber, token.normalized.count > 1, !Self.figureWords.contains(token.normalized),
                  !Self.figureVerbs.contains(token.normalized) else { return false }
            if weak, language == .vietnamese, Stopwords.vietnameseWeak.contains(token.normalized) { return true }
            return !tokenizer.isStopword(token.normalized)
        }
        func isLabelWord(_ token: WordTokenizer.Token) -> Bool { isLabelWord(token, weak: false) }

        // After: the noun right after the figure.
        var cursor = figureEnd
        while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
        if cursor < characters.count, characters[cursor].isLetter {
            let after = tokenizer.tokens(in: String(characters[cursor...].prefix(80)))
            var index = 0
            if index < after.count, Self.connectors.contains(after[index].normalized) { index += 1 }
            if index < after.count, index == 0 || !after[index].breakBefore, Self.articles.contains(after[index].normalized) {
                index += 1
            }
            var words: [String] = []
            while index < after.count, words.count < maxWords, index == 0 || !after[index].breakBefore, isLabelWord(after[index], weak: true) {
                words.append(after[index].text)
                index += 1
            }
            if !words.isEmpty { return words.joined(separator: " ") }
        }

        // Before: the content words nearest the figure in its clause, else in the clause before (`xuất khẩu đạt
        // 4 tỷ USD, tăng 25%`), never across the end of a sentence.
        var beforeText = String(characters[..<figureStart].suffix(160))
        if let sentenceEnd = beforeText.ranges(of: #/[.!?…]["”')\]]*\s/#).last {
            beforeText = String(beforeText[sentenceEnd.upperBound...])
        }
        let before = tokenizer.tokens(in: beforeText)
        var clauses: [ArraySlice<WordTokenizer.Token>] = []
        var clauseStart = 0
        for (index, token) in before.enumerated() where token.breakBefore && index > clauseStart {
            clauses.append(before[clauseStart..<index])
            clauseStart = index
        }
        if clauseStart < before.count { clauses.append(before[clauseStart...]) }
        for clause in clauses.reversed().prefix(2) {
            // The nearest label word, past the figure's own words, numbers and verbs; then the words just before it.
            guard let last = clause.lastIndex(where: isLabelWord) else { continue }
            var words: [String] = []
            var position = last
            while position >= clause.startIndex, words.count < maxWords, isLabelWord(clause[position], weak: !words.isEmpty) {
                words.insert(clause[position].text, at: 0)
                position -= 1
            }
            return words.joined(separator: " ")
        }
        return ""
    }

    // MARK: Word lists

    static let currencyPrefixes: [(String, String)] = [("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"),
                                                       ("USD", "USD"), ("VND", "VND"), ("EUR", "EUR")]
    static let currencySuffixes: [(String, String)] = [
        ("đồng", "VND"), ("vnd", "VND"), ("vnđ", "VND"), ("đ", "VND"), ("usd", "USD"), ("đô la mỹ", "USD"), ("đô la", "USD"),
        ("dollars", "USD"), ("dollar", "USD"), ("euros", "EUR"), ("euro", "EUR"), ("€", "EUR"),
        ("eur", "EUR"), ("pounds", "GBP"), ("yen", "JPY"), ("yên", "JPY"), ("$", "USD"),
    ]
    static let percentWords = ["phần trăm", "percent", "per cent"]
    /// Longest first, so that `nghìn tỷ` wins over `nghìn`.
    static let magnitudes: [(String, Double)] = [
        ("nghìn tỷ", 1e12), ("ngàn tỷ", 1e12), ("nghìn tỉ", 1e12), ("ngàn tỉ", 1e12), ("trillion", 1e12), ("billion", 1e9),
        ("million", 1e6), ("thousand", 1e3), ("nghìn", 1e3), ("ngàn", 1e3), ("triệu", 1e6), ("tỷ", 1e9), ("tỉ", 1e9),
        ("bn", 1e9),
    ]
    static let units: Set<String> = [
        "GW", "MW", "kW", "W", "kWh", "MWh", "GWh", "TWh", "km", "m", "cm", "mm", "kg", "g", "tấn", "tons", "tonnes",
        "ha", "m²", "km²", "°C", "°F", "GB", "TB", "MB", "Mbps", "Gbps", "lít", "litres", "liters", "mph",
        "watts", "kilowatts", "megawatts", "gigawatts", "kilometres", "kilometers", "kilograms", "hectares", "héc-ta",
    ]
    /// Words that belong to figures (magnitudes, currencies, units), never labels.
    static let figureWords: Set<String> = {
        var words: Set<String> = ["%"]
        for (phrase, _) in magnitudes { words.formUnion(phrase.split(separator: " ").map(String.init)) }
        for (phrase, _) in currencySuffixes { words.formUnion(phrase.split(separator: " ").map(String.init)) }
        for (symbol, _) in currencyPrefixes { words.insert(symbol.lowercased()) }
        for word in percentWords { words.formUnion(word.split(separator: " ").map(String.init)) }
        words.formUnion(units.map { $0.lowercased() })
        return words
    }()

    /// Words between a figure and its noun: `40% of households`, `40% của dân số`.
    static let connectors: Set<String> = ["of", "của", "among"]
    static let articles: Set<String> = ["the", "all", "các", "những", "toàn", "a", "an"]
    /// Verbs that sit next to figures but do not name what they measure.
    static let figureVerbs: Set<String> = [
        "reached", "reach", "reaches", "rose", "rise", "rises", "grew", "grow", "grows", "fell", "fall", "falls",
        "increased", "decreased", "dropped", "cost", "costs", "account", "accounts", "accounted", "hit", "hits", "totalled",
        "totaled", "totals", "topped", "exceeded", "tăng", "giảm", "đạt", "chiếm", "lên", "xuống", "khoảng", "gần", "hơn",
        "trên", "dưới", "nearly", "almost", "over", "under", "about", "around", "roughly", "approximately", "some",
        "fallen", "risen", "grown", "climbed", "jumped", "doubled", "tripled", "declined", "surged", "passed", "expected",
        "forecast", "estimated", "projected", "vượt", "tới", "đến", "dự", "báo", "ước", "tính", "ít", "nhất", "least",
    ]
}
