/// English number words: cardinals (tens and units hyphenated, "twenty-one"), ordinals, years, decimals, fractions.
///
/// American usage by default ("one hundred five"); British usage (`british: true`, for `en-gb` and the like) puts
/// "and" before the tens and units ("one hundred and five", "two thousand and five").
struct EnglishNumberReader: Sendable {
    /// Whether "and" goes before the last two digits.
    var british = false

    static let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    static let scales = ["", "thousand", "million", "billion", "trillion"]
    /// The longest number read as a number (up to 999 trillion); longer ones are read digit by digit.
    static let maximumDigits = 15

    /// 0...99 as one word ("seven", "forty-two").
    static func belowHundred(_ value: Int) -> String {
        value < 20 ? units[value] : tens[value / 10] + (value % 10 > 0 ? "-" + units[value % 10] : "")
    }

    /// 1...999.
    private func group(_ value: Int) -> [String] {
        var words: [String] = []
        if value >= 100 {
            words += [Self.units[value / 100], "hundred"]
            if british && value % 100 > 0 { words.append("and") }
        }
        if value % 100 > 0 { words.append(Self.belowHundred(value % 100)) }
        return words
    }

    /// Reads an integer written as `digits`: as a number, or digit by digit when it has a leading zero or more than
    /// ``maximumDigits`` digits.
    /// - Complexity: O(n) in the number of digits.
    func cardinal(_ digits: some StringProtocol) -> [String] {
        if digits.count > Self.maximumDigits || (digits.count > 1 && digits.first == "0") { return Self.digitByDigit(digits) }
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.contains(where: { $0 > 0 }) else { return ["zero"] }
        let groupCount = (values.count + 2) / 3
        var words: [String] = []
        var start = 0, end = values.count - (groupCount - 1) * 3
        for index in 0..<groupCount {
            let value = values[start..<end].reduce(0) { $0 * 10 + $1 }
            if value > 0 {
                // British: "one thousand and five", "two million and forty".
                if british && index == groupCount - 1 && index > 0 && value < 100 { words.append("and") }
                words += group(value)
                let scale = Self.scales[groupCount - 1 - index]
                if !scale.isEmpty { words.append(scale) }
            }
            start = end
            end += 3
        }
        return words
    }

    /// Reads a non-negative `value`.
    func cardinal(_ value: Int) -> [String] { cardinal(String(value)) }

    /// One word per digit ("zero" for 0).
    static func digitByDigit(_ digits: some StringProtocol) -> [String] {
        digits.compactMap(\.wholeNumberValue).map { units[$0] }
    }

    /// A written number: integers as numbers, decimals with "point" and the digits one by one ("three point one
    /// four"), dotted forms (versions) part by part with "point".
    func read(_ number: WrittenNumber) -> [String] {
        switch number {
        case .integer(let digits):
            cardinal(digits)
        case .decimal(let integer, let fraction):
            cardinal(integer) + ["point"] + Self.digitByDigit(fraction)
        case .dotted(let parts):
            parts.enumerated().flatMap { index, part in (index > 0 ? ["point"] : []) + cardinal(part) }
        }
    }

    /// The ordinal of `value` ("first", "twenty-second", "one hundred first").
    func ordinal(_ value: Int) -> [String] {
        var words = cardinal(value)
        if let last = words.popLast() { words.append(Self.ordinalWord(last)) }
        return words
    }

    /// The ordinal form of a cardinal word, hyphenated or not ("twenty-one" → "twenty-first").
    static func ordinalWord(_ word: String) -> String {
        if let dash = word.lastIndex(of: "-") {
            return String(word[...dash]) + ordinalWord(String(word[word.index(after: dash)...]))
        }
        switch word {
        case "one": return "first"
        case "two": return "second"
        case "three": return "third"
        case "five": return "fifth"
        case "eight": return "eighth"
        case "nine": return "ninth"
        case "twelve": return "twelfth"
        default: return word.hasSuffix("y") ? word.dropLast() + "ieth" : word + "th"
        }
    }

    /// The plural of a number word, for decades and fractions ("nineties", "hundreds", "thirds", "halves").
    static func pluralWord(_ word: String) -> String {
        if word.hasSuffix("y") { return word.dropLast() + "ies" }
        if word == "half" { return "halves" }
        return word.hasSuffix("x") ? word + "es" : word + "s"
    }

    /// A year: 1998 → "nineteen ninety-eight", 2024 → "twenty twenty-four", 1900 → "nineteen hundred", 1905 →
    /// "nineteen oh five", 2000...2009 → "two thousand (and) five"; other values as cardinals.
    func year(_ value: Int) -> [String] {
        guard (1010...9999).contains(value), !(2000...2009).contains(value), value % 1000 >= 10 else { return cardinal(value) }
        let high = Self.belowHundred(value / 100), low = value % 100
        switch low {
        case 0: return [high, "hundred"]
        case 1...9: return [high, "oh", Self.units[low]]
        default: return [high, Self.belowHundred(low)]
        }
    }

    /// A decade: 1990 → "nineteen nineties", 80 → "eighties", 2000 → "two thousands".
    func decade(_ value: Int) -> [String] {
        var words = value < 100 ? cardinal(value) : year(value)
        if let last = words.popLast() { words.append(Self.pluralWord(last)) }
        return words
    }

    /// A fraction: 1/2 → "one half", 3/4 → "three quarters", 2/3 → "two thirds", 5/8 → "five eighths".
    func fraction(numerator: Int, denominator: Int) -> [String] {
        let plural = numerator != 1
        var name: [String]
        switch denominator {
        case 2: name = ["half"]
        case 4: name = ["quarter"]
        default: name = ordinal(denominator)
        }
        if plural, let last = name.popLast() { name.append(Self.pluralWord(last)) }
        return cardinal(numerator) + name
    }
}
