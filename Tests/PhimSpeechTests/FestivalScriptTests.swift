import Foundation
import PhimCore
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimSpeech

/// Festival's script, its output and the timing of its words, and choosing an engine: all without Festival (a stand-in
/// program plays it where one is run).
@Suite struct FestivalScriptTests {
    /// Reads a Scheme string literal the way SIOD does: `\x` is `x`, the literal ends at the first unescaped quote.
    /// - Returns: the string and what follows the closing quote.
    func readLiteral(_ literal: String) -> (value: String, rest: String)? {
        var characters = literal.makeIterator()
        guard characters.next() == "\"" else { return nil }
        var value = ""
        while let character = characters.next() {
            switch character {
            case "\\": guard let next = characters.next() else { return nil }; value.append(next)
            case "\"": return (value, String(IteratorSequence(characters)))
            default: value.append(character)
            }
        }
        return nil
    }

    @Test func schemeStringsEscapeQuotesAndBackslashes() throws {
        #expect(FestivalScript.schemeString(#"say "hi" \ now"#) == #""say \"hi\" \\ now""#)
        #expect(FestivalScript.schemeString("") == #""""#)
        #expect(FestivalScript.schemeString("line\nbreak\ttab\u{0}nul\u{7F}") == #""line break tab nul ""#)
        #expect(FestivalScript.schemeString("café Việt") == "\"café Việt\"")
        // Text that tries to close the literal and call (system …) stays inside it, whole.
        for hostile in [#"") (system "touch /tmp/x") (""#, #"\") (exit) ("#, #"\\"#, #"\"#, #"""#, "\\\"\\\\\"\""] {
            let read = try #require(readLiteral(FestivalScript.schemeString(hostile)), "\(hostile)")
            #expect(read.value == hostile)
            #expect(read.rest.isEmpty, "\(hostile) ended the literal early")
        }
    }

    @Test func tokensAreSpelledInASCII() {
        func spelled(_ token: String) -> String { FestivalScript.asciiSpelling(token).text }
        #expect(spelled("café") == "cafe")
        #expect(spelled("Nguyễn") == "Nguyen")
        #expect(spelled("naïve—really…") == "naive-really...")
        #expect(spelled("“quoted”,") == "\"quoted\",")
        #expect(spelled("it’s") == "it's")
        #expect(spelled("Straße") == "Strasse")
        #expect(spelled("ﬁne²") == "fine2")
        #expect(spelled("soft\u{AD}ware\u{200B}") == "software")
        #expect(spelled("\u{200B}") == "-", "an invisible token still makes a token")
        #expect(FestivalScript.asciiSpelling("Москва").unsayable == Array("Москва"))
        #expect(FestivalScript.asciiSpelling("東京,").unsayable == ["東", "京"])
        #expect(FestivalScript.asciiSpelling("ok😀").unsayable == ["😀"])
        #expect(FestivalScript.asciiSpelling("Đà Nẵng").unsayable.isEmpty)
    }

    @Test func outputIsParsedOnlyWhenTheScriptFinished() throws {
        let output = """
        some line Festival printed
        phim-token 1 0
        phim-token 2 1
        phim-token 3 0
        phim-word 1 0.175 0.57499999
        phim-word 2 0.57499999 0.94999999
        phim-word 0 1.0 1.2
        phim-word 9 1.0 1.2
        phim-word 3 1.2 nan
        phim-word 3 1.2 1.4
        phim-done
        """
        let parsed = try #require(FestivalScript.parse(output))
        #expect(parsed.spaced == [false, true, false])
        #expect(parsed.words == [.init(token: 0, start: 0.175, end: 0.57499999), .init(token: 1, start: 0.57499999, end: 0.94999999),
                                 .init(token: 2, start: 1.2, end: 1.4)])
        #expect(FestivalScript.parse("phim-token 1 0\nphim-word 1 0 1\n") == nil, "no done line: the script stopped")
        // Festival's tokens after whitespace start the text's tokens; one split inside a word stays with it.
        #expect(FestivalScript.textTokenIndices(spaced: [false, true, false, true], tokenCount: 3) == [0, 1, 1, 2])
        // Should the counts disagree, tokens are spread in proportion, never past the end.
        #expect(FestivalScript.textTokenIndices(spaced: [false, true, true, true], tokenCount: 2) == [0, 0, 1, 1])
    }

    /// Festival's words on a stand-in waveform: 0.2 s of silence, a tone, 0.3 s of silence, a tone.
    @Test func festivalWordsAreRefinedAndEveryTokenLasts() {
        let rate = 16_000
        func tone(_ seconds: Double) -> [Float] {
            (0..<Int(seconds * Double(rate))).map { Float(0.4 * sin(2 * Double.pi * 220 * Double($0) / Double(rate))) }
        }
        let silence = { (seconds: Double) in [Float](repeating: 0, count: Int(seconds * Double(rate))) }
        var samples = silence(0.2) + tone(0.8) + silence(0.3) + tone(0.6) + silence(0.1)
        let text = "One, two — three four."
        let tokens = TextToken.split(text)
        // Festival's tokens: One two — three four; it says nothing for the dash, and starts "three" 30 ms early.
        let words: [FestivalScript.Word] = [.init(token: 0, start: 0.19, end: 0.6), .init(token: 1, start: 0.6, end: 1.0),
                                           .init(token: 3, start: 1.27, end: 1.6), .init(token: 4, start: 1.6, end: 1.9)]
        let timed = FestivalSynthesizer.timedWords(tokens: tokens, festivalTokens: [0, 1, 2, 3, 4], words: words,
                                                   samples: &samples, sampleRate: rate)
        #expect(timed.map(\.text) == SampleText.tokens(text))
        #expect(abs(timed[0].start - 0.2) < 0.005, "the first onset moves to the sound: \(timed[0].start)")
        #expect(abs(timed[3].start - 1.3) < 0.005, "the onset after the pause moves to the sound: \(timed[3].start)")
        #expect(abs(timed[1].end - 1.0) < 0.005 && abs(timed[4].end - 1.9) < 0.005, "Festival's ends are kept")
        #expect(timed.allSatisfy { $0.end > $0.start }, "\(timed)")
        #expect(SpeechSamples.isWellOrdered(timed, duration: Double(samples.count) / Double(rate)))

        // Nothing said at all (only punctuation): every token still gets time, inside a clip made long enough.
        var empty = [Float](repeating: 0, count: 100)
        let dashes = TextToken.split("— …")
        let silent = FestivalSynthesizer.timedWords(tokens: dashes, festivalTokens: [0, 1], words: [], samples: &empty, sampleRate: rate)
        #expect(silent.count == 2 && silent.allSatisfy { $0.end > $0.start })
        #expect(SpeechSamples.isWellOrdered(silent, duration: Double(empty.count) / Double(rate)))
    }

    /// A stand-in `festival`: a shell script with the given body.
    func standIn(_ body: String, in folder: TemporaryFolder) throws -> FestivalInstallation {
        let program = folder.file("festival-\(UUID().uuidString.prefix(8))")
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: program)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
        let voice = FestivalVoice(name: FestivalInstallation.defaultVoiceName, language: "en-us", folder: folder.url, isHTS: true)
        return FestivalInstallation(executable: program, voices: [voice])
    }

    @Test func festivalFailuresNameFestival() throws {
        let folder = TemporaryFolder()
        let english = VoiceSettings(language: "en")
        let crashing = try FestivalSynthesizer(installation: try standIn("read -r line; echo 'loading' >&2; echo 'Segmentation fault' >&2; exit 139", in: folder))
        let crash = #expect(throws: PhimError.self) { try crashing.synthesize("Hello there.", voice: english) }
        #expect(crash?.code == .operationFailed)
        #expect(crash?.description == "Festival stopped: Segmentation fault")

        let erring = try FestivalSynthesizer(installation: try standIn(#"read -r line; echo 'SIOD ERROR: unbound variable : voice_x' >&2; exec sed -un 's/^(format t "phim-end \([0-9]*\).*/phim-end \1/p'"#, in: folder))
        let error = #expect(throws: PhimError.self) { try erring.synthesize("Hello there.", voice: english) }
        #expect(error?.code == .operationFailed)
        #expect(error?.description == "Festival stopped before it had spoken with the voice cmu_us_slt_arctic_hts: SIOD ERROR: unbound variable : voice_x")

        let slow = try FestivalSynthesizer(installation: try standIn("sleep 5", in: folder), timeout: 0.3)
        let started = Date()
        let timedOut = #expect(throws: PhimError.self) { try slow.synthesize("Hello there.", voice: english) }
        #expect(timedOut?.code == .operationFailed)
        #expect(timedOut?.description == "Festival did not answer within 0.3 s")
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func voiceOptionsChooseTheEngine() throws {
        #expect(try VoiceSelection.Request(option: nil) == .init(engine: nil, voice: nil))
        #expect(try VoiceSelection.Request(option: "festival").engine == .festival)
        #expect(try VoiceSelection.Request(option: "festival:cmu_us_slt_arctic_hts") == .init(engine: .festival, voice: "cmu_us_slt_arctic_hts"))
        #expect(try VoiceSelection.Request(option: "espeak-ng:en+f3") == .init(engine: .espeak, voice: "en+f3"))
        #expect(try VoiceSelection.Request(option: "en-us") == .init(engine: .espeak, voice: "en-us"))
        let empty = #expect(throws: PhimError.self) { try VoiceSelection.Request(option: "festival:") }
        #expect(empty?.subject == .option("voice"))

        // Without Festival: English falls back to espeak-ng with one warning saying how to install it; asking for
        // Festival is an error that says the same; Vietnamese is espeak-ng's without a word.
        let fallback = try VoiceSelection.choose(option: nil, language: "en", festival: nil)
        #expect(fallback.engine == .espeak && fallback.voice == nil)
        #expect(fallback.warning?.hasPrefix("warning: ") == true && fallback.warning?.contains("apt install festival festvox-us-slt-hts") == true)
        let missing = #expect(throws: PhimError.self) { try VoiceSelection.choose(option: "festival", language: "en", festival: nil) }
        #expect(missing?.code == .invalidInput && missing?.subject == .option("voice"))
        #expect(missing?.message.contains("apt install festival festvox-us-slt-hts") == true)
        let vietnamese = try VoiceSelection.choose(option: nil, language: "vi", festival: nil)
        #expect(vietnamese.engine == .espeak && vietnamese.warning == nil)

        // With it (a stand-in is enough to choose): Festival for English, by default and by name; an unknown name lists
        // the installed voices; Vietnamese is refused by Festival and stays espeak-ng's by default.
        let festival = try standIn("exit 1", in: TemporaryFolder())
        let english = try VoiceSelection.choose(option: nil, language: "en", festival: festival)
        #expect(english.engine == .festival && english.voice == "cmu_us_slt_arctic_hts" && english.warning == nil)
        #expect(try VoiceSelection.choose(option: "festival", language: "en-gb", festival: festival).voice == "cmu_us_slt_arctic_hts")
        let unknown = #expect(throws: PhimError.self) { try VoiceSelection.choose(option: "festival:NOPE", language: "en", festival: festival) }
        #expect(unknown?.description == "--voice: unknown Festival voice 'NOPE'; installed Festival voices: cmu_us_slt_arctic_hts (en-us)")
        let refused = #expect(throws: PhimError.self) { try VoiceSelection.choose(option: "festival", language: "vi", festival: festival) }
        #expect(refused?.code == .invalidInput && refused?.message.contains("Vietnamese is spoken by espeak-ng") == true)
        #expect(try VoiceSelection.choose(option: nil, language: "vi", festival: festival).engine == .espeak)
    }
}
