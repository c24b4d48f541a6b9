import Foundation
import PhimCore

/// Writes a narration script from a document without any network: extractive summarisation.
///
/// The body is the document's own sentences (and list items that read as sentences), ranked with ``TextRank`` and
/// spoken in the article's order, grouped into scenes by section. A hook line opens the script and a closing line ends
/// it, both written per ``ScriptStyle`` and language around the topic (the document's title, else its first heading,
/// else its top keywords).
///
/// A topic-only document (one short line) gives a hook, one sentence stating the topic and a closing line: without an
/// LLM there is nothing to extract from a topic.
///
/// The writer does all its analysis once, in `init`; ``script(maxWords:)`` then only selects, so a caller can try
/// several budgets cheaply (for example to fit narration to an exact duration).
public struct ScriptWriter: Sendable {
    public let document: SourceDocument
    public let language: ScriptLanguage
    public let style: ScriptStyle

    /// Scenes hold at most this many sentences…
    public static let maxSentencesPerScene = 3
    /// … and about this many words (a single longer sentence gets a scene of its own).
    public static let maxWordsPerScene = 45

    private let plan: Plan

    public init(document: SourceDocument, language: ScriptLanguage, style: ScriptStyle) {
        self.document = document
        self.language = language
        self.style = style
        plan = Plan(document: document, language: language, style: style)
    }

    /// The narration script, at most `maxWords` words long when `maxWords` ≥ ``minimumWords``.
    ///
    /// The hook and closing are always present. Body sentences are taken by TextRank score, best first (ties: the
    /// earlier sentence first), skipping any that would overrun the budget; the best sentence is always taken, so below
    /// ``minimumWords`` the script is longer than asked. The chosen sentences keep the article's order, grouped into
    /// scenes by section; a long section is split so that a scene has at most ``maxSentencesPerScene`` sentences and
    /// about ``maxWordsPerScene`` words; sections with nothing chosen are dropped. The word count never decreases as
    /// `maxWords` grows. Deterministic.
    /// - Parameter maxWords: the word budget (see ``Script/wordCount(of:)``); `nil` for every body sentence.
    public func script(maxWords: Int?) -> Script {
        plan.script(maxWords: maxWords)
    }

    /// The words of the shortest script: hook, the best sentence and closing.
    public var minimumWords: Int { plan.minimumWords }

    /// The words of the longest script: hook, every body sentence and closing.
    public var availableWords: Int { plan.availableWords }
}

/// What ``ScriptWriter`` works out once per document.
private struct Plan: Sendable {
    /// A sentence that can be spoken in the body.
    struct Candidate: Sendable {
        var text: String
        var words: Int
        var section: Int
        /// The list item it was made from, if any.
        var bullet: Int?
    }

    struct Section: Sendable {
        var heading: String?
        var bullets: [String]
    }

    let language: ScriptLanguage
    let style: ScriptStyle
    let title: String
    let hook: [String]
    let closing: [String]
    let closingTitle: String
    let conjunction: String
    let documentTitle: String?
    let hasHeadings: Bool
    let hookKeywords: [String]
    let sections: [Section]
    let candidates: [Candidate]
    /// Candidate indices, best first.
    let ranking: [Int]
    let keywords: KeywordExtractor
    /// For a topic-only document: the one body sentence.
    let topicStatement: String?

    init(document: SourceDocument, language: ScriptLanguage, style: ScriptStyle) {
        self.language = language
        self.style = style
        let splitter = SentenceSplitter(language: language)
        let tokenizer = WordTokenizer(language: language)

        // Body candidates, in article order.
        var candidates: [Candidate] = []
        var seen: Swift.Set<String> = []
        func add(_ sentence: String, section: Int, bullet: Int?, minimumWords: Int) {
            let words = Script.wordCount(of: sentence)
            let key = sentence.lowercased().filter { $0.isLetter || $0.isNumber }
            guard words >= minimumWords, !key.isEmpty, seen.insert(key).inserted else { return }
            candidates.append(Candidate(text: sentence, words: words, section: section, bullet: bullet))
        }
        var sections: [Section] = []
        if document.kind != .topic {
            for section in document.sections {
                let index = sections.count
                sections.append(Section(heading: section.heading, bullets: section.bullets))
                let onlyBullets = section.paragraphs.isEmpty
                // Paragraphs and list items in their original order.
                let offsets = section.bulletOffsets.count == section.bullets.count
                    ? section.bulletOffsets : Array(repeating: section.paragraphs.count, count: section.bullets.count)
                for position in 0...section.paragraphs.count {
                    for (number, bullet) in section.bullets.enumerated() where offsets[number] == position
                        || position == section.paragraphs.count && offsets[number] > position {
                        // List items are narrated in outlines, in sections that are only a list, and when they read as
                        // sentences (five words or more).
                        guard document.kind == .outline || onlyBullets || Script.wordCount(of: bullet) >= 5 else { continue }
                        for sentence in splitter.sentences(in: ScriptText.sentenceForm(bullet)) {
                            add(sentence, section: index, bullet: number, minimumWords: 1)
                        }
                    }
                    guard position < section.paragraphs.count else { break }
                    for sentence in splitter.sentences(in: section.paragraphs[position]) {
                        add(ScriptText.spoken(sentence), section: index, bullet: nil, minimumWords: 3)
                    }
                }
            }
            // Headings alone (an outline of headings): speak the headings.
            if candidates.isEmpty {
                for (index, section) in sections.enumerated() {
                    if let heading = section.heading { add(ScriptText.sentenceForm(heading), section: index, bullet: nil, minimumWords: 1) }
                }
            }
        }

        let allText = candidates.map(\.text)
        keywords = KeywordExtractor(sentences: allText + [document.title].compactMap { $0 }, tokenizer: tokenizer)
        let scores = TextRank.scores(for: allText, tokenizer: tokenizer)
        ranking = candidates.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        self.candidates = candidates
        self.sections = sections
        documentTitle = document.title
        hasHeadings = sections.contains { $0.heading != nil }

        // The topic.
        let documentKeywords = keywords.keywords(in: allText, limit: 4)
        let lines = ScriptPhrases.phrases(style, language)
        conjunction = lines.conjunction
        // An untitled outline is usually led by its subject ("- Why sleep matters"): a short first item names it.
        let outlineLead = document.kind == .outline
            ? document.sections.first.flatMap { $0.bullets.first ?? $0.paragraphs.first }.flatMap { item in
                Script.wordCount(of: item) <= 6 ? ScriptText.withoutFinalPunctuation(item) : nil }
            : nil
        let writtenTopic = (document.title ?? sections.lazy.compactMap(\.heading).first ?? outlineLead
            ?? documentKeywords.prefix(2).joined(separator: " \(lines.conjunction) ")).trimmed
        let isQuestion = writtenTopic.hasSuffix("?")
        let bodyWords = ScriptText.WordCase(sentences: allText, tokenizer: tokenizer)
        let topicInSentence = ScriptText.inSentence(ScriptText.withoutFinalPunctuation(writtenTopic), bodyWords: bodyWords)
        // For closings that name the topic after a question title, the top keyword stands for the topic.
        let closingTopic = isQuestion ? documentKeywords.first.map { ScriptText.inSentence($0, bodyWords: bodyWords) } : topicInSentence
        let seed = writtenTopic

        title = writtenTopic.isEmpty ? (documentKeywords.first.map(ScriptText.capitalisedFirst) ?? "") : ScriptText.capitalisedFirst(writtenTopic)
        hookKeywords = documentKeywords.isEmpty ? keywords.keywords(in: [title], limit: 4) : documentKeywords

        if writtenTopic.isEmpty {
            hook = [ScriptPhrases.pick(lines.questionFollowUps, seed: seed)]
        } else if isQuestion {
            hook = [ScriptText.capitalisedFirst(writtenTopic), ScriptPhrases.pick(lines.questionFollowUps, seed: seed, salt: 1)]
        } else {
            let template = ScriptPhrases.pick(lines.hooks, seed: seed)
            hook = splitter.sentences(in: ScriptPhrases.fill(template, topic: topicInSentence, writtenTopic: ScriptText.withoutFinalPunctuation(writtenTopic)))
        }
        let closingOptions = closingTopic == nil || writtenTopic.isEmpty
            ? lines.closings.filter { !ScriptPhrases.needsTopic($0) } : lines.closings
        let closingTemplate = ScriptPhrases.pick(closingOptions, seed: seed, salt: 2)
        closing = splitter.sentences(in: ScriptPhrases.fill(closingTemplate, topic: closingTopic ?? "",
                                                           writtenTopic: isQuestion ? (closingTopic ?? "") : ScriptText.withoutFinalPunctuation(writtenTopic)))
        closingTitle = lines.closingTitle

        if document.kind == .topic || candidates.isEmpty {
            let template = isQuestion ? lines.questionTopicStatement : lines.topicStatement
            topicStatement = writtenTopic.isEmpty ? nil
                : ScriptPhrases.fill(template, topic: topicInSentence, writtenTopic: isQuestion ? writtenTopic : ScriptText.withoutFinalPunctuation(writtenTopic))
        } else {
            topicStatement = nil
        }
    }

    private var hookWords: Int { hook.reduce(0) { $0 + Script.wordCount(of: $1) } }
    private var closingWords: Int { closing.reduce(0) { $0 + Script.wordCount(of: $1) } }

    var minimumWords: Int {
        if let topicStatement { return hookWords + Script.wordCount(of: topicStatement) + closingWords }
        return hookWords + (ranking.first.map { candidates[$0].words } ?? 0) + closingWords
    }

    var availableWords: Int {
        if topicStatement != nil { return minimumWords }
        return hookWords + candidates.reduce(0) { $0 + $1.words } + closingWords
    }

    func script(maxWords: Int?) -> Script {
        var scenes = [ScriptScene(role: .hook, title: title, sentences: hook, keywords: hookKeywords)]
        if let topicStatement {
            let figures = FigureExtractor(language: language).figures(in: topicStatement)
            scenes.append(ScriptScene(role: .body, title: title, sentences: [topicStatement],
                                      keywords: keywords.keywords(in: [title], limit: 4), figures: figures))
        } else {
            scenes += bodyScenes(chosen: choose(maxWords: maxWords))
        }
        scenes.append(ScriptScene(role: .closing, title: closingTitle, sentences: closing))
        return Script(language: language, style: style, title: title, scenes: scenes)
    }

    /// The candidates that fit the budget, best first, then put back in article order.
    private func choose(maxWords: Int?) -> [Int] {
        guard let maxWords else { return Array(candidates.indices) }
        var remaining = maxWords - hookWords - closingWords
        var chosen: [Int] = []
        for index in ranking {
            let words = candidates[index].words
            if chosen.isEmpty || words <= remaining {
                chosen.append(index)
                remaining -= words
            }
        }
        return chosen.sorted()
    }

    private func bodyScenes(chosen: [Int]) -> [ScriptScene] {
        let figureExtractor = FigureExtractor(language: language)
        var scenes: [ScriptScene] = []
        var start = 0
        while start < chosen.count {
            let section = candidates[chosen[start]].section
            var end = start
            while end < chosen.count, candidates[chosen[end]].section == section { end += 1 }
            let group = Array(chosen[start..<end])
            let chunks = ScriptText.chunkSizes(group.map { candidates[$0].words })
            let heading = sections[section].heading
            let narrated = Swift.Set(group.compactMap { candidates[$0].bullet })
            var offset = 0
            for (number, size) in chunks.enumerated() {
                let members = group[offset..<(offset + size)]
                offset += size
                let sentences = members.map { candidates[$0].text }
                // The chunk's own list items; list items nobody narrates go with the section's first scene.
                var bulletIndices = Swift.Set(members.compactMap { candidates[$0].bullet })
                if number == 0 {
                    for index in sections[section].bullets.indices where !narrated.contains(index) { bulletIndices.insert(index) }
                }
                let bullets = bulletIndices.sorted().prefix(5).map { ScriptText.shortened(sections[section].bullets[$0], language: language) }
                let sceneKeywords = keywords.keywords(in: sentences + bullets, limit: 4)
                var figures: [Figure] = []
                for text in sentences + bulletIndices.sorted().map({ sections[section].bullets[$0] }) {
                    for figure in figureExtractor.figures(in: text) where !figures.contains(where: { $0.text == figure.text }) {
                        figures.append(figure)
                    }
                }
                // Text before the first heading is the introduction: it goes under the document's title (in a
                // document without headings, only its first scene does; later ones are named by their keywords).
                let sceneTitle: String
                if let heading {
                    sceneTitle = heading
                } else if section == 0, let documentTitle, hasHeadings || number == 0 {
                    sceneTitle = documentTitle
                } else {
                    sceneTitle = keywordTitle(sceneKeywords, fallback: sentences[0])
                }
                scenes.append(ScriptScene(role: .body, title: sceneTitle, sentences: sentences, keywords: sceneKeywords,
                                          bullets: bullets, figures: figures))
            }
            start = end
        }
        return scenes
    }

    /// A scene title from its top keyword (`Solar panels`), else the first words of its first sentence.
    private func keywordTitle(_ keywords: [String], fallback: String) -> String {
        if let keyword = keywords.first { return ScriptText.capitalisedFirst(keyword) }
        let words = fallback.split(separator: " ").prefix(5).joined(separator: " ")
        return ScriptText.capitalisedFirst(ScriptText.withoutFinalPunctuation(words))
    }
}

/// Text shaping shared by the script writers.
enum ScriptText {
    /// Splits a section's sentences (given by word counts) into the fewest scenes that respect the limits, as even as
    /// possible (least sum of squared scene lengths): the sizes of consecutive chunks.
    static func chunkSizes(_ words: [Int]) -> [Int] {
        let count = words.count
        guard count > 0 else { return [] }
        // best[i]: (scenes, sum of squared scene words, size of the last chunk) for the first i sentences.
        var best = [(scenes: Int, cost: Int, last: Int)](repeating: (Int.max, Int.max, 0), count: count + 1)
        best[0] = (0, 0, 0)
        for end in 1...count {
            var total = 0
            for size in 1...min(ScriptWriter.maxSentencesPerScene, end) {
                total += words[end - size]
                if size > 1, total > ScriptWriter.maxWordsPerScene { break }
                let previous = best[end - size]
                guard previous.scenes != Int.max else { continue }
                let candidate = (scenes: previous.scenes + 1, cost: previous.cost + total * total, last: size)
                if candidate.scenes < best[end].scenes || candidate.scenes == best[end].scenes && candidate.cost < best[end].cost {
                    best[end] = candidate
                }
            }
        }
        var sizes: [Int] = []
        var end = count
        while end > 0 {
            sizes.append(best[end].last)
            end -= best[end].last
        }
        return sizes.reversed()
    }

    /// A sentence as it is spoken on its own: a lead-in to a list (`… for several reasons:`) ends with a full stop.
    static func spoken(_ sentence: String) -> String {
        var text = sentence.trimmed
        if text.hasSuffix(":") {
            text.removeLast()
            text = text.trimmed + "."
        }
        return text
    }

    /// A list item as a sentence: capitalised, ending with a full stop.
    static func sentenceForm(_ item: String) -> String {
        var text = item.trimmed
        while let last = text.last, ",;:-–—".contains(last) { text.removeLast(); text = text.trimmed }
        guard !text.isEmpty else { return text }
        text = capitalisedFirst(text)
        if let last = text.last, !".!?…".contains(last) {
            if "\"”')".contains(last), text.dropLast().last.map({ ".!?…".contains($0) }) ?? false { return text }
            text += "."
        }
        return text
    }

    /// A list item short enough for the screen: the term before a colon (`Supervised learning: …`), else the first
    /// clause, cut to 8 words (English) or 10 syllables (Vietnamese) with an ellipsis.
    static func shortened(_ item: String, language: ScriptLanguage) -> String {
        let limit = language == .vietnamese ? 10 : 8
        var text = item.trimmed
        if let colon = text.range(of: ": "), text[..<colon.lowerBound].split(separator: " ").count <= 6 {
            text = String(text[..<colon.lowerBound])
        } else if text.split(separator: " ").count > limit {
            for separator in [" — ", " – ", " - ", "; ", ", ", " ("] {
                if let range = text.range(of: separator), text[..<range.lowerBound].split(separator: " ").count >= 2 {
                    text = String(text[..<range.lowerBound])
                    break
                }
            }
        }
        var words = text.split(separator: " ")
        if words.count > limit {
            words = Array(words.prefix(limit))
            while let last = words.last, last.count <= 3, words.count > 2, Stopwords.english.contains(last.lowercased())
                    || Stopwords.vietnameseFunction.contains(last.lowercased()) {
                words.removeLast()
            }
            return withoutFinalPunctuation(words.joined(separator: " ")) + "…"
        }
        return withoutFinalPunctuation(text)
    }

    static func withoutFinalPunctuation(_ text: String) -> String {
        var result = text.trimmed
        while let last = result.last, ".,;:!…".contains(last) { result.removeLast() }
        return result.trimmed
    }

    static func capitalisedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// How a text writes its words: which appear in lowercase, and which capitalised away from a sentence start
    /// (names).
    struct WordCase: Sendable {
        var lowercase: Swift.Set<String> = []
        var capitalisedInside: Swift.Set<String> = []
        var seen: Swift.Set<String> = []

        init(sentences: [String], tokenizer: WordTokenizer) {
            for sentence in sentences {
                for (index, token) in tokenizer.tokens(in: sentence).enumerated() {
                    seen.insert(token.normalized)
                    if token.text == token.normalized {
                        lowercase.insert(token.normalized)
                    } else if index > 0 {
                        capitalisedInside.insert(token.normalized)
                    }
                }
            }
        }
    }

    /// The topic as it reads inside a sentence: a capitalised word is lowercased when the body also writes it in
    /// lowercase (`Solar Power` → `solar power`, but `Vietnam` stays). The first word is also lowercased when the body
    /// never capitalises it inside a sentence and the title is in sentence case (`Năng lượng mặt trời`,
    /// `Learning to cook`) or the body uses the word. All-capital words (acronyms) stay. A proper noun at the start of
    /// a sentence-case topic with no text to compare with (`Vietnam coffee`) is lowercased: only subtitles show it.
    static func inSentence(_ topic: String, bodyWords: WordCase) -> String {
        let words = topic.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let sentenceCase = words.dropFirst().allSatisfy { word in !(word.first?.isUppercase ?? false) }
        return words.enumerated().map { index, text -> String in
            guard let first = text.first, first.isUppercase, text.dropFirst().allSatisfy({ !$0.isUppercase }) else { return text }
            let lower = text.lowercased()
            let letters = lower.filter { $0.isLetter || $0.isNumber || $0 == "'" || $0 == "’" }
            if bodyWords.lowercase.contains(letters) { return lower }
            if index == 0, !bodyWords.capitalisedInside.contains(letters), sentenceCase || bodyWords.seen.contains(letters) {
                return lower
            }
            return text
        }.joined(separator: " ")
    }
}
