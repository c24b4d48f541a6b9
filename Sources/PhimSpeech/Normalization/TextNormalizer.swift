import PhimCore

/// Turns written text into what a voice should say, for Vietnamese (`vi`) and English (`en`, `en-us`, `en-gb`…):
/// numbers, decimals, percentages, ranges, ordinals, dates, times, years, money, units, abbreviations, acronyms, web
/// and e-mail addresses. Text in other languages is left as written.
///
/// It works token by token (whitespace-separated, as ``SpeechSynthesizer`` counts words) and records which spoken
/// tokens each written token became (``NormalizedText``), so that words timed on the spoken text can be shown as the
/// author wrote them. A token's reading may depend on its neighbours (`ngày 2/9`, `March 3, 2024`, `$3 million`,
/// `10 km`), but each token's words replace that token only. Punctuation around a token stays around its words, so a
/// trailing comma or full stop still makes the voice pause. Forms it does not recognise, or that make no sense (a
/// 13th month, `1,5` in English), are left as written.
///
/// Conventions:
/// - Vietnamese numbers: see ``VietnameseNumberReader`` ("nghìn", "linh", "mốt", "lăm", "tư"); dates as
///   "ngày … tháng … năm …", day first; times as "… giờ … phút"; decimals with "phẩy" (`3,5`), while a dot that does
///   not group thousands is read "chấm" (`2.5`, versions); ranges as "từ … đến …" unless a word such as "khoảng" or
///   "trong" already introduces them; a number written in groups with spaces (`1 000 000`) is read as one number.
/// - Vietnamese acronyms: those that stand for Vietnamese words are expanded (`UBND` → "Ủy ban nhân dân"); a few are
///   read as words the way Vietnamese speakers say them (`NATO` → "Na tô", `COVID` → "Cô vít"); others are spelled
///   with the Vietnamese letter names heard in broadcast speech (`GDP` → "gờ đê pê", `AI` → "a i", `WHO` → "vê kép
///   hát ô"). An all-capital token that reads as a Vietnamese syllable (`ĐI`, `BAN`) is taken for a word.
/// - English: American readings ("one hundred five", month/day dates) unless the tag is British (`en-gb`, `en-au`,
///   `en-nz`, `en-ie`, `en-in`: "one hundred and five", day/month dates); four-digit numbers from 1000 to 2099 are read as
///   years unless a unit or counted noun follows; acronyms are spelled, letters joined by hyphens so that engines say
///   each letter's name (`GDP` → "G-D-P", `AI` → "A-I", where a lone "A" would be read as the article), except those
///   customarily said as words (`NASA` → "Nasa", `COVID` → "Covid").
/// - Web addresses keep only their host without `www.` (`https://www.example.com/a` → "example dot com", "example
///   chấm com"); e-mail addresses are read whole ("a còng" for `@` in Vietnamese).
///
/// - Complexity: O(n) in the length of the text; numbers longer than 15 digits are read digit by digit.
public struct TextNormalizer: Sendable {
    private let reader: (any TokenReader)?
    private let groupsThousandsWithSpaces: Bool

    /// - Parameters:
    ///   - language: a BCP 47 tag; `vi…` reads Vietnamese, `en…` English (British for `en-gb`, `en-au`, `en-nz`,
    ///     `en-ie`, `en-in`), anything else is left as written.
    public init(language: String) {
        let subtags = language.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        switch subtags.first {
        case "vi":
            reader = VietnameseReader()
            groupsThousandsWithSpaces = true
        case "en":
            let british = subtags.dropFirst().contains { ["gb", "uk", "au", "nz", "ie", "in"].contains($0) }
            reader = EnglishReader(british: british)
            groupsThousandsWithSpaces = false
        default:
            reader = nil
            groupsThousandsWithSpaces = false
        }
    }

    /// Whether this normalizer reads its language (otherwise it leaves every token as written).
    public var readsLanguage: Bool { reader != nil }

    /// Normalises `text` (after NFC normalisation).
    /// - Returns: the spoken text and, for every written token, the spoken tokens it became.
    /// - Complexity: O(n) in the length of the text.
    public func normalize(_ text: String) -> NormalizedText {
        let text = text.nfc
        let tokens = TextToken.split(text)
        let parts = tokens.map { TokenParts($0.text) }
        let neighbors = parts.map(Neighbor.init)
        let capitalRun = Self.capitalRuns(parts)
        var readings = [[String]?](repeating: nil, count: tokens.count)
        var index = 0
        // Tokens before this one belong to a run of digit groups too long to read as one number.
        var groupsReadAlone = 0
        while index < tokens.count {
            if groupsThousandsWithSpaces, index >= groupsReadAlone, let reader, let run = Self.spacedNumber(at: index, in: parts, reader: reader) {
                if let words = run.words {
                    for (offset, words) in words.enumerated() { readings[index + offset] = words }
                    index += run.count
                    continue
                }
                groupsReadAlone = index + run.count
            }
            if let reader, !parts[index].core.isEmpty {
                let context = TokenContext(
                    core: parts[index].core, claimsFullStop: false,
                    previous: index > 0 ? neighbors[index - 1] : nil, beforePrevious: index > 1 ? neighbors[index - 2] : nil,
                    next: index + 1 < tokens.count ? neighbors[index + 1] : nil,
                    startsSentence: index == 0 || parts[index - 1].endsSentence,
                    inCapitalRun: capitalRun[index], opensBracket: parts[index].leading.contains { "([{".contains($0) })
                readings[index] = Self.read(parts[index], context: context, reader: reader)
            }
            index += 1
        }
        return Self.assemble(text: text, tokens: tokens, readings: readings)
    }

    /// The words of one token with its punctuation put back, or `nil` to leave it as written. A full stop after the
    /// core is first offered to the reader as part of it (`etc.`, `TP.`, `a.m.`).
    private static func read(_ parts: TokenParts, context: TokenContext, reader: any TokenReader) -> [String]? {
        var trailing = Substring(parts.trailing)
        var reading: Reading?
        if trailing.first == "." {
            var claiming = context
            claiming.core += "."
            claiming.claimsFullStop = true
            if let claimed = reader.read(claiming) {
                reading = claimed
                trailing = trailing.dropFirst()
                if claimed.mayEndSentence && (context.next?.isCapitalized ?? true) && trailing.first != "." {
                    trailing = "." + trailing
                }
            }
        }
        guard let reading = reading ?? reader.read(context) else { return nil }
        var words = reading.words.flatMap { $0.split(separator: " ").map(String.init) }
        guard !words.isEmpty else { return nil }
        words[0] = parts.leading + words[0]
        words[words.count - 1] += trailing
        return words
    }

    /// A Vietnamese number written in groups separated by spaces (`1 000 000`, `12 500 đồng`, `2 500 000đ.`) starting
    /// at token `start`: the words of each of its tokens (each group's words with its scale; none for a group of
    /// zeros), or `nil` when no such number starts there. The last group may carry a unit (`000đ`). A run of more
    /// than 15 digits has no words: its tokens are read one by one.
    /// - Complexity: O(k) for a run of k tokens.
    private static func spacedNumber(at start: Int, in parts: [TokenParts], reader: any TokenReader) -> (count: Int, words: [[String]]?)? {
        let first = parts[start]
        guard start + 1 < parts.count, first.trailing.isEmpty, (1...3).contains(first.core.count), first.core.first != "0",
              first.core.allSatisfy(\.isASCIIDigit) else { return nil }
        var digits = first.core
        var end = start + 1
        var unit: [String] = []
        while end < parts.count {
            let group = parts[end]
            guard group.leading.isEmpty, group.core.count >= 3, group.core.prefix(3).allSatisfy(\.isASCIIDigit) else { break }
            let suffix = group.core.dropFirst(3)
            if !suffix.isEmpty {
                guard let words = reader.unitWords(suffix, singular: false) else { break }
                unit = words
            }
            digits += group.core.prefix(3)
            end += 1
            if !group.trailing.isEmpty || !suffix.isEmpty { break }
        }
        guard end - start >= 2 else { return nil }
        guard digits.count <= VietnameseNumberReader.maximumDigits else { return (end - start, nil) }
        var run = VietnameseNumberReader.groupWords(digits)
        run[run.count - 1] += unit
        if !first.leading.isEmpty { run[0][0] = first.leading + run[0][0] }
        // The closing punctuation goes on the last word said, even when the last group (000) says nothing.
        let trailing = parts[end - 1].trailing
        if !trailing.isEmpty, let last = run.lastIndex(where: { !$0.isEmpty }) { run[last][run[last].count - 1] += trailing }
        return (end - start, run)
    }

    /// For each token, whether it belongs to a run of three or more all-capital words (a headline).
    private static func capitalRuns(_ parts: [TokenParts]) -> [Bool] {
        var flags = [Bool](repeating: false, count: parts.count)
        var runStart = 0
        for index in 0...parts.count {
            if index < parts.count && WrittenForms.isCapitalWord(parts[index].core) { continue }
            if index - runStart >= 3 { for member in runStart..<index { flags[member] = true } }
            runStart = index + 1
        }
        return flags
    }

    /// Joins the spoken words: one space inside a token's words, the written whitespace between tokens.
    private static func assemble(text: String, tokens: [TextToken], readings: [[String]?]) -> NormalizedText {
        let scalars = Array(text.unicodeScalars)
        var spokenTokens: [String] = []
        var spokenText = ""
        var mapped: [NormalizedText.Token] = []
        mapped.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            var separator = " "
            if index > 0 {
                var gap = String.UnicodeScalarView()
                gap.append(contentsOf: scalars[tokens[index - 1].scalarEnd..<token.scalarStart])
                separator = String(gap)
            }
            let start = spokenTokens.count
            for (position, word) in (readings[index] ?? [token.text]).enumerated() {
                if !spokenTokens.isEmpty { spokenText += position == 0 ? separator : " " }
                spokenText += word
                spokenTokens.append(word)
            }
            mapped.append(NormalizedText.Token(written: token.text, spoken: start..<spokenTokens.count))
        }
        return NormalizedText(tokens: mapped, spokenTokens: spokenTokens, spokenText: spokenText)
    }
}
