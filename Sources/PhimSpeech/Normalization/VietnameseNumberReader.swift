/// Vietnamese number words, following standard (northern) usage.
///
/// - "mốt" for a units 1 after a tens digit of 2 or more (21 → hai mươi mốt), "một" otherwise (11 → mười một);
/// - "lăm" for a units 5 after a tens digit (15 → mười lăm, 25 → hai mươi lăm), "năm" otherwise (105 → một trăm linh
///   năm);
/// - "tư" for a units 4 after a tens digit of 2 or more (24 → hai mươi tư), "bốn" otherwise (14 → mười bốn);
/// - "mười" for the tens digit 1, "mươi" after another digit;
/// - "linh" for a zero tens digit before a units digit (105 → một trăm linh năm; the southern form is "lẻ");
/// - "không trăm" for a zero hundreds digit inside a number (2024 → hai nghìn không trăm hai mươi tư);
/// - "nghìn" for thousands (the southern form is "ngàn"), then "triệu", "tỷ", "nghìn tỷ", "triệu tỷ".
///
/// Numbers of more than ``maximumDigits`` digits, and numbers written with a leading zero (`0912…`, a phone number),
/// are read digit by digit.
enum VietnameseNumberReader {
    static let digitNames = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    /// Scale words of successive three-digit groups, least significant first.
    static let scales = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
    /// The longest number read as a number (up to 999 nghìn tỷ); longer ones are read digit by digit.
    static let maximumDigits = 15

    /// Words of each three-digit group of `digits` with its scale word, most significant group first: the first group
    /// has 1 to 3 digits, the others 3. A group of zeros has no words (1 000 000 → ["một", "triệu"], [], []).
    /// - Parameters:
    ///   - digits: ASCII digits without leading zeros, at most ``maximumDigits`` (or ``scales``.count × 3) of them.
    /// - Complexity: O(n) in the number of digits.
    static func groupWords(_ digits: some StringProtocol) -> [[String]] {
        let values = digits.compactMap(\.wholeNumberValue)
        let groupCount = (values.count + 2) / 3
        precondition(groupCount <= scales.count, "too many digits to read as a number")
        var groups: [[String]] = []
        var end = values.count - (groupCount - 1) * 3
        var start = 0
        for group in 0..<groupCount {
            let value = values[start..<end].reduce(0) { $0 * 10 + $1 }
            var words = value == 0 ? [] : groupWords(value, full: group > 0)
            let scale = scales[groupCount - 1 - group]
            if !words.isEmpty && !scale.isEmpty { words += scale.split(separator: " ").map(String.init) }
            groups.append(words)
            start = end
            end += 3
        }
        return groups
    }

    /// Words of one group, 1...999. `full` groups (after a higher group) always say their hundreds ("không trăm") and
    /// put "linh" before a lone units digit.
    static func groupWords(_ value: Int, full: Bool) -> [String] {
        let hundreds = value / 100, tens = value / 10 % 10, units = value % 10
        var words: [String] = []
        if full || hundreds > 0 { words += [digitNames[hundreds], "trăm"] }
        switch tens {
        case 0:
            if units > 0 {
                if !words.isEmpty { words.append("linh") }
                words.append(digitNames[units])
            }
        case 1:
            words.append("mười")
            if units == 5 { words.append("lăm") } else if units > 0 { words.append(digitNames[units]) }
        default:
            words += [digitNames[tens], "mươi"]
            switch units {
            case 0: break
            case 1: words.append("mốt")
            case 4: words.append("tư")
            case 5: words.append("lăm")
            default: words.append(digitNames[units])
            }
        }
        return words
    }

    /// Reads an integer written as `digits`: as a number, or digit by digit when it has a leading zero or more than
    /// ``maximumDigits`` digits. "0" is "không".
    /// - Complexity: O(n) in the number of digits.
    static func cardinal(_ digits: some StringProtocol) -> [String] {
        if digits.count > maximumDigits || (digits.count > 1 && digits.first == "0") { return digitByDigit(digits) }
        if digits.allSatisfy({ $0 == "0" }) { return [digitNames[0]] }
        return groupWords(digits).flatMap { $0 }
    }

    /// Reads a non-negative `value` as a number.
    static func cardinal(_ value: Int) -> [String] { cardinal(String(value)) }

    /// One word per digit.
    static func digitByDigit(_ digits: some StringProtocol) -> [String] {
        digits.compactMap(\.wholeNumberValue).map { digitNames[$0] }
    }

    /// Digits after the decimal comma: one or two digits without a leading zero are read as a number (3,14 → ba phẩy
    /// mười bốn), anything else digit by digit (3,05 → ba phẩy không năm; 3,14159 → ba phẩy một bốn một năm chín).
    static func fraction(_ digits: some StringProtocol) -> [String] {
        digits.count <= 2 && digits.first != "0" ? cardinal(digits) : digitByDigit(digits)
    }

    /// A written number: integers as numbers, decimals with "phẩy", and dotted forms (`2.5` written the English way,
    /// versions) part by part with "chấm"; a dotted phone number (leading zero, 8 digits or more) digit by digit.
    static func read(_ number: WrittenNumber) -> [String] {
        switch number {
        case .integer(let digits):
            return cardinal(digits)
        case .decimal(let integer, let fraction):
            return cardinal(integer) + ["phẩy"] + self.fraction(fraction)
        case .dotted(let parts):
            // `0912.345.678` is a phone number: every digit.
            if parts[0].first == "0", parts.reduce(0, { $0 + $1.count }) >= 8 { return digitByDigit(parts.joined()) }
            return parts.enumerated().flatMap { index, part in (index > 0 ? ["chấm"] : []) + cardinal(part) }
        }
    }

    /// An ordinal after "thứ": 1 → "nhất", 4 → "tư", others as numbers ("thứ hai", "thứ mười bốn").
    static func ordinal(_ value: Int) -> [String] {
        switch value {
        case 1: ["nhất"]
        case 4: ["tư"]
        default: cardinal(value)
        }
    }

    /// A month after "tháng": 4 → "tư" (tháng tư), others as numbers (tháng một, tháng mười hai).
    static func month(_ value: Int) -> [String] { value == 4 ? ["tư"] : cardinal(value) }
}
