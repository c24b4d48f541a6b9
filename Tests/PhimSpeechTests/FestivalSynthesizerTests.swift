import Foundation
import PhimCore
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimSpeech

private let festival = FestivalInstallation.find()
private let hasDefaultVoice = festival?.voice(named: FestivalInstallation.defaultVoiceName) != nil

/// Festival speaking, with its default voice: run only where it is installed.
@Suite(.enabled(if: hasDefaultVoice, "needs Festival and its voice cmu_us_slt_arctic_hts (apt install festival festvox-us-slt-hts)"))
struct FestivalSynthesizerTests {
    let synthesizer: FestivalSynthesizer
    init() throws { synthesizer = try FestivalSynthesizer() }

    @Test func speaksWithOneTimedWordPerWrittenToken() throws {
        let clip = try SpeechSamples.expectSpeaksEveryToken(synthesizer, sampleRate: 32_000)
        // The first word starts with the first sound, the last ends with the last, and words after pauses (six
        // sentences, several commas) start where the sound does.
        let last = try #require(clip.words.last)
        #expect(clip.duration - last.end < 0.3)
        try SpeechSamples.expectOnsetsMatchSound(clip, minimumPauses: 6)
    }

    @Test func quotesAndBackslashesAreSpokenNotRun() throws {
        let folder = TemporaryFolder()
        let marker = folder.file("ran")
        let text = #"He said "stop" \ then left. ") (system "touch \#(marker.path)") (" \"#
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: "en"))
        #expect(!FileManager.default.fileExists(atPath: marker.path), "the text ran as Scheme")
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(clip.words.allSatisfy { $0.end > $0.start })
        // "system" and "touch" are words of the text, said like the others (a few tenths of a second each).
        for word in clip.words where word.text.contains("system") || word.text.contains("touch") {
            #expect(word.end - word.start > 0.15, "'\(word.text)' lasts \(word.end - word.start) s")
        }
        #expect(SpeechSamples.rms(clip.samples) > 0.02)
    }

    @Test func fasterRateGivesShorterClip() throws { try SpeechSamples.expectRateScales(synthesizer) }

    /// One `festival --pipe` process per thread speaking at once serves every call, and the processes stop when the
    /// synthesizer goes.
    @Test func festivalProcessesServeManyCallsAndStopWithTheSynthesizer() throws {
        var processes: [(id: Int32, folder: URL)] = []
        do {
            let speaker = try FestivalSynthesizer()
            let texts = ["One.", "Two, three.", "Four five six.", "Seven.", "Eight, nine.", "Ten."]
            let clips = try texts.concurrentMap(maxConcurrency: 2) { (text) throws(PhimError) in
                try speaker.synthesize(text, voice: VoiceSettings(language: "en"))
            }
            #expect(clips.map { $0.words.map(\.text).joined(separator: " ") } == texts)
            processes = speaker.workers.idleProcesses
            #expect((1...2).contains(processes.count), "\(processes.count) Festival processes for 2 threads")
            #expect(processes.allSatisfy { FileManager.default.fileExists(atPath: "/proc/\($0.id)") })
        }
        // Gone with the synthesizer: the processes (SIGKILL; reaped a moment later) and their folders.
        #expect(SpeechSamples.waitUntilStopped(processes.map(\.id)), "Festival processes left running")
        #expect(!processes.contains { FileManager.default.fileExists(atPath: $0.folder.path) }, "Festival folders left")
    }

    @Test func unknownVoicesAndLanguagesAreNamed() throws {
        let unknown = #expect(throws: PhimError.self) {
            try synthesizer.synthesize("Hello.", voice: VoiceSettings(language: "en", voice: "NOPE"))
        }
        #expect(unknown?.code == .invalidInput)
        #expect(unknown?.subject == .option("voice"))
        #expect(unknown?.message.contains("'NOPE'") == true && unknown?.message.contains("cmu_us_slt_arctic_hts") == true)
        let vietnamese = #expect(throws: PhimError.self) {
            try synthesizer.synthesize("Xin chào.", voice: VoiceSettings(language: "vi"))
        }
        #expect(vietnamese?.code == .invalidInput && vietnamese?.message.contains("espeak-ng") == true)
        let empty = #expect(throws: PhimError.self) { try synthesizer.synthesize(" \n ", voice: VoiceSettings(language: "en")) }
        #expect(empty?.code == .invalidInput)
        // Festival's function name is accepted for the voice too.
        let named = try synthesizer.synthesize("Hello.", voice: VoiceSettings(language: "en", voice: "voice_cmu_us_slt_arctic_hts"))
        #expect(named.words.map(\.text) == ["Hello."])
    }

    @Test func textFestivalCannotSayIsSpokenByEspeakWithOneWarning() throws {
        let lines = LockedLines()
        var fallback = synthesizer
        fallback.warn = { lines.append($0) }
        fallback.sampleRate = 48_000
        let text = "The word Москва means Moscow."
        let clip = try fallback.synthesize(text, voice: VoiceSettings(language: "en"))
        _ = try fallback.synthesize(text, voice: VoiceSettings(language: "en"))
        #expect(lines.all.count == 1, "\(lines.all)")
        #expect(lines.all.first?.hasPrefix("warning: ") == true && lines.all.first?.contains("espeak-ng") == true)
        #expect(clip.sampleRate == 48_000)
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        #expect(SpeechSamples.rms(clip.samples) > 0.02)
        // Accented Latin letters are Festival's to say, without a warning.
        let accented = try fallback.synthesize("A café in Đà Nẵng.", voice: VoiceSettings(language: "en"))
        #expect(lines.all.count == 1)
        #expect(accented.sampleRate == 48_000 && accented.words.map(\.text) == ["A", "café", "in", "Đà", "Nẵng."])
    }
}

/// Lines collected from any thread. `@unchecked Sendable`: the lines are guarded by a lock.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
