/// English numbers, years, money, units and fractions.
extension EnglishReader {
    private typealias Lexicon = EnglishLexicon

    /// Numbers with what surrounds them in the token: `-3.5`, `1,000,000`, `45%`, `$5.20`, `€20`, `$5bn`, `10-20km`,
    /// and four-digit numbers from 1000 to 2099 as years (`1998`, `1998-2004`) unless a unit or counted noun follows.
    func quantity(_ context: TokenContext) -> [String]? {
        let symbols = Lexicon.currencies.map(\.symbol)
        guard let quantity = WrittenForms.quantity(context.core, symbols: symbols),
              let first = WrittenNumber.parse(quantity.first, thousands: ",", decimal: ".") else { return nil }
        var second: WrittenNumber?
        if let literal = quantity.second {
            // 555-1234 is a phone number, not a range.
            guard let parsed = WrittenNumber.parse(literal, thousands: ",", decimal: "."), literal.count <= quantity.first.count + 1,
                  !(quantity.first.count == 3 && literal.count == 4) else { return nil }
            second = parsed
        }
        let currency = Lexicon.currencies.first { $0.symbol == quantity.currencySymbol }
        let suffix = String(quantity.suffix)
        var scale: String?
        var unit: [String] = []
        let singular = first.isOne && second == nil
        if let word = ["k": "thousand", "K": "thousand"][suffix] {
            scale = word
        } else if currency != nil, let word = ["m": "million", "M": "million", "mn": "million", "bn": "billion", "b": "billion",
                                                "B": "billion", "tn": "trillion", "trn": "trillion"][suffix] {
            scale = word // $5m, $2bn
        } else if !suffix.isEmpty {
            guard currency == nil, let words = unitWords(quantity.suffix, singular: singular) else { return nil }
            unit = words
        }
        let sign = quantity.negative ? ["minus"] : []
        if let currency, scale == nil, second == nil, case .decimal(let whole, let fraction) = first, fraction.count == 2,
           let hundredth = currency.hundredth, let units = Int(whole), let hundredths = Int(fraction),
           context.next.map({ !Neighbor.scaleWords.contains($0.word) }) ?? true {
            // $5.20 → five dollars and twenty cents; $0.50 → fifty cents.
            var words: [String] = []
            if units > 0 || hundredths == 0 { words += numbers.cardinal(whole) + [units == 1 ? currency.unit.0 : currency.unit.1] }
            if hundredths > 0 {
                if !words.isEmpty { words.append("and") }
                words += numbers.cardinal(hundredths) + [hundredths == 1 ? hundredth.0 : hundredth.1]
            }
            return sign + words
        }
        let isYear = currency == nil && suffix.isEmpty && !quantity.negative && isYearLike(quantity.first, first)
            && (second == nil || quantity.second.map { isYearLike($0, second!) } == true)
            && !Lexicon.countedNouns.contains(context.nextWord) && Lexicon.units[context.next?.parts.core ?? ""] == nil
        var words = sign + (isYear ? numbers.year(first.integerValue!) : numbers.read(first))
        if let second { words += ["to"] + (isYear ? numbers.year(second.integerValue!) : numbers.read(second)) }
        if let scale { words.append(scale) }
        words += unit
        if let currency {
            // "$3 million": the currency is said after the scale word, by that token.
            let scaleFollows = context.next.map { Neighbor.scaleWords.contains($0.word) } ?? false
            if !scaleFollows { words.append(singular && scale == nil ? currency.unit.0 : currency.unit.1) }
        }
        return words
    }

    /// A plain four-digit number from 1000 to 2099.
    private func isYearLike(_ literal: Substring, _ number: WrittenNumber) -> Bool {
        literal.count == 4 && number.integerValue.map { (1000...2099).contains($0) } == true
    }

    /// "million" after `$3` → "million dollars".
    func scaleAfterMoney(_ context: TokenContext) -> [String]? {
        guard Neighbor.scaleWords.contains(context.core.lowercased()), let previous = context.previous?.parts.core,
              let currency = Lexicon.currencies.first(where: { previous.hasPrefix($0.symbol) }),
              previous.dropFirst(currency.symbol.count).first?.isASCIIDigit == true else { return nil }
        return [context.core, currency.unit.1]
    }

    /// A unit or currency code as its own token after a number (`5 km`, `1 km`, `10 USD`, `45 %`), or a compound unit
    /// anywhere (`km/h`, `°C`).
    func unitAfterNumber(_ context: TokenContext) -> [String]? {
        let core = context.core
        let afterNumber = context.previous?.isQuantity == true
        let singular = context.previous?.parts.core == "1"
        if let names = Lexicon.currencyCodes[core], afterNumber { return [singular ? names.0 : names.1] }
        if let names = Lexicon.units[core], afterNumber || core.contains(where: { "/²³°%".contains($0) }) {
            return [singular ? names.0 : names.1]
        }
        return nil
    }

    /// `1/2` → "one half", `3/4` → "three quarters", `2/3` → "two thirds".
    func fraction(_ core: String) -> [String]? {
        guard let parts = WrittenForms.numericParts(core, separator: "/"), parts.count == 2,
              parts[0].digits <= 3, parts[1].digits <= 3, parts[1].value >= 2 else { return nil }
        return numbers.fraction(numerator: parts[0].value, denominator: parts[1].value)
    }
}
