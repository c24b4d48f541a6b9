import Foundation
import PhimCompose
import PhimCore
import PhimMedia
import PhimSpeech
import PhimTesting
import Testing
@testable import PhimMake
import PhimScript

/// `phim make` when things go wrong or get large: failures leave no files, previous storyboards survive, an LLM
/// script that does not fit falls back, big amounts chart in millions, and the music loops seamlessly.
@Suite(.serialized) struct MakeRobustnessTests {
    let folder = TemporaryFolder("phim-make-robust")
    static let text = "# Bees\n\nBees pollinate most of the crops we eat. Farms depend on them every season.\n\n## Gardens\n\nA balcony of herbs can feed hundreds of bees.\n"

    func options(_ name: String) throws -> MakeOptions {
        let input = folder.file("\(name).md")
        try Data(Self.text.utf8).write(to: input)
        return MakeOptions(input: input, output: folder.file("\(name).mp4"), duration: 8, music: .none,
                           storyboard: folder.file("\(name).json"), preview: true)
    }

    @Test func aSubtitlePathThatCannotBeWrittenLeavesNothingBehind() async throws {
        let options = try options("blocked")
        try FileManager.default.createDirectory(at: folder.file("blocked.vtt"), withIntermediateDirectories: true)
        await #expect(throws: PhimError.self) { _ = try await VideoMaker(options: options).make() }
        for name in ["blocked.mp4", "blocked.srt", "blocked.json", "blocked.assets"] {
            #expect(!FileManager.default.fileExists(atPath: folder.file(name).path), "\(name) was left behind")
        }
    }

    @Test func aFailedRunKeepsThePreviousStoryboardAndItsAssets() async throws {
        var options = try options("again")
        defer { try? FileManager.default.removeItem(at: folder.file("again.vtt")) }
        _ = try await VideoMaker(options: options).make()
        let storyboard = try Data(contentsOf: folder.file("again.json"))
        let narration = try Data(contentsOf: folder.file("again.assets/narration.wav"))
        // The second run fails after writing new assets: its WebVTT path is taken by a folder.
        options.duration = 9
        try FileManager.default.removeItem(at: folder.file("again.vtt"))
        try FileManager.default.createDirectory(at: folder.file("again.vtt"), withIntermediateDirectories: true)
        await #expect(throws: PhimError.self) { _ = try await VideoMaker(options: options).make() }
        #expect(try Data(contentsOf: folder.file("again.json")) == storyboard)
        #expect(try Data(contentsOf: folder.file("again.assets/narration.wav")) == narration)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func anLLMScriptTooLongForTheDurationFallsBackToTheBuiltInWriter() async throws {
        let long = Array(repeating: "Bees visit thousands of flowers every single day to gather nectar and pollen for the hive.", count: 12)
            .joined(separator: " ")
        let reply = #"{"title": "Bees", "scenes": [{"title": "Bees", "narration": "\#(long)", "keywords": ["bees"], "bullets": []}]}"#
        let envelope: [String: Any] = ["id": "1", "object": "chat.completion", "model": "test",
                                       "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": reply]]]]
        let server = try LocalHTTPServer(response: .init(status: 200, contentType: "application/json",
                                                         text: String(decoding: try JSONSerialization.data(withJSONObject: envelope), as: UTF8.self)))
        var options = try options("llm")
        options.llm = server.url
        let warnings = WarningLog()
        let report = try await VideoMaker(options: options, warn: { warnings.append($0) }).make()
        server.stop()
        #expect(report.frameCount == 240)
        #expect(report.llmFallback?.contains("needs") == true, "\(report.llmFallback ?? "nil")")
        #expect(warnings.lines.contains { $0.contains("using the built-in script writer") }, "\(warnings.lines)")
    }

    @Test func largeAmountsAreChartedInMillionsAndBillions() {
        let (values, unit) = SceneDesigner.scaled([9.513e15, 1.0221e16], unit: "VND", language: .vietnamese)
        #expect(values == [9513, 10221] && unit == " nghìn tỷ VND")
        let (small, percent) = SceneDesigner.scaled([30, 45], unit: "%", language: .english)
        #expect(small == [30, 45] && percent == "%")
        let (money, dollars) = SceneDesigner.scaled([2.5e9, 1.2e9], unit: "USD", language: .english)
        #expect(money == [2.5, 1.2] && dollars == " billion USD")
    }

    @Test func theMusicLoopWrapsWithoutAJump() {
        let synth = MusicBedSynthesizer(mood: .upbeat, seed: 2)
        let loop = synth.loop(covering: 20)
        let frames = loop.count / 2
        #expect(abs(Double(frames) / 48_000 / synth.cycleSeconds - (Double(frames) / 48_000 / synth.cycleSeconds).rounded()) < 1e-3)
        #expect(Double(frames) / 48_000 >= 20)
        // The step across the wrap is no bigger than the largest step inside the loop.
        var largest: Float = 0
        for index in 1..<frames { largest = max(largest, abs(loop[2 * index] - loop[2 * index - 2])) }
        let wrap = abs(loop[0] - loop[2 * (frames - 1)])
        #expect(wrap <= largest, "wrap step \(wrap), largest step \(largest)")
    }
}

/// Warnings collected from another thread.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
