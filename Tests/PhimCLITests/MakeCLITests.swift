import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// `phim make` through the binary: bad input gives one line naming the file or option, exit 2, and nothing left
/// behind; the LLM fallback is stated and the video is still made.
@Suite struct MakeCLITests {
    let folder = TemporaryFolder("phim-make-cli")

    func write(_ name: String, _ data: Data) throws -> URL {
        let url = folder.file(name)
        try data.write(to: url)
        return url
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix("out") || $0.contains(".part") }
    }

    @Test func badInputIsOneLineExitTwoAndNoOutput() throws {
        _ = try write("empty.txt", Data())
        _ = try write("blank.md", Data("  \n\t\n  ".utf8))
        _ = try write("binary.txt", Data([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14, 0x00, 0xff, 0x00]))
        _ = try write("latin1.txt", Data([0x43, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72, 0x2e]))
        _ = try write("ok.md", Data("# Bees\n\nBees pollinate most of the crops we eat, and farms depend on them.\n".utf8))
        try FileManager.default.createDirectory(at: folder.file("pictures"), withIntermediateDirectories: true)
        _ = try write("pictures/bees.jpg", Data("this is not a jpeg".utf8))
        _ = try write("noise.mp3", Data(String(repeating: "this is not a sound file\n", count: 200).utf8))
        let cases: [([String], String)] = [
            (["empty.txt"], "empty.txt"),
            (["blank.md"], "blank.md"),
            (["binary.txt"], "binary.txt"),
            (["latin1.txt"], "latin1.txt"),
            (["missing.md"], "missing.md"),
            (["ok.md", "--duration", "0"], "--duration"),
            (["ok.md", "--duration", "-3"], "--duration"),
            (["ok.md", "--duration", "0.5"], "--duration"),
            (["ok.md", "--lang", "fr"], "--lang"),
            (["ok.md", "--aspect", "4:3"], "--aspect"),
            (["ok.md", "--images", "nowhere"], "--images"),
            (["ok.md", "--music", "nothing.mp3"], "--music"),
            (["ok.md", "--music", "noise.mp3"], "--music"),
            (["ok.md", "--voice", "no-such-voice"], "--voice"),
            (["ok.md", "--pitch", "101"], "--pitch"),
            (["ok.md", "--seed", "-9223372036854775808"], "--seed"),
        ]
        for (arguments, named) in cases {
            let result = try CLIRunner.run(["make"] + arguments + ["-o", "out.mp4", "--preview"], in: folder.url)
            #expect(result.status == 2, "\(arguments): status \(result.status), \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress: ") }
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(arguments): \(result.stderr)")
            let left = try leftovers()
            #expect(left.isEmpty, "\(arguments) left \(left)")
        }
        // A picture that does not decode is left out with one warning naming it; the video is still made.
        let result = try CLIRunner.run(["make", "ok.md", "--images", "pictures", "--no-render", "--storyboard", "s.json"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1 && warnings[0].contains("bees.jpg"), "\(result.stderr)")
    }

    @Test func unreachableLLMFallsBackToTheBuiltInWriter() throws {
        _ = try write("topic.md", Data("# Bees\n\nBees pollinate most of the crops we eat, and farms depend on them.\n".utf8))
        // Port 9 on loopback: nothing listens there, so the connection is refused at once.
        let result = try CLIRunner.run(["make", "topic.md", "-o", "out.mp4", "--preview", "--duration", "6", "--music", "none",
                                        "--llm", "http://127.0.0.1:9"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: --llm http://127.0.0.1:9"))
        #expect(result.stderr.contains("using the built-in script writer"))
        #expect(FileManager.default.fileExists(atPath: folder.file("out.mp4").path))
        #expect(FileManager.default.fileExists(atPath: folder.file("out.srt").path))
        #expect(FileManager.default.fileExists(atPath: folder.file("out.vtt").path))
    }

    @Test func noRenderWritesAStoryboardToEditAndRenderLater() throws {
        _ = try write("bees.md", Data("# Bees\n\nBees pollinate most of the crops we eat. Farms depend on them every season.\n\n## Gardens\n\nA balcony of herbs can feed hundreds of bees.\n".utf8))
        let made = try CLIRunner.run(["make", "bees.md", "--no-render", "--storyboard", "story.json", "--duration", "12",
                                      "--music", "none"], in: folder.url)
        #expect(made.status == 0, "\(made.stderr)")
        let scenes = made.stdout.split(separator: "\n")
        #expect(scenes.count >= 3 && scenes.contains { $0.contains("Bees pollinate") }, "\(made.stdout)")
        #expect(made.stderr.contains("phim render"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))
        #expect(FileManager.default.fileExists(atPath: folder.file("story.assets/narration.wav").path))
        // Render it as written, then edit it (a new title on the first scene) and render it again: the first scene's
        // title band changes, the last scene does not.
        let original = try CLIRunner.run(["render", "story.json", "-o", "original.mp4", "--preview"], in: folder.url)
        #expect(original.status == 0, "\(original.stderr)")
        var project = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.file("story.json"))) as? [String: Any])
        var clips = try #require(project["clips"] as? [[String: Any]])
        var layers = try #require(clips[0]["layers"] as? [[String: Any]])
        let title = try #require(layers.firstIndex { $0["type"] as? String == "title" })
        #expect(layers[title]["text"] as? String == "Bees")
        layers[title]["text"] = "Ong mật"
        clips[0]["layers"] = layers
        project["clips"] = clips
        try JSONSerialization.data(withJSONObject: project).write(to: folder.file("story.json"))
        let rendered = try CLIRunner.run(["render", "story.json", "-o", "edited.mp4", "--preview"], in: folder.url)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stderr.contains("360 frames"), "\(rendered.stderr)")
        let before = try frames(folder.file("original.mp4"), at: [45, 345]), after = try frames(folder.file("edited.mp4"), at: [45, 345])
        let band = 0.06..<0.26
        #expect(differingPixels(before[0], after[0], rows: band) > 300, "the new title did not reach the video")
        #expect(differingPixels(before[1], after[1], rows: 0..<1) == 0, "the last scene changed")
        let missing = try CLIRunner.run(["make", "bees.md", "--no-render"], in: folder.url)
        #expect(missing.status == 2 && missing.stderr.contains("--storyboard"))
    }

    /// The frames at these indices, decoded one by one.
    func frames(_ url: URL, at indices: [Int]) throws -> [PixelBuffer] {
        let decoder = try VideoDecoder(url: url)
        var found: [PixelBuffer] = [], index = 0
        while found.count < indices.count, let frame = try decoder.nextFrame() {
            if indices.contains(index) { found.append(frame.pixels) }
            index += 1
        }
        return found
    }

    /// Pixels that differ clearly between two frames, in a band of rows (fractions of the height).
    func differingPixels(_ a: PixelBuffer, _ b: PixelBuffer, rows: Range<Double>) -> Int {
        var count = 0
        for y in Int(rows.lowerBound * Double(a.height))..<Int(rows.upperBound * Double(a.height)) {
            for x in 0..<a.width {
                let p = a.pixel(x: x, y: y), q = b.pixel(x: x, y: y)
                if abs(Int(p.r) - Int(q.r)) + abs(Int(p.g) - Int(q.g)) + abs(Int(p.b) - Int(q.b)) > 60 { count += 1 }
            }
        }
        return count
    }
}
