import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimSpeech

@Suite struct EspeakSynthesizerTests {
    let synthesizer: EspeakSynthesizer
    init() throws { synthesizer = try EspeakSynthesizer() }

    @Test(arguments: [("en", SampleText.english), ("vi", SampleText.vietnamese)])
    func speaksWithOneTimedWordPerToken(language: String, text: String) throws {
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: language))
        let tokens = SampleText.tokens(text)
        #expect(clip.sampleRate == 22_050)
        #expect(SpeechSamples.rms(clip.samples) > 0.02, "the clip is silent")
        // 35 words at 165 words per minute: espeak-ng speaks 2 to 4.5 words a second, pauses included.
        let wordsPerSecond = Double(tokens.count) / clip.duration
        #expect(wordsPerSecond > 2 && wordsPerSecond < 4.5, "duration \(clip.duration) s for \(tokens.count) words")
        #expect(clip.words.map(\.text) == tokens)
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        #expect(clip.words.allSatisfy { $0.end > $0.start }, "every word of this text is pronounced")
        // The first word starts with the sound, the last ends with it.
        let first = try #require(clip.words.first), last = try #require(clip.words.last)
        #expect(first.start < 0.15)
        #expect(clip.duration - last.end < 0.15)
    }

    @Test func fasterRateGivesShorterClip() throws { try SpeechSamples.expectRateScales(synthesizer) }

    /// Words that follow a pause start where their sound starts (espeak-ng's own event times are up to ~40 ms off).
    @Test(arguments: [("en", SampleText.english, 120.0), ("en", SampleText.english, 165), ("vi", SampleText.vietnamese, 165),
                      ("vi", SampleText.vietnamese, 220)])
    func wordOnsetsMatchTheAudio(language: String, text: String, wordsPerMinute: Double) throws {
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: language, wordsPerMinute: wordsPerMinute))
        let onsets = SpeechSamples.onsetsAfterSilence(clip.samples, sampleRate: clip.sampleRate)
        // The text has four sentences and several commas; at least the sentence pauses are real silences.
        #expect(onsets.count >= 4, "only \(onsets.count) pauses found")
        var totalError = 0.0
        for onset in onsets {
            let nearest = try #require(clip.words.min { abs($0.start - onset) < abs($1.start - onset) })
            #expect(abs(nearest.start - onset) <= 0.030, "sound starts at \(onset) s; nearest word '\(nearest.text)' at \(nearest.start) s")
            totalError += abs(nearest.start - onset)
        }
        // Typically within 3 ms; espeak-ng's raw event times average over 10 ms off.
        #expect(totalError / Double(max(1, onsets.count)) <= 0.006)
        // And each word before such a pause ends before it: the silence belongs to no word.
        for onset in onsets {
            guard let index = clip.words.firstIndex(where: { abs($0.start - onset) <= 0.030 }), index > 0 else { continue }
            #expect(clip.words[index - 1].end < onset - 0.05, "'\(clip.words[index - 1].text)' runs into the pause")
        }
    }

    @Test func vietnameseDiacriticsSurvive() throws {
        let text = "Tiếng Việt có dấu: ữ, ặ, ộ, ờ."
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: "vi"))
        #expect(clip.words.map(\.text) == ["Tiếng", "Việt", "có", "dấu:", "ữ,", "ặ,", "ộ,", "ờ."])
        // Decomposed input (base letters + combining marks) gives the same NFC words.
        let decomposed = text.decomposedStringWithCanonicalMapping
        #expect(decomposed.unicodeScalars.count > text.unicodeScalars.count)
        let again = try synthesizer.synthesize(decomposed, voice: VoiceSettings(language: "vi"))
        #expect(again.words.map(\.text) == clip.words.map(\.text))
        #expect(again.words.map(\.text).joined(separator: " ").unicodeScalars.count == text.unicodeScalars.count)
        // Every one-letter word is spoken, so its timing is its own (espeak-ng counted the multi-byte letters right).
        #expect(clip.words.allSatisfy { $0.end > $0.start })
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
    }

    /// Numbers and abbreviations give espeak-ng several word events per token; a lone dash gives none.
    @Test func tokensSplitOrSkippedByTheEngineStillGetOneWordEach() throws {
        let text = "It costs 1234 dollars — e.g. today, at 9:30."
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: "en"))
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        let number = clip.words[2], short = clip.words[0]
        // "one thousand two hundred and thirty four" lasts far longer than "it".
        #expect(number.end - number.start > 4 * (short.end - short.start))
    }

    @Test func emptyTextIsInvalid() {
        for text in ["", "  \n\t ", "\u{00A0}"] {
            let error = #expect(throws: PhimError.self) { try synthesizer.synthesize(text, voice: VoiceSettings(language: "en")) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message == "there is no text to speak (the text is empty)")
        }
    }

    @Test func unknownVoicesAndLanguagesAreInvalid() {
        let voice = #expect(throws: PhimError.self) {
            try synthesizer.synthesize("Hello", voice: VoiceSettings(language: "en", voice: "nobody-here"))
        }
        #expect(voice?.code == .invalidInput)
        #expect(voice?.subject == .option("voice"))
        #expect(voice?.message.hasPrefix("unknown espeak-ng voice 'nobody-here'; voices for 'en': en, en-029,") == true)
        let variant = #expect(throws: PhimError.self) {
            try synthesizer.synthesize("Hello", voice: VoiceSettings(language: "en", voice: "en+nobody"))
        }
        #expect(variant?.code == .invalidInput)
        #expect(variant?.message.contains("'nobody'") == true)
        let language = #expect(throws: PhimError.self) { try synthesizer.synthesize("Hello", voice: VoiceSettings(language: "xx")) }
        #expect(language?.description == "--lang: espeak-ng has no voice for language 'xx'")
        let rate = #expect(throws: PhimError.self) {
            try synthesizer.synthesize("Hello", voice: VoiceSettings(language: "en", wordsPerMinute: 20))
        }
        #expect(rate?.code == .invalidInput)
        let pitch = #expect(throws: PhimError.self) { try synthesizer.synthesize("Hello", voice: VoiceSettings(language: "en", pitch: 101)) }
        #expect(pitch?.code == .invalidInput)
    }

    @Test func namedVoicesAndVariantsSpeak() throws {
        #expect(EspeakSynthesizer.voiceNames(language: "vi") == ["vi", "vi-vn-x-central", "vi-vn-x-south"])
        #expect(EspeakSynthesizer.voiceNames(language: "en").contains("en-us"))
        #expect(EspeakSynthesizer.variantNames().contains("f3"))
        let plain = try synthesizer.synthesize("Good evening", voice: VoiceSettings(language: "en", voice: "en-us"))
        let female = try synthesizer.synthesize("Good evening", voice: VoiceSettings(language: "en", voice: "en-us+f3"))
        #expect(female.words.map(\.text) == ["Good", "evening"])
        #expect(female.samples != plain.samples)
    }

    @Test func missingDataIsExplained() throws {
        let folder = TemporaryFolder()
        let problem = EspeakEngine.dataFolderProblem(folder.url.path)
        #expect(problem?.code == .operationFailed)
        #expect(problem?.message.contains("ESPEAK_DATA_PATH") == true)
        let installed = try EspeakEngine.withEngine { (_, dataFolder) in dataFolder }
        #expect(EspeakEngine.dataFolderProblem(installed) == nil)
    }

    @Test func synthesisFromManyThreadsIsSerialisedSafely() {
        let texts = ["One two three.", "Xin chào các bạn.", "Four five six seven.", "Một hai ba."]
        let counts = LockedCounts()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let text = texts[index % texts.count]
            let clip = try? synthesizer.synthesize(text, voice: VoiceSettings(language: index % 2 == 0 ? "en" : "vi"))
            counts.record(clip?.words.count == SampleText.tokens(text).count && (clip?.duration ?? 0) > 0.3)
        }
        #expect(counts.successes == 8)
    }

    /// A 400-word article is normal input: it must take a small fraction of its own duration.
    @Test func longArticleIsFastAndComplete() throws {
        let article = Array(repeating: SampleText.vietnamese, count: 11).joined(separator: "\n\n")
        let started = Date()
        let clip = try synthesizer.synthesize(article, voice: VoiceSettings(language: "vi"))
        let elapsed = Date().timeIntervalSince(started)
        #expect(clip.words.count == SampleText.tokens(article).count)
        #expect(clip.words.count > 400)
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        #expect(elapsed < clip.duration / 5, "took \(elapsed) s for \(clip.duration) s of speech")
    }

    @Test func speakingRateIsMeasuredAndCached() throws {
        let english = try SpeakingRate.measure(synthesizer, voice: VoiceSettings(language: "en"))
        let vietnamese = try SpeakingRate.measure(synthesizer, voice: VoiceSettings(language: "vi"))
        #expect(english > 2 && english < 5)
        #expect(vietnamese > 2 && vietnamese < 5.5)
        let faster = try SpeakingRate.measure(synthesizer, voice: VoiceSettings(language: "en", wordsPerMinute: 250))
        #expect(faster > english * 1.25)
        let started = Date()
        #expect(try SpeakingRate.measure(synthesizer, voice: VoiceSettings(language: "en")) == english)
        #expect(Date().timeIntervalSince(started) < 0.05, "the second measurement is cached")
        #expect(SampleText.tokens(SpeakingRate.calibrationPassage(language: "vi")).count >= 35)
        #expect(SampleText.tokens(SpeakingRate.calibrationPassage(language: "en")).count >= 35)
    }
}

private final class LockedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func record(_ success: Bool) { lock.lock(); if success { count += 1 }; lock.unlock() }
    var successes: Int { lock.lock(); defer { lock.unlock() }; return count }
}
