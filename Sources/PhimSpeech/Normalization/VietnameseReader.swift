import Foundation

/// Vietnamese rules for one token; see ``TextNormalizer`` for the conventions.
struct VietnameseReader: TokenReader {
    private typealias Numbers = VietnameseNumberReader
    private typealias Lexicon = VietnameseLexicon

    private let web = WebAddress(dot: "chấm", at: "a còng", underscore: "gạch dưới", dash: "gạch ngang") { label in
        // Two-letter country codes are spelled (`vn` → "vê en"); other labels are said as written.
        label.count <= 2 && label.allSatisfy(\.isLetter) ? VietnameseReader.spelled(label.uppercased()) : [label]
    }

    func read(_ context: TokenContext) -> Reading? {
        let core = context.core
        if let words = abbreviation(context) { return Reading(words, mayEndSentence: core.hasPrefix("v.v")) }
        // Only abbreviations take the full stop that follows them.
        guard !context.claimsFullStop else { return nil }
        // Most tokens are plain words: only a unit after a number can change them.
        if context.isPlainWord { return unitAfterNumber(context).map { Reading($0) } }
        if let words = web.read(core) ?? time(core) ?? timeRange(context) ?? date(context) ?? ordinal(context) ?? quantity(context)
            ?? unitAfterNumber(context) ?? fraction(core) ?? acronym(core) {
            return Reading(words)
        }
        return core == "&" ? Reading(["và"]) : nil
    }

    func unitWords(_ unit: Substring, singular: Bool) -> [String]? {
        (Lexicon.units[String(unit)] ?? Lexicon.currencies[String(unit)]).map { $0.split(separator: " ").map(String.init) }
    }

    // MARK: Abbreviations and acronyms

    /// `UBND`, `TP.`, `v.v.`, and titles or places joined by full stops: `PGS.TS.`, `TP.HCM`, `Q.1`.
    private func abbreviation(_ context: TokenContext) -> [String]? {
        let core = context.core
        if var expansion = Lexicon.abbreviations[core] {
            // "TP. HCM" is the city's name: "Thành phố Hồ Chí Minh".
            if expansion == "thành phố" && context.next?.parts.core == "HCM" {
                expansion = expansion.prefix(1).uppercased() + expansion.dropFirst()
            }
            return [expansion]
        }
        guard core.contains("."), core.count <= 40 else { return nil }
        let pieces = core.split(separator: ".", omittingEmptySubsequences: false)
        var words: [String] = []
        var afterAbbreviation = false
        for (index, piece) in pieces.enumerated() {
            let isLast = index == pieces.count - 1
            if piece.isEmpty {
                // Only a final full stop that belongs to the abbreviation before it.
                guard isLast, afterAbbreviation, index > 0 else { return nil }
            } else if let expansion = Lexicon.abbreviations[piece + "."] ?? (isLast ? Lexicon.abbreviations[String(piece)] : nil) {
                words.append(expansion)
                afterAbbreviation = true
            } else if afterAbbreviation, piece.count <= 4, piece.allSatisfy(\.isASCIIDigit) {
                words += Numbers.cardinal(piece)
                afterAbbreviation = false
            } else {
                return nil
            }
        }
        return words.count >= 2 ? words : nil
    }

    /// Acronyms: word-like ones as said (`NATO` → "Na tô"), others spelled (`GDP` → "gờ đê pê"); letters with digits
    /// run by run (`U23` → "u hai mươi ba", `COVID-19` → "Cô vít mười chín", `5G` → "năm gờ").
    private func acronym(_ core: String) -> [String]? {
        if let word = Lexicon.wordAcronyms[core] { return [word] }
        if let runs = WrittenForms.letterDigitRuns(core) {
            return runs.flatMap { run in
                run.isDigits ? Numbers.cardinal(run.text) : Lexicon.wordAcronyms[run.text].map { [$0] } ?? Self.spelled(run.text)
            }
        }
        guard WrittenForms.isCapitalWord(core), core.count <= 7, core.allSatisfy({ Lexicon.letterNames[$0] != nil }),
              !Lexicon.isPlausibleSyllable(Self.withoutMarks(core)) else { return nil }
        return Self.spelled(core)
    }

    /// Vietnamese letter names of a run of capitals.
    static func spelled(_ letters: String) -> [String] {
        letters.map { VietnameseLexicon.letterNames[$0] ?? String($0) }
    }

    /// The letters without tone and vowel marks (`HÔM` → `HOM`), keeping `Đ`.
    private static func withoutMarks(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    // MARK: Times and dates

    /// `8h30` → "tám giờ ba mươi phút", `20h` → "hai mươi giờ", `8:30` → "tám giờ ba mươi phút", `8g30`, `7:05:30`.
    private func time(_ core: String) -> [String]? {
        guard let separatorIndex = core.firstIndex(where: { !$0.isASCIIDigit }), separatorIndex > core.startIndex,
              core.distance(from: core.startIndex, to: separatorIndex) <= 2,
              let hour = Int(core[..<separatorIndex]) else { return nil }
        let separator = core[separatorIndex]
        guard separator == "h" || separator == "g" || separator == ":" else { return nil }
        var rest = core[core.index(after: separatorIndex)...]
        if separator != ":" {
            for ending in ["ph", "p", "'"] where rest.hasSuffix(ending) && rest.count > ending.count {
                rest = rest.dropLast(ending.count)
                break
            }
        }
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false)
        if rest.isEmpty {
            // `8h` (also a duration: `48h`); `8g` alone is 8 grams, `8:` nothing.
            guard separator == "h" else { return nil }
            return Numbers.cardinal(hour) + ["giờ"]
        }
        guard hour <= 24, fields.count <= (separator == ":" ? 2 : 1),
              fields.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) && Int($0)! < 60 }) else { return nil }
        let minutes = Int(fields[0])!, seconds = fields.count > 1 ? Int(fields[1])! : 0
        var words = Numbers.cardinal(hour) + ["giờ"]
        if minutes > 0 { words += Numbers.cardinal(minutes) + ["phút"] }
        if seconds > 0 { words += Numbers.cardinal(seconds) + ["giây"] }
        return words
    }

    /// `8h30-9h` → "từ tám giờ ba mươi phút đến chín giờ" ("từ" as for other ranges).
    private func timeRange(_ context: TokenContext) -> [String]? {
        guard let dash = context.core.firstIndex(where: { $0 == "-" || $0 == "–" }),
              let start = time(String(context.core[..<dash])),
              let end = time(String(context.core[context.core.index(after: dash)...])) else { return nil }
        return (Lexicon.rangeOpeners.contains(context.previousWord) ? [] : ["từ"]) + start + ["đến"] + end
    }

    /// Dates, day first: `12/3/2024`, `12-3-2024`, `12.3.2024`, ISO `2024-03-12`, `tháng 3/2024`, and `2/9` after a
    /// word such as "ngày", "sáng", "từ" or inside brackets.
    private func date(_ context: TokenContext) -> [String]? {
        let core = context.core
        let previous = context.previousWord
        if let parts = WrittenForms.numericParts(core, separator: "-"), parts.count == 3, parts[0].digits == 4 {
            return dayMonth(parts[2].value, parts[1].value, year: parts[0].value, after: previous)
        }
        for separator: Character in ["/", "-", "."] {
            guard let parts = WrittenForms.numericParts(core, separator: separator) else { continue }
            if parts.count == 3, parts[0].digits <= 2, parts[1].digits <= 2, parts[2].digits == 2 || parts[2].digits == 4 {
                return dayMonth(parts[0].value, parts[1].value, year: parts[2].value, after: previous)
            }
            guard separator == "/", parts.count == 2, parts[0].digits <= 2 else { continue }
            if parts[1].digits == 4, (1000...2999).contains(parts[1].value) {
                let (first, year) = (parts[0].value, Numbers.cardinal(parts[1].value))
                if previous == "quý", (1...4).contains(first) { return Numbers.cardinal(first) + ["năm"] + year }
                guard (1...12).contains(first) else { return nil }
                return (previous == "tháng" ? [] : ["tháng"]) + Numbers.month(first) + ["năm"] + year
            }
            let introduced = Lexicon.dateWords.contains(previous) || context.opensBracket
                || context.beforePrevious?.word == "thứ" || (context.beforePrevious?.word == "chủ" && previous == "nhật")
            if parts[1].digits <= 2, introduced { return dayMonth(parts[0].value, parts[1].value, year: nil, after: previous) }
        }
        return nil
    }

    /// "ngày 12 tháng 3 năm 2024" in words, without "ngày" after "ngày", "mùng", "hôm"; `nil` for an impossible date.
    private func dayMonth(_ day: Int, _ month: Int, year: Int?, after previous: String) -> [String]? {
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
        var words = Lexicon.dayWords.contains(previous) ? [] : ["ngày"]
        words += Numbers.cardinal(day) + ["tháng"] + Numbers.month(month)
        if let year { words += ["năm"] + Numbers.cardinal(year) }
        return words
    }

    /// After "thứ" (thứ 1 → thứ nhất, lần thứ 4 → lần thứ tư, thứ II → thứ hai) and Roman centuries (thế kỷ XXI).
    private func ordinal(_ context: TokenContext) -> [String]? {
        let core = context.core
        switch context.previousWord {
        case "thứ":
            if core.count <= 3, core.first != "0", core.allSatisfy(\.isASCIIDigit), let value = Int(core) {
                return Numbers.ordinal(value)
            }
            return WrittenForms.romanValue(core).map(Numbers.ordinal)
        case "kỷ", "kỉ":
            return WrittenForms.romanValue(core).map(Numbers.cardinal)
        default:
            return nil
        }
    }

    // MARK: Numbers, money and units

    /// Numbers with what surrounds them in the token: `-3,5`, `45%`, `50.000đ`, `$5`, `10-20km`, `50k`, `2.5`.
    private func quantity(_ context: TokenContext) -> [String]? {
        guard let quantity = WrittenForms.quantity(context.core, symbols: Lexicon.currencySymbols.map(\.symbol)),
              let first = WrittenNumber.parse(quantity.first, thousands: ".", decimal: ",") else { return nil }
        var after: [String] = []
        if !quantity.suffix.isEmpty {
            let suffix = String(quantity.suffix)
            if let words = Lexicon.scaleSuffixes[suffix] ?? Lexicon.units[suffix] ?? Lexicon.currencies[suffix] {
                after.append(words)
            } else if let words = perUnit(quantity.suffix) {
                after += words
            } else {
                return nil
            }
        }
        if let symbol = quantity.currencySymbol, let words = Lexicon.currencySymbols.first(where: { $0.symbol == symbol })?.words {
            after.append(words)
        }
        var words = quantity.negative ? ["âm"] : []
        words += Numbers.read(first)
        if let secondLiteral = quantity.second {
            guard let second = WrittenNumber.parse(secondLiteral, thousands: ".", decimal: ",") else { return nil }
            // A score (thắng 2-1) is read as two numbers; a range as "(từ) … đến …".
            if after.isEmpty, let low = first.integerValue, let high = second.integerValue, high < low, !quantity.negative {
                return words + Numbers.read(second)
            }
            let introduced = Lexicon.rangeOpeners.contains(context.previousWord)
            words = (introduced ? [] : ["từ"]) + words + ["đến"] + Numbers.read(second)
        }
        return words + after
    }

    /// A unit or currency written as its own token: after a number (`5 km`, `50.000 đ`) or, for currency codes and
    /// compound units, anywhere (`đồng USD`, `km/h`).
    private func unitAfterNumber(_ context: TokenContext) -> [String]? {
        let core = context.core
        let afterNumber = context.previous?.isQuantity == true
        if let currency = Lexicon.currencies[core], afterNumber || core.count >= 3 { return [currency] }
        if let unit = Lexicon.units[core], afterNumber || core.contains(where: { "/²³°%".contains($0) }) { return [unit] }
        return afterNumber ? perUnit(Substring(core)) : nil
    }

    /// A rate written with a slash after an amount: `đồng/lít` → "đồng một lít", `%/năm` → "phần trăm một năm",
    /// `đ/kg` → "đồng một ki lô gam". Each side is a unit, a currency or a word in lower case.
    private func perUnit(_ text: Substring) -> [String]? {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        func said(_ part: Substring) -> String? {
            let key = String(part)
            if let words = Lexicon.units[key] ?? Lexicon.currencies[key] { return words }
            return (1...12).contains(part.count) && part.allSatisfy({ $0.isLetter && $0.isLowercase }) ? key : nil
        }
        guard let per = said(text[..<slash]), let unit = said(text[text.index(after: slash)...]) else { return nil }
        return [per, "một", unit]
    }

    /// `1/3` → "một phần ba" (and the set phrase `24/7` → "hai mươi tư trên bảy").
    private func fraction(_ core: String) -> [String]? {
        guard let parts = WrittenForms.numericParts(core, separator: "/"), parts.count == 2,
              parts[0].digits <= 3, parts[1].digits <= 3, parts[1].value > 0 else { return nil }
        let word = parts[0].value == 24 && parts[1].value == 7 ? "trên" : "phần"
        return Numbers.cardinal(parts[0].value) + [word] + Numbers.cardinal(parts[1].value)
    }
}
