import Foundation
import PhimCore
import Testing
@testable import PhimScript

@Suite struct LanguageDetectorTests {
    @Test func paragraphs() {
        #expect(LanguageDetector.detect(Samples.vietnameseArticle) == .vietnamese)
        #expect(LanguageDetector.detect(Samples.englishArticle) == .english)
    }

    @Test func shortLines() {
        #expect(LanguageDetector.detect("Học máy là gì?") == .vietnamese)
        #expect(LanguageDetector.detect("Phở") == .vietnamese)
        #expect(LanguageDetector.detect("đường") == .vietnamese)
        #expect(LanguageDetector.detect("How solar panels work") == .english)
        #expect(LanguageDetector.detect("Machine learning") == .english)
    }

    @Test func decomposedVietnameseIsStillVietnamese() {
        // "Tiếng Việt" typed as base letters + combining marks.
        let decomposed = "Tie\u{0302}\u{0301}ng Vie\u{0323}\u{0302}t rất hay".decomposedStringWithCanonicalMapping
        #expect(LanguageDetector.detect(decomposed) == .vietnamese)
    }

    @Test func vietnameseWithoutDiacriticsByCommonWords() {
        #expect(LanguageDetector.detect("hom nay chung ta se tim hieu ve cach hoc cua nguoi viet va nhung dieu khong nen lam") == .vietnamese)
    }

    @Test func englishWithAVietnameseNameStaysEnglish() {
        #expect(LanguageDetector.detect("The novel by Nguyễn Du is the most famous poem in the history of the country.") == .english)
    }

    @Test func noEvidenceIsEnglish() {
        #expect(LanguageDetector.detect("") == .english)
        #expect(LanguageDetector.detect("2024 — 42") == .english)
    }
}

@Suite struct SentenceSplitterTests {
    let english = SentenceSplitter(language: .english)
    let vietnamese = SentenceSplitter(language: .vietnamese)

    @Test func sentencesPastTheWordLimitAreNarratedInPieces() {
        // A transcript with no full stops: pieces of at most 40 words, cut after a comma where one falls late enough.
        var words = (0..<130).map { "w\($0)" }
        words[30] += ","
        let pieces = english.sentences(in: words.joined(separator: " "))
        #expect(pieces.allSatisfy { $0.split(separator: " ").count <= SentenceSplitter.maxWords })
        #expect(pieces.joined(separator: " ") == words.joined(separator: " "), "no word lost or cut")
        #expect(pieces.first?.hasSuffix("w30,") == true, "\(pieces.first ?? "")")
        #expect(english.sentences(in: "A short sentence stays whole.") == ["A short sentence stays whole."])
    }

    @Test func plainSentences() {
        #expect(english.sentences(in: "One. Two! Three? Four") == ["One.", "Two!", "Three?", "Four"])
    }

    @Test func decimalsAndGroupedNumbersStayWhole() {
        #expect(english.sentences(in: "Growth was 3.5 percent. Then it fell.") == ["Growth was 3.5 percent.", "Then it fell."])
        #expect(vietnamese.sentences(in: "Dân số là 1.000.000 người. Con số đó tăng nhanh.")
            == ["Dân số là 1.000.000 người.", "Con số đó tăng nhanh."])
        #expect(english.sentences(in: "It ended at 2,5. The end.") == ["It ended at 2,5.", "The end."])
    }

    @Test func abbreviations() {
        #expect(english.sentences(in: "Dr. Smith arrived. He was late.") == ["Dr. Smith arrived.", "He was late."])
        #expect(english.sentences(in: "Some fruits, e.g. apples, keep well. Others rot.") == ["Some fruits, e.g. apples, keep well.", "Others rot."])
        #expect(english.sentences(in: "She moved to the U.S. in 2010. It was cold.") == ["She moved to the U.S. in 2010.", "It was cold."])
        #expect(english.sentences(in: "Mr. and Mrs. Lee met Prof. Tan. They talked.") == ["Mr. and Mrs. Lee met Prof. Tan.", "They talked."])
        #expect(english.sentences(in: "J. K. Rowling wrote it. Fans loved it.") == ["J. K. Rowling wrote it.", "Fans loved it."])
    }

    @Test func vietnameseAbbreviations() {
        #expect(vietnamese.sentences(in: "Anh ấy sống ở TP. Hồ Chí Minh. Chị ấy sống ở Hà Nội.")
            == ["Anh ấy sống ở TP. Hồ Chí Minh.", "Chị ấy sống ở Hà Nội."])
        #expect(vietnamese.sentences(in: "PGS. TS. Nguyễn Văn An phát biểu. Hội nghị kết thúc.")
            == ["PGS. TS. Nguyễn Văn An phát biểu.", "Hội nghị kết thúc."])
    }

    @Test func ellipsesAndQuotes() {
        #expect(english.sentences(in: "Wait... what happened? Nobody knew… Then it rained.")
            == ["Wait... what happened?", "Nobody knew…", "Then it rained."])
        #expect(english.sentences(in: "He said \"Stop.\" Then he left.") == ["He said \"Stop.\"", "Then he left."])
        #expect(vietnamese.sentences(in: "Cô ấy nói: “Xin chào.” Rồi cô ấy đi.") == ["Cô ấy nói: “Xin chào.”", "Rồi cô ấy đi."])
        #expect(english.sentences(in: "It is done (finally). “Good,” she said.") == ["It is done (finally).", "“Good,” she said."])
    }

    @Test func blankLinesEndSentencesAndLineBreaksAreSpaces() {
        #expect(english.sentences(in: "A title\n\nThe text goes\non here.") == ["A title", "The text goes on here."])
    }

    @Test func diacriticsAndNFCSurvive() {
        let decomposed = "Tie\u{0302}\u{0301}ng Vie\u{0323}\u{0302}t. Đẹp lắm."
        let sentences = vietnamese.sentences(in: decomposed)
        #expect(sentences == ["Tiếng Việt.", "Đẹp lắm."])
        #expect(sentences[0].unicodeScalars.count == "Tiếng Việt.".unicodeScalars.count)
    }
}

@Suite struct WordTokenizerTests {
    @Test func lowercasedWithoutPunctuation() {
        let tokenizer = WordTokenizer(language: .english)
        #expect(tokenizer.words(in: "Hello, World! It's 3.5 (really).") == ["hello", "world", "it's", "3.5", "really"])
    }

    @Test func englishStopwords() {
        let tokenizer = WordTokenizer(language: .english)
        #expect(tokenizer.contentWords(in: "The cat sat on the mat with 3 friends") == ["cat", "sat", "mat", "friends"])
    }

    @Test func vietnameseSyllablesKeepDiacritics() {
        let tokenizer = WordTokenizer(language: .vietnamese)
        #expect(tokenizer.words(in: "Học máy là một nhánh của trí tuệ nhân tạo.")
            == ["học", "máy", "là", "một", "nhánh", "của", "trí", "tuệ", "nhân", "tạo"])
        #expect(tokenizer.contentWords(in: "Học máy là một nhánh của trí tuệ nhân tạo.")
            == ["học", "máy", "nhánh", "trí", "tuệ", "nhân", "tạo"])
        // Uppercase Đ lowercases to đ, decomposed input comes out composed.
        #expect(tokenizer.words(in: "ĐƯỜNG Phố") == ["đường", "phố"])
        #expect(tokenizer.words(in: "tie\u{0302}\u{0301}ng") == ["tiếng"])
    }

    @Test func vietnameseCompoundsForKeywords() {
        let tokenizer = WordTokenizer(language: .vietnamese)
        let sentences = [
            "Học máy giúp máy tính học từ dữ liệu.",
            "Nhiều ứng dụng dùng học máy mỗi ngày.",
            "Dữ liệu tốt làm học máy chính xác hơn.",
        ]
        let extractor = KeywordExtractor(sentences: sentences, tokenizer: tokenizer)
        let keywords = extractor.keywords(in: sentences, limit: 3)
        #expect(keywords.contains("học máy"))
        #expect(!keywords.contains("học"))
        #expect(!keywords.contains("máy"))
    }

    @Test func keywordsKeepTheirWrittenForm() {
        let tokenizer = WordTokenizer(language: .english)
        let sentences = ["Solar panels turn light into power.", "Cheap solar panels spread fast in Vietnam.",
                         "Vietnam built many solar panels."]
        let keywords = KeywordExtractor(sentences: sentences, tokenizer: tokenizer).keywords(in: sentences, limit: 4)
        #expect(keywords.first == "solar panels")
        #expect(keywords.contains("Vietnam"))
    }
}

@Suite struct TextRankTests {
    @Test func centralSentenceOutranksOffTopicOne() {
        let sentences = [
            "Solar panels turn sunlight into electricity.",
            "Solar electricity from panels is now cheap.",
            "Cheap solar panels make electricity for homes.",    // shares words with every other solar sentence
            "My cat likes to sleep on the sofa.",                 // off topic
            "Homes with panels sell electricity back.",
        ]
        let scores = TextRank.scores(for: sentences, tokenizer: WordTokenizer(language: .english))
        #expect(scores.count == sentences.count)
        #expect(scores[3] == 1 - TextRank.damping)
        #expect(scores[2] > scores[3])
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 2)
    }

    @Test func vietnamese() {
        let sentences = [
            "Năng lượng mặt trời ngày càng rẻ.",
            "Tấm pin mặt trời biến ánh nắng thành điện.",
            "Điện từ tấm pin mặt trời giúp giảm chi phí năng lượng.",
            "Con mèo ngủ trên ghế.",
        ]
        let scores = TextRank.scores(for: sentences, tokenizer: WordTokenizer(language: .vietnamese))
        #expect(scores[2] > scores[3])
        #expect(scores[3] == 1 - TextRank.damping)
    }

    @Test func edgeCases() {
        let tokenizer = WordTokenizer(language: .english)
        #expect(TextRank.scores(for: [], tokenizer: tokenizer) == [])
        #expect(TextRank.scores(for: ["Alone."], tokenizer: tokenizer) == [1])
    }
}

@Suite struct VietnameseLexiconJoinTests {
    @Test func listedWordsJoinUnlessPunctuationSeparatesThem() {
        #expect(VietnameseLexicon.joins("dữ", "liệu"))
        #expect(VietnameseLexicon.joins("Dữ", "liệu,"))
        #expect(!VietnameseLexicon.joins("dữ,", "liệu"))
        #expect(!VietnameseLexicon.joins("liệu", "dữ"))
        #expect(VietnameseLexicon.joins("Trí", "tuệ"))
    }
}
