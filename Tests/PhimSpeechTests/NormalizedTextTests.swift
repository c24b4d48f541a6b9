import Foundation
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimSpeech

private let hasEspeakData = (try? EspeakSynthesizer()) != nil
private let hasFFmpeg = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

/// The mapping from written to spoken tokens, timing through it, and bad input.
@Suite struct NormalizedTextTests {
    let vietnamese = TextNormalizer(language: "vi")

    @Test func eachWrittenTokenMapsToTheSpokenTokensItBecame() {
        let normalized = vietnamese.normalize("Giá tăng 15% lên 50.000đ.")
        #expect(normalized.writtenTokens == ["Giá", "tăng", "15%", "lên", "50.000đ."])
        #expect(normalized.spokenTokens == ["Giá", "tăng", "mười", "lăm", "phần", "trăm", "lên", "năm", "mươi", "nghìn", "đồng."])
        #expect(normalized.tokens.map(\.spoken) == [0..<1, 1..<2, 2..<6, 6..<7, 7..<11])
        #expect(TextToken.split(normalized.spokenText).map(\.text) == normalized.spokenTokens)
    }

    @Test func punctuationStaysAroundTheWordsItWasAround() {
        let normalized = vietnamese.normalize("Hôm nay (2/9), “TP.HCM” tăng 5%; còn “GDP”!")
        #expect(normalized.spokenText
                == "Hôm nay (ngày hai tháng chín), “Thành phố Hồ Chí Minh” tăng năm phần trăm; còn “gờ đê pê”!")
        let date = normalized.tokens[2]
        #expect(date.written == "(2/9),")
        #expect(Array(normalized.spokenTokens[date.spoken]) == ["(ngày", "hai", "tháng", "chín),"])
        let english = TextNormalizer(language: "en").normalize("He paid $5.20, i.e. (approx.) 5 USD.")
        #expect(english.spokenText == "He paid five dollars and twenty cents, that is (approximately) five U-S dollars.")
    }

    @Test func whitespaceBetweenTokensSurvives() {
        let normalized = vietnamese.normalize("Một 2\n\nBa\t4  5%")
        #expect(normalized.spokenText == "Một hai\n\nBa\tbốn  năm phần trăm")
        #expect(TextToken.split(normalized.spokenText).map(\.text) == normalized.spokenTokens)
    }

    /// `1 000 000` is read by its first group; the groups of zeros say nothing and take no time.
    @Test func spacedGroupsReadAsOneNumber() {
        let normalized = vietnamese.normalize("Có 1 000 000 người, 2 500 000đ.")
        #expect(normalized.spokenText == "Có một triệu người, hai triệu năm trăm nghìn đồng.")
        #expect(normalized.tokens.map(\.spoken) == [0..<1, 1..<3, 3..<3, 3..<3, 3..<4, 4..<6, 6..<9, 9..<10])
        // The timings of the written words come from the spoken words they became.
        let spoken = normalized.spokenTokens.indices.map { SpokenWord(text: normalized.spokenTokens[$0], start: Double($0), end: Double($0) + 0.5) }
        let written = normalized.writtenWords(timedBy: spoken)
        #expect(written.map(\.text) == normalized.writtenTokens)
        #expect(written[1].start == 1 && written[1].end == 2.5, "“1” lasts from “một” to “triệu”")
        #expect(written[2].start == 2.5 && written[2].end == 2.5 && written[3].end == 2.5, "“000” takes no time")
        #expect(written[7].start == 9 && written[7].end == 9.5)
        #expect(SpeechSamples.isWellOrdered(written, duration: 10))
    }

    @Test func absurdlyLongNumbersAreReadDigitByDigit() {
        let digits = String(repeating: "9876543210", count: 50)
        for (language, nine, percent) in [("vi", "chín", 2), ("en", "nine", 1)] {
            let normalized = TextNormalizer(language: language).normalize("Mã \(digits), rồi -\(digits)% và \(digits.prefix(16)).")
            let run = normalized.tokens[1].spoken
            #expect(run.count == 500)
            #expect(normalized.spokenTokens[run.first!] == nine)
            #expect(normalized.tokens[3].spoken.count == 501 + percent, "âm/minus, 500 digits, phần trăm/percent")
            #expect(normalized.tokens[5].spoken.count == 16, "16 digits is too long to read as a number")
        }
        // A long run of space-separated groups is not one number: each group is read alone.
        let groups = Array(repeating: "123", count: 200).joined(separator: " ")
        #expect(vietnamese.normalize(groups).spokenText == Array(repeating: "một trăm hai mươi ba", count: 200).joined(separator: " "))
    }

    @Test func unknownAndBrokenFormsAreLeftAsWritten() {
        let junk = "( — ... $ - – € ..5 @ a@b @@ 1/0 0/0 99:99 25:00 1e10 ١٢٣ ½ 😀 ,5 .5 -- 5- 10-20-30 1/2/3/4 US$ %5 1-2-3 "
            + "2024-13-45 2024-02-30 http:// www. 1.2.3.4.5.6.7.8.9.0.1.2 .... ///"
        for language in ["vi", "en"] {
            let normalized = TextNormalizer(language: language).normalize(junk)
            let unchanged = normalized.tokens.filter { Array(normalized.spokenTokens[$0.spoken]) == [$0.written] }.map(\.written)
            #expect(unchanged.count >= normalized.tokens.count - 3, "\(language): \(normalized.spokenText)")
            #expect(normalized.tokens.allSatisfy { !$0.spoken.isEmpty })
        }
        #expect(vietnamese.normalize("").spokenText.isEmpty && vietnamese.normalize(" \n ").tokens.isEmpty)
    }

    /// Normalisation takes time in proportion to the text, however the text is made.
    @Test func timeIsLinearInTheLengthOfTheText() {
        let paragraph = "Ngày 2/9/2024, UBND TP.HCM chi 1.500.000.000đ (tăng 12,5%) cho 1 000 km đường; xem https://www.example.com. "
        let junk = String(repeating: "1.", count: 100) + " " + String(repeating: "/", count: 100) + " "
        /// The best of three runs, against other work on the machine.
        func seconds(_ copies: Int) -> Double {
            let text = String(repeating: paragraph + junk, count: copies)
            return (0..<3).map { _ in
                let started = Date()
                let normalized = vietnamese.normalize(text)
                #expect(normalized.tokens.count == copies * 17)
                return Date().timeIntervalSince(started)
            }.min()!
        }
        let small = seconds(25), large = seconds(200)
        #expect(large < small * 16, "8 times the text took \(large / small) times as long")
        #expect(large < 10, "\(large) s for 200 paragraphs")
    }

    @Test(.enabled(if: hasEspeakData, "needs espeak-ng-data (apt-get install espeak-ng-data)"))
    func espeakSpeaksTheNormalisedTextAndTimesTheWrittenWords() throws {
        let text = "Giá tăng 15% lên 50.000đ."
        let clip = try EspeakSynthesizer().synthesize(text, voice: VoiceSettings(language: "vi"))
        #expect(clip.words.map(\.text) == ["Giá", "tăng", "15%", "lên", "50.000đ."])
        #expect(clip.words.allSatisfy { $0.end > $0.start }, "every written word is heard")
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        // "năm mươi nghìn đồng" lasts far longer than "Giá".
        let price = clip.words[4], first = clip.words[0]
        #expect(price.end - price.start > 2.5 * (first.end - first.start))
    }

    @Test(.enabled(if: hasFFmpeg, "needs the ffmpeg program to write the stand-in engine's WAV"))
    func commandEnginesGetTheNormalisedText() throws {
        let folder = TemporaryFolder()
        let record = folder.file("record.txt").path
        let template = "cat > '\(record)'; ffmpeg -nostdin -v error -y -f lavfi -i \"sine=f=440:d=2\" {output}"
        var synthesizer = try CommandSynthesizer(template: template)
        let clip = try synthesizer.synthesize("Giá 50.000đ.", voice: VoiceSettings(language: "vi"))
        #expect(try String(contentsOfFile: record, encoding: .utf8) == "Giá năm mươi nghìn đồng.\n")
        #expect(clip.words.map(\.text) == ["Giá", "50.000đ."])
        synthesizer.normalizesText = false
        _ = try synthesizer.synthesize("Giá 50.000đ.", voice: VoiceSettings(language: "vi"))
        #expect(try String(contentsOfFile: record, encoding: .utf8) == "Giá 50.000đ.\n")
    }
}
