/// A number as written, once its separators have been understood in the text's language.
enum WrittenNumber: Sendable, Hashable {
    /// Digits of an integer, separators removed (`1.000.000` in Vietnamese, `1,000,000` in English).
    case integer(String)
    /// An integer part and the digits after the decimal separator (`3,5` in Vietnamese, `3.5` in English).
    case decimal(integer: String, fraction: String)
    /// Digit runs joined by dots that are not thousands groups, in a language whose decimal separator is not the dot:
    /// `2.5`, `17.2.1` (a version) or `0912.345.678` (a phone number) in Vietnamese.
    case dotted([String])

    /// The digits of the integer part.
    var integerDigits: String {
        switch self {
        case .integer(let digits): digits
        case .decimal(let integer, _): integer
        case .dotted(let parts): parts.first ?? ""
        }
    }

    /// The value when it is a whole number that fits an `Int` (at most 18 digits).
    var integerValue: Int? {
        guard case .integer(let digits) = self, digits.count <= 18 else { return nil }
        return Int(digits)
    }

    /// Whether it is exactly one (a unit is then singular in English).
    var isOne: Bool { integerValue == 1 }

    /// Reads `literal` (digits, `.` and `,` only, starting and ending with a digit).
    /// - Parameters:
    ///   - thousands: the language's thousands separator (`.` in Vietnamese, `,` in English).
    ///   - decimal: its decimal separator (`,` in Vietnamese, `.` in English).
    /// - Returns: the number, or `nil` when the separators make no sense (`1,5` in English, `1,2,3` in Vietnamese).
    /// - Complexity: O(n) in the length of the literal.
    static func parse(_ literal: Substring, thousands: Character, decimal: Character) -> WrittenNumber? {
        guard let first = literal.first, first.isASCIIDigit, literal.last?.isASCIIDigit == true else { return nil }
        let decimalCount = literal.reduce(0) { $0 + ($1 == decimal ? 1 : 0) }
        let thousandsCount = literal.reduce(0) { $0 + ($1 == thousands ? 1 : 0) }
        if decimalCount == 0 && thousandsCount == 0 { return .integer(String(literal)) }
        if decimalCount == 1 {
            let separator = literal.firstIndex(of: decimal)!
            let fraction = literal[literal.index(after: separator)...]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit),
                  let integer = groupedInteger(literal[..<separator], thousands: thousands) else { return nil }
            return .decimal(integer: integer, fraction: String(fraction))
        }
        guard decimalCount == 0 else { return nil }
        if let integer = groupedInteger(literal, thousands: thousands) { return .integer(integer) }
        // A thousands separator that is a dot but does not group by three: a decimal point, a version, a phone number.
        guard thousands == "." else { return nil }
        let parts = literal.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        return .dotted(parts.map(String.init))
    }

    /// Digits of `text` when it is plain digits or digits grouped by three with `thousands` (first group 1 to 3
    /// digits, not starting with 0).
    private static func groupedInteger(_ text: Substring, thousands: Character) -> String? {
        let groups = text.split(separator: thousands, omittingEmptySubsequences: false)
        guard groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        if groups.count == 1 { return String(text) }
        guard (1...3).contains(groups[0].count), groups[0].first != "0",
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        return groups.joined()
    }
}

/// Scanning helpers for written forms: number literals, quantities, Roman numerals.
enum WrittenForms {
    /// The longest prefix of `text` that is a number literal (digits with `.` or `,` between digits), and the rest.
    /// - Complexity: O(n) in the length of the prefix.
    static func numberPrefix(_ text: Substring) -> (literal: Substring, rest: Substring)? {
        guard text.first?.isASCIIDigit == true else { return nil }
        var end = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isASCIIDigit {
                index = text.index(after: index)
                end = index
            } else if character == "." || character == "," {
                let next = text.index(after: index)
                guard next < text.endIndex, text[next].isASCIIDigit else { break }
                index = next
            } else {
                break
            }
        }
        return (text[..<end], text[end...])
    }

    /// A quantity as written in one token: an optional currency symbol, sign, number, optional range to a second
    /// number, and what follows (a unit, `%`, a currency, a scale letter), e.g. `$5.20`, `-3,5°C`, `10–20km`, `50.000đ`.
    struct Quantity {
        var currencySymbol: String?
        var negative = false
        var first: Substring
        var second: Substring?
        var suffix: Substring
    }

    /// Splits a token into a ``Quantity``, or `nil` when it does not start (after a symbol and sign) with a digit.
    /// - Parameters:
    ///   - symbols: currency symbols the language knows, longest first (`US$` before `$`).
    static func quantity(_ token: String, symbols: [String]) -> Quantity? {
        var text = Substring(token)
        var symbol: String?
        if let known = symbols.first(where: { text.hasPrefix($0) }) {
            symbol = known
            text = text.dropFirst(known.count)
        }
        var negative = false
        if let sign = text.first, sign == "-" || sign == "−", text.dropFirst().first?.isASCIIDigit == true {
            negative = true
            text = text.dropFirst()
        }
        guard let (first, afterFirst) = numberPrefix(text) else { return nil }
        var second: Substring?
        var suffix = afterFirst
        if let dash = afterFirst.first, dash == "-" || dash == "–", let (literal, rest) = numberPrefix(afterFirst.dropFirst()) {
            second = literal
            suffix = rest
        }
        return Quantity(currencySymbol: symbol, negative: negative, first: first, second: second, suffix: suffix)
    }

    /// Parts of a date or time written with one separator: `12/3/2024` gives `[12, 3, 2024]` for `/`.
    /// - Returns: the integer parts (each 1 to 4 digits) and their digit counts, or `nil`.
    static func numericParts(_ text: String, separator: Character) -> [(value: Int, digits: Int)]? {
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3 else { return nil }
        var values: [(Int, Int)] = []
        for part in parts {
            guard (1...4).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = Int(part) else { return nil }
            values.append((value, part.count))
        }
        return values
    }

    /// The value of a Roman numeral written in canonical form (`XXI` → 21, `IV` → 4), 1...3999; `nil` otherwise.
    static func romanValue(_ text: String) -> Int? {
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
        guard !text.isEmpty, text.count <= 15 else { return nil }
        var total = 0
        let numerals = Array(text)
        for index in numerals.indices {
            guard let value = values[numerals[index]] else { return nil }
            if index + 1 < numerals.count, let next = values[numerals[index + 1]], next > value { total -= value } else { total += value }
        }
        guard (1...3999).contains(total), roman(total) == text else { return nil }
        return total
    }

    /// `value` in canonical Roman numerals.
    private static func roman(_ value: Int) -> String {
        let table: [(Int, String)] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                                      (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var rest = value, result = ""
        for (amount, numeral) in table {
            while rest >= amount { result += numeral; rest -= amount }
        }
        return result
    }

    /// Whether `text` is letters only, at least two, all capitals (`GDP`, `ĐH`, `NASA`).
    static func isCapitalWord(_ text: some StringProtocol) -> Bool {
        var count = 0
        for character in text {
            guard character.isLetter, character.isUppercase else { return false }
            count += 1
        }
        return count >= 2
    }

    /// Runs of capital letters and of digits in a token such as `U23`, `5G`, `H5N1`, `COVID-19` (hyphens separate
    /// runs); `nil` unless it has both letters and digits, only capitals, and at most 12 characters.
    static func letterDigitRuns(_ text: String) -> [(isDigits: Bool, text: String)]? {
        guard text.count <= 12, text.first != "-", text.last != "-" else { return nil }
        var runs: [(Bool, String)] = []
        var hasLetters = false, hasDigits = false
        for character in text {
            if character == "-" {
                runs.append((false, ""))
                continue
            }
            let isDigit = character.isASCIIDigit
            guard isDigit || (character.isLetter && character.isUppercase) else { return nil }
            if isDigit { hasDigits = true } else { hasLetters = true }
            if let last = runs.last, last.0 == isDigit, !last.1.isEmpty {
                runs[runs.count - 1].1.append(character)
            } else {
                if let last = runs.last, last.1.isEmpty { runs.removeLast() }
                runs.append((isDigit, String(character)))
            }
        }
        guard hasLetters, hasDigits, runs.allSatisfy({ !$0.1.isEmpty }) else { return nil }
        return runs
    }
}

extension Character {
    /// `0`...`9` only (not other scripts' digits, fractions or superscripts).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
