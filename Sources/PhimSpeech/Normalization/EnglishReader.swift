/// English rules for one token; see ``TextNormalizer`` for the conventions.
struct EnglishReader: TokenReader {
    private typealias Lexicon = EnglishLexicon
    /// British usage: "and" in numbers, day/month dates.
    let british: Bool
    let numbers: EnglishNumberReader
    private let web = WebAddress(dot: "dot", at: "at", underscore: "underscore", dash: "dash") { label in
        // Two-letter country codes are spelled (`uk` → "U-K"), except `co` as in `co.uk`.
        label.count <= 2 && label != "co" && label.allSatisfy(\.isLetter) ? [EnglishReader.spelled(label.uppercased())] : [label]
    }

    init(british: Bool) {
        self.british = british
        numbers = EnglishNumberReader(british: british)
    }

    func read(_ context: TokenContext) -> Reading? {
        if let reading = abbreviation(context) { return reading }
        if let words = time(context) ?? timeRange(context) { return Reading(words) }
        if let meridiem = Lexicon.meridiems[context.core.lowercased()], context.previous?.isQuantity == true {
            return Reading([meridiem])
        }
        if context.claimsFullStop { return dottedLetters(context.core).map { Reading($0, mayEndSentence: true) } }
        let core = context.core
        // Most tokens are plain words: only a unit after a number or a scale after money can change them.
        if context.isPlainWord { return (unitAfterNumber(context) ?? scaleAfterMoney(context)).map { Reading($0) } }
        if let words = web.read(core) ?? date(context) ?? ordinal(core) ?? decade(core) ?? quantity(context)
            ?? scaleAfterMoney(context) ?? unitAfterNumber(context) ?? fraction(core) ?? acronym(context) {
            return Reading(words)
        }
        return core == "&" ? Reading(["and"]) : nil
    }

    func unitWords(_ unit: Substring, singular: Bool) -> [String]? {
        guard let names = Lexicon.units[String(unit)] ?? Lexicon.currencyCodes[String(unit)] else { return nil }
        return (singular ? names.0 : names.1).split(separator: " ").map(String.init)
    }

    // MARK: Abbreviations and acronyms

    private func abbreviation(_ context: TokenContext) -> Reading? {
        let core = context.core
        if core == "St." {
            // "St. Louis" is a saint; "Baker St." a street.
            let afterName = context.previous?.isCapitalized == true && !context.startsSentence
            return Reading([!afterName && context.next?.isCapitalized == true ? "Saint" : "Street"], mayEndSentence: afterName)
        }
        guard let (words, use) = Lexicon.abbreviations[core] else { return nil }
        switch use {
        case .always: return Reading([words])
        case .mayEndSentence: return Reading([words], mayEndSentence: true)
        case .beforeNumber: return context.next?.isQuantity == true ? Reading([words]) : nil
        case .afterNumber: return context.previous?.isQuantity == true ? Reading([words], mayEndSentence: true) : nil
        }
    }

    /// `U.S.`, `U.K.` → "U-S", "U-K".
    private func dottedLetters(_ core: String) -> [String]? {
        let pieces = core.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count >= 3, pieces.last!.isEmpty,
              pieces.dropLast().allSatisfy({ $0.count == 1 && $0.first!.isLetter && $0.first!.isUppercase }) else { return nil }
        return [Self.spelled(pieces.joined())]
    }

    /// Acronyms: customary words (`NASA` → "Nasa"), spelled letters (`GDP` → "G-D-P", `CEOs` → "C-E-O's"), letters with
    /// digits run by run (`COVID-19` → "Covid nineteen", `G7` → "G seven"). In a headline in capitals only known
    /// acronyms are spelled.
    private func acronym(_ context: TokenContext) -> [String]? {
        var base = Substring(context.core), ending = ""
        for suffix in ["'s", "’s", "s"] where base.hasSuffix(suffix) && WrittenForms.isCapitalWord(base.dropLast(suffix.count)) {
            base = base.dropLast(suffix.count)
            ending = suffix == "s" ? "'s" : suffix // "C-E-O's": engines read "C-E-Os" as "O-S"
            break
        }
        if let word = Lexicon.wordAcronyms[String(base)] { return [word + ending] }
        if let dotted = dottedLetters(context.core) { return dotted }
        if let runs = WrittenForms.letterDigitRuns(context.core) {
            var words: [String] = []
            for run in runs {
                let said = run.isDigits ? numbers.cardinal(run.text) : [Lexicon.wordAcronyms[run.text] ?? Self.spelled(run.text)]
                // A lone "A" would be read as the article: join it to what follows ("A-four").
                if let last = words.last, last == "A" { words[words.count - 1] = "A-" + said[0]; words += said.dropFirst() } else { words += said }
            }
            return words
        }
        guard WrittenForms.isCapitalWord(base), base.allSatisfy(\.isASCII), (2...5).contains(base.count),
              !context.inCapitalRun || Lexicon.letterAcronyms.contains(String(base)) else { return nil }
        return [Self.spelled(String(base)) + ending]
    }

    /// Letters joined by hyphens, so engines say each letter's name (`GDP` → "G-D-P", and "A-I" rather than the article).
    static func spelled(_ letters: String) -> String { letters.map(String.init).joined(separator: "-") }

    // MARK: Times and dates

    /// `3:30`, `3:30pm`, `3:30 p.m.`, `8am`, `8 a.m.`, `15:45`, `3:00` → "three o'clock", `3:05` → "three oh five".
    private func time(_ context: TokenContext) -> [String]? {
        var core = Substring(context.core)
        var meridiem: String?
        for (suffix, said) in [("a.m.", "a.m."), ("p.m.", "p.m."), ("am", "a.m."), ("pm", "p.m.")]
        where core.lowercased().hasSuffix(suffix) && core.dropLast(suffix.count).last?.isASCIIDigit == true {
            core = core.dropLast(suffix.count)
            meridiem = said
            break
        }
        if context.claimsFullStop && meridiem == nil { return nil }
        let fields = core.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count <= 3, (1...2).contains(fields[0].count), fields.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              fields.dropFirst().allSatisfy({ $0.count == 2 && Int($0)! < 60 }), let hour = Int(fields[0]) else { return nil }
        let followedByMeridiem = Lexicon.meridiems[context.nextWord] != nil
        if fields.count == 1 {
            guard let meridiem, (1...12).contains(hour) else { return nil }
            return numbers.cardinal(hour) + [meridiem]
        }
        guard hour < 24 else { return nil }
        var words = numbers.cardinal(hour)
        let minutes = Int(fields[1])!
        switch minutes {
        case 0 where meridiem != nil || followedByMeridiem: break
        case 0: words.append((1...12).contains(hour) ? "o'clock" : "hundred")
        case 1...9: words += ["oh", EnglishNumberReader.units[minutes]]
        default: words.append(EnglishNumberReader.belowHundred(minutes))
        }
        if fields.count == 3, let seconds = Int(fields[2]), seconds > 0 {
            words += ["and"] + numbers.cardinal(seconds) + [seconds == 1 ? "second" : "seconds"]
        }
        return words + (meridiem.map { [$0] } ?? [])
    }

    /// `9am-5pm` → "nine a.m. to five p.m.", `9:00-17:30`.
    private func timeRange(_ context: TokenContext) -> [String]? {
        guard let dash = context.core.firstIndex(where: { $0 == "-" || $0 == "–" }) else { return nil }
        var part = context
        part.core = String(context.core[..<dash])
        part.next = nil
        guard let start = time(part) else { return nil }
        part.core = String(context.core[context.core.index(after: dash)...])
        part.next = context.next
        guard let end = time(part) else { return nil }
        return start + ["to"] + end
    }

    /// `3/12/2024` (month first; day first when British), ISO `2024-03-12`, `3/12` after "on", "by"…, a day after a
    /// month ("March 3," → "March third,") or before one ("3 March" → "the third of March").
    private func date(_ context: TokenContext) -> [String]? {
        let core = context.core
        if let parts = WrittenForms.numericParts(core, separator: "-"), parts.count == 3, parts[0].digits == 4,
           parts[1].digits == 2, parts[2].digits == 2 {
            return spokenDate(month: parts[1].value, day: parts[2].value, year: parts[0])
        }
        if let parts = WrittenForms.numericParts(core, separator: "/"), parts[0].digits <= 2, parts[1].digits <= 2 {
            let (month, day) = british ? (parts[1].value, parts[0].value) : (parts[0].value, parts[1].value)
            if parts.count == 3, parts[2].digits == 2 || parts[2].digits == 4 { return spokenDate(month: month, day: day, year: parts[2]) }
            if parts.count == 2, Lexicon.dateWords.contains(context.previousWord) { return spokenDate(month: month, day: day, year: nil) }
            return nil
        }
        guard let day = dayNumber(core) else { return nil }
        if Lexicon.monthNumbers[context.previousWord] != nil { return numbers.ordinal(day) }
        if let next = Lexicon.monthNumbers[context.nextWord], Lexicon.months[next - 1].lowercased() == context.nextWord {
            return ["the"] + numbers.ordinal(day) + ["of"]
        }
        return nil
    }

    /// 1...31 written as digits or as an ordinal (`3rd`).
    private func dayNumber(_ core: String) -> Int? {
        let digits = core.prefix { $0.isASCIIDigit }
        guard (1...2).contains(digits.count), let day = Int(digits), (1...31).contains(day),
              digits.count == core.count || ordinal(core) != nil else { return nil }
        return day
    }

    private func spokenDate(month: Int, day: Int, year: (value: Int, digits: Int)?) -> [String]? {
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
        let name = Lexicon.months[month - 1]
        var yearWords: [String] = []
        if let year {
            yearWords = year.digits == 4 ? numbers.year(year.value)
                : year.value < 10 ? ["oh", EnglishNumberReader.units[year.value]] : [EnglishNumberReader.belowHundred(year.value)]
        }
        var words = british ? ["the"] + numbers.ordinal(day) + ["of", name] : [name] + numbers.ordinal(day)
        if !yearWords.isEmpty { words[words.count - 1] += "," }
        return words + yearWords
    }

    /// `1st`, `22nd`, `3rd`, `11th`, `101st` (the suffix must match the number).
    private func ordinal(_ core: String) -> [String]? {
        let digits = core.prefix { $0.isASCIIDigit }
        let suffix = core.dropFirst(digits.count).lowercased()
        guard !digits.isEmpty, digits.count <= EnglishNumberReader.maximumDigits, digits.first != "0" || digits.count == 1,
              ["st", "nd", "rd", "th"].contains(suffix), let value = Int(digits) else { return nil }
        let expected = (11...13).contains(value % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][value % 10] ?? "th"
        return suffix == expected ? numbers.ordinal(value) : nil
    }

    /// `1990s` → "nineteen nineties", `'80s` and `80s` → "eighties".
    private func decade(_ core: String) -> [String]? {
        var text = Substring(core)
        if text.first == "'" || text.first == "’" { text = text.dropFirst() }
        guard text.hasSuffix("s") else { return nil }
        let digits = text.dropLast()
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCIIDigit), digits.last == "0",
              let value = Int(digits), digits.count == 2 || value >= 1000 else { return nil }
        return numbers.decade(value)
    }
}
