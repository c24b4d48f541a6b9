import Foundation
import PhimCore
import Testing
@testable import PhimScript

@Suite struct ScriptWriterTests {
    static let english = ScriptWriter(document: SourceDocument.parse(Samples.englishArticle), language: .english, style: .explainer)
    static let vietnamese = ScriptWriter(document: SourceDocument.parse(Samples.vietnameseArticle), language: .vietnamese, style: .explainer)

    /// Every sentence of the document's paragraphs and list items, in order, as the writer could speak them.
    static func sourceOrder(_ text: String, language: ScriptLanguage) -> [String] {
        let document = SourceDocument.parse(text)
        let splitter = SentenceSplitter(language: language)
        return document.sections.flatMap { section in
            section.paragraphs.flatMap { splitter.sentences(in: $0) }
                + section.bullets.flatMap { splitter.sentences(in: ScriptText.sentenceForm($0)) }
        }
    }

    @Test(arguments: [(english, Samples.englishArticle, ScriptLanguage.english),
                      (vietnamese, Samples.vietnameseArticle, ScriptLanguage.vietnamese)])
    func keepsArticleOrderAndRespectsBudgets(writer: ScriptWriter, text: String, language: ScriptLanguage) {
        let order = Self.sourceOrder(text, language: language)
        var previousWords = 0
        for budget in stride(from: 0, through: writer.availableWords + 10, by: 3) {
            let script = writer.script(maxWords: budget)
            // Hook first and closing last, always.
            #expect(script.scenes.first?.role == .hook)
            #expect(script.scenes.last?.role == .closing)
            #expect(script.scenes.dropFirst().dropLast().allSatisfy { $0.role == .body })
            #expect(script.scenes.count >= 3)
            // The budget holds once it can.
            if budget >= writer.minimumWords { #expect(script.wordCount <= budget, "budget \(budget)") }
            #expect(script.wordCount >= writer.minimumWords)
            // More words never give a shorter script.
            #expect(script.wordCount >= previousWords, "budget \(budget)")
            previousWords = script.wordCount
            // Body sentences come from the article, in its order.
            let body = script.scenes.filter { $0.role == .body }.flatMap(\.sentences)
            let positions = body.map { order.firstIndex(of: $0) }
            #expect(!positions.contains(nil), "\(body)")
            let known = positions.compactMap { $0 }
            #expect(known == known.sorted())
            // Scene sizes.
            for scene in script.scenes where scene.role == .body {
                #expect(!scene.sentences.isEmpty)
                #expect(scene.sentences.count <= ScriptWriter.maxSentencesPerScene)
                #expect(scene.sentences.count == 1 || scene.wordCount <= ScriptWriter.maxWordsPerScene)
                #expect(scene.keywords.count <= 4)
                #expect(scene.bullets.count <= 5)
            }
        }
        #expect(writer.script(maxWords: nil).wordCount == writer.availableWords)
        #expect(writer.script(maxWords: writer.availableWords) == writer.script(maxWords: nil))
        #expect(writer.script(maxWords: writer.minimumWords).scenes.count == 3)
    }

    @Test func deterministic() {
        let again = ScriptWriter(document: SourceDocument.parse(Samples.englishArticle), language: .english, style: .explainer)
        for budget in [nil, 40, 80, 120] {
            #expect(again.script(maxWords: budget) == Self.english.script(maxWords: budget))
        }
    }

    @Test func englishScriptShape() throws {
        let script = Self.english.script(maxWords: nil)
        #expect(script.title == "Urban Gardens")
        #expect(script.language == .english)
        #expect(script.scenes[0].title == "Urban Gardens")
        #expect(script.scenes[0].sentences.joined(separator: " ").lowercased().contains("urban gardens"))
        let titles = script.scenes.filter { $0.role == .body }.map(\.title)
        #expect(titles.contains("Why grow food in the city"))
        #expect(titles.contains("The numbers"))
        // The list goes on screen with its section.
        let listScene = try #require(script.scenes.first { $0.bullets.contains("Fresh vegetables within reach") })
        #expect(listScene.title == "Why grow food in the city")
        // Figures ride with the scene that says them.
        let numbers = try #require(script.scenes.first { $0.title == "The numbers" })
        #expect(numbers.figures.map(\.text).contains("40%"))
        #expect(numbers.figures.map(\.text).contains("$236 billion"))
        #expect(!numbers.figures.contains { $0.text.contains("2023") })
        // A long section is split; the parts keep the heading.
        #expect(titles.filter { $0 == "Getting started" }.count == 2)
    }

    @Test func vietnameseKeepsDiacritics() throws {
        let script = Self.vietnamese.script(maxWords: nil)
        #expect(script.title == "Cà phê Việt Nam")
        let everything = script.scenes.flatMap { $0.sentences + $0.keywords + $0.bullets + [$0.title] }
        for text in everything { #expect(text == text.nfc) }
        #expect(script.scenes[0].sentences.joined().contains("cà phê Việt Nam") || script.scenes[0].sentences.joined().contains("Cà phê Việt Nam"))
        let numbers = try #require(script.scenes.first { $0.title == "Con số" })
        #expect(numbers.figures.map(\.text) == ["4,2 tỷ USD", "90%", "1,8 triệu tấn"])
        #expect(script.scenes.flatMap(\.keywords).contains("cà phê"))
        let closing = script.scenes.last!.sentences.joined(separator: " ")
        #expect(closing.contains("bạn"))
    }

    @Test func everyStyleAndLanguageHasItsOwnLines() {
        var hooks: Set<String> = []
        for language in ScriptLanguage.allCases {
            for style in ScriptStyle.allCases {
                let writer = ScriptWriter(document: SourceDocument.parse(language == .english ? Samples.englishArticle : Samples.vietnameseArticle),
                                          language: language, style: style)
                let script = writer.script(maxWords: 60)
                #expect(script.style == style)
                let hook = script.scenes.first!.sentences.joined(separator: " ")
                let closing = script.scenes.last!.sentences.joined(separator: " ")
                #expect(!hook.isEmpty && !closing.isEmpty)
                #expect(!hook.contains("{") && !closing.contains("{"))
                if language == .vietnamese {
                    #expect(LanguageDetector.detect(hook + " " + closing) == .vietnamese, "\(style): \(hook) \(closing)")
                }
                hooks.insert(hook)
            }
        }
        #expect(hooks.count == 8)
    }

    @Test func questionTitles() {
        let document = SourceDocument.parse("# Máy học là gì?\n\nMáy học giúp máy tính học từ dữ liệu. Máy học có mặt trong điện thoại của bạn.")
        let script = ScriptWriter(document: document, language: .vietnamese, style: .explainer).script(maxWords: nil)
        #expect(script.scenes[0].sentences.first == "Máy học là gì?")
        #expect(script.scenes[0].sentences.count == 2)
    }

    @Test func topicOnly() {
        let document = SourceDocument.parse("Năng lượng mặt trời")
        #expect(document.kind == .topic)
        let writer = ScriptWriter(document: document, language: .vietnamese, style: .explainer)
        let script = writer.script(maxWords: 5)
        #expect(script.scenes.map(\.role) == [.hook, .body, .closing])
        #expect(script.scenes[1].sentences.count == 1)
        #expect(script.scenes[1].sentences[0].contains("Năng lượng mặt trời"))
        #expect(writer.minimumWords == writer.availableWords)
        #expect(script.wordCount == writer.minimumWords)
        #expect(script == writer.script(maxWords: nil))
    }

    @Test func outlinesAreNarratedItemByItem() {
        let writer = ScriptWriter(document: SourceDocument.parse(Samples.englishOutline), language: .english, style: .tutorial)
        let script = writer.script(maxWords: nil)
        let body = script.scenes.filter { $0.role == .body }
        #expect(body.flatMap(\.sentences) == ["Buy a sharp knife.", "Learn five basic sauces.", "Cook rice without a recipe.",
                                               "Taste as you go.", "Clean while you cook."])
        // Each scene shows the items it says.
        #expect(body.count == 2)
        for scene in body {
            #expect(scene.bullets == scene.sentences.map { String($0.dropLast()) })
        }
        #expect(script.title == "Learning to cook")
    }

    @Test func scenesWithoutHeadingsGetKeywordTitles() {
        let text = """
        Bees carry pollen from flower to flower. Without bees, many fruit trees would bear little fruit. \
        Farmers often rent bee hives when their orchards bloom. A healthy hive holds tens of thousands of bees.
        """
        let script = ScriptWriter(document: SourceDocument.parse(text), language: .english, style: .explainer).script(maxWords: nil)
        let body = script.scenes.filter { $0.role == .body }
        #expect(body.count == 2)
        for scene in body {
            #expect(!scene.title.isEmpty)
            #expect(scene.title.first?.isUppercase == true)
        }
        #expect(body.flatMap(\.keywords).contains("bees") || body.flatMap(\.keywords).contains("bee hives"))
    }

    @Test func chunking() {
        #expect(ScriptText.chunkSizes([10, 10, 10, 10]) == [2, 2])
        #expect(ScriptText.chunkSizes([5, 5, 5, 5, 5, 5, 5]) == [3, 2, 2] || ScriptText.chunkSizes([5, 5, 5, 5, 5, 5, 5]) == [2, 2, 3]
                || ScriptText.chunkSizes([5, 5, 5, 5, 5, 5, 5]) == [2, 3, 2])
        #expect(ScriptText.chunkSizes([60]) == [1])
        #expect(ScriptText.chunkSizes([30, 30]) == [1, 1])
        #expect(ScriptText.chunkSizes([]) == [])
    }

    @Test func wordCounting() {
        #expect(Script.wordCount(of: "Giá tăng 40% — từ 3.5 lên 4,9 triệu.") == 8)
        #expect(Script.wordCount(of: "  ") == 0)
    }

    @Test func topicInsideASentence() {
        let body = ScriptText.WordCase(sentences: ["Solar power is cheap.", "Cities in Vietnam use solar power."],
                                       tokenizer: WordTokenizer(language: .english))
        #expect(ScriptText.inSentence("Solar Power", bodyWords: body) == "solar power")
        #expect(ScriptText.inSentence("Vietnam Goes Solar", bodyWords: body) == "Vietnam Goes solar")
        #expect(ScriptText.inSentence("NASA and solar power", bodyWords: body) == "NASA and solar power")
        let none = ScriptText.WordCase(sentences: [], tokenizer: WordTokenizer(language: .vietnamese))
        #expect(ScriptText.inSentence("Năng lượng mặt trời", bodyWords: none) == "năng lượng mặt trời")
        #expect(ScriptText.inSentence("Hà Nội xưa", bodyWords: none) == "Hà Nội xưa")
    }

    @Test func introductionGoesUnderTheTitle() {
        let script = Self.english.script(maxWords: nil)
        #expect(script.scenes[1].title == "Urban Gardens")
        #expect(script.scenes[1].sentences.first == "City dwellers are turning rooftops and balconies into small farms.")
    }

    @Test func longTextsAreRankedByDegree() {
        var sentences = (0..<(TextRank.maxGraphSentences + 10)).map { index in
            "Solar panels make cheap electricity number \(index) for homes."
        }
        sentences[5] = "My cat sleeps on the sofa."
        let scores = TextRank.scores(for: sentences, tokenizer: WordTokenizer(language: .english))
        #expect(scores.count == sentences.count)
        #expect(scores[5] == 1 - TextRank.damping)
        #expect(scores[0] > scores[5])
    }
}

@Suite struct OutlineTopicTests {
    @Test func anUntitledOutlineIsAboutItsFirstItem() {
        let document = SourceDocument.parse("- Why sleep matters\n- Adults need seven to nine hours\n- Screens before bed delay sleep\n- Keep a regular schedule\n")
        let script = ScriptWriter(document: document, language: .english, style: .tutorial).script(maxWords: nil)
        let hook = script.scenes.first { $0.role == .hook }?.narration ?? ""
        #expect(hook.lowercased().contains("why sleep matters"), "\(hook)")
    }
}
