import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// `phim dataset` through the real binary: a set that plays and verifies, and bad input as one line naming the
/// option or file, exit 2, nothing left behind.
@Suite struct DatasetCLITests {
    let folder = TemporaryFolder("phim-dataset")
    var environment: [String: String] { ["XDG_CONFIG_HOME": folder.file("config").path] }

    @Test func shapesWritesASignedWatermarkedSet() throws {
        let result = try CLIRunner.run(["dataset", "shapes", "-o", "set", "--count", "10", "--frames", "8", "--seed", "4"],
                                       in: folder.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("10 clips of 64x64, 8 frames at 16 fps (linear 2, bounce 2, orbit 2, zoom 2, rotate 2)"),
                "\(result.stderr)")
        let clip = folder.file("set/clips/00003.mp4")
        let info = try MediaProbe.probe(clip)
        #expect(info.video.first?.width == 64 && info.video.first?.height == 64)
        #expect(try OutputInspector.frames(clip).count == 8)
        // Every clip is a Phim video: signed, with the honest source type.
        let verify = try CLIRunner.run(["verify", "--json", clip.path], in: folder.url, environment: environment)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("algorithmicMedia"), "\(verify.stdout)")
        // The same seed makes the same labels.
        let again = try CLIRunner.run(["dataset", "shapes", "-o", "again", "--count", "10", "--frames", "8", "--seed", "4"],
                                      in: folder.url, environment: environment)
        #expect(again.status == 0)
        #expect(try Data(contentsOf: folder.file("set/labels.json")) == Data(contentsOf: folder.file("again/labels.json")))
    }

    @Test(arguments: [
        (["dataset", "shapes", "-o", "x", "--count", "0"], "--count"),
        (["dataset", "shapes", "-o", "x", "--size", "8"], "--size"),
        (["dataset", "shapes", "-o", "x", "--size", "65"], "--size"),
        (["dataset", "shapes", "-o", "x", "--frames", "100000"], "--frames"),
        (["dataset", "shapes", "-o", "x", "--fps", "0"], "--fps"),
        (["dataset", "shapes", "-o", "missing/x"], "missing"),
        (["dataset", "shapes", "-o", "full"], "full"),
        (["dataset", "cut", "-o", "x"], "video"),
        (["dataset", "cut", "nothing.mp4", "-o", "x"], "nothing.mp4"),
        (["dataset", "cut", "notes.txt", "-o", "x"], "notes.txt"),
    ])
    func badInputIsOneLineAndLeavesNothing(arguments: [String], naming subject: String) throws {
        try FileManager.default.createDirectory(at: folder.file("full"), withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: folder.file("full/mine.txt"))
        try Data("not a video".utf8).write(to: folder.file("notes.txt"))
        let before = folder.contents
        let result = try CLIRunner.run(arguments, in: folder.url, environment: environment)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 1 && lines.last!.contains(subject), "\(arguments): \(result.stderr)")
        #expect(folder.contents == before, "nothing left behind: \(folder.contents)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("full").path) == ["mine.txt"])
    }
}

/// `phim train`, `phim sample` and `phim animate` through the real binary, on a tiny set and model.
@Suite struct GenerationCLITests {
    let folder = TemporaryFolder("phim-generate")
    var environment: [String: String] { ["XDG_CONFIG_HOME": folder.file("config").path] }

    func run(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, in: folder.url, environment: environment)
    }

    @Test func trainSampleAndAnimate() throws {
        #expect(try run(["dataset", "shapes", "-o", "set", "--count", "6", "--size", "32", "--frames", "4"]).status == 0)
        let trained = try run(["train", "set", "-o", "run", "--steps", "2", "--batch", "2", "--width", "8", "--checkpoint-every", "1"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("trained set to step 2"), "\(trained.stderr)")
        // Again without --resume: refused, the run untouched.
        let again = try run(["train", "set", "-o", "run", "--steps", "3", "--batch", "2", "--width", "8"])
        #expect(again.status == 2 && again.stderr.contains("--resume"), "\(again.stderr)")

        let sampled = try run(["sample", "run", "-o", "out", "--count", "3", "--class", "orbit", "--scale", "2", "--frames", "6"])
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let clip = folder.file("out/sample-00002.mp4")
        let frames = try OutputInspector.frames(clip)
        #expect(frames.count == 6 && frames.first?.pixels.size == PixelSize(width: 64, height: 64))
        let verdict = try run(["verify", "--json", clip.path])
        #expect(verdict.status == 0 && verdict.stdout.contains("trainedAlgorithmicMedia"), "\(verdict.stdout)")
        // Interpolation videos: three contents, four frames apart: 9 frames.
        let morphed = try run(["sample", "run", "-o", "morph", "--count", "2", "--interpolate", "3", "--frames", "4", "--scale", "1"])
        #expect(morphed.status == 0, "\(morphed.stderr)")
        #expect(try OutputInspector.frames(folder.file("morph/interpolation-00001.mp4")).count == 9)

        let still = try MediaGenerator.colorBars(to: folder.file("still.mp4"), size: PixelSize(width: 64, height: 48), seconds: 1,
                                                 toneFrequency: nil)
        let png = folder.file("still.png")
        let extracted = try FFmpegTool.run(["-i", still.path, "-frames:v", "1", png.path])
        try #require(extracted == 0)
        let animated = try run(["animate", "still.png", "--model", "run", "-o", "moving.mp4", "--scale", "1"])
        #expect(animated.status == 0, "\(animated.stderr)")
        #expect(try OutputInspector.frames(folder.file("moving.mp4")).count == 4)
    }

    /// The model shipped under Models/shapes: small enough to commit, of this Phim's architecture, and `phim sample`
    /// makes from it clips of every class that are labelled, move, and are not blank.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: SampleMedia.packageRoot.appendingPathComponent("Models/shapes/model.json").path),
                   "no model under Models/shapes"))
    func theShippedModelSamples() throws {
        let model = SampleMedia.packageRoot.appendingPathComponent("Models/shapes")
        for name in ["model.json", "model.safetensors"] {
            let size = try FileManager.default.attributesOfItem(atPath: model.appendingPathComponent(name).path)[.size] as? Int ?? .max
            #expect(size <= 10_000_000, "\(name) is \(size) bytes")
        }
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("model.json"))) as? [String: Any]
        let config = sidecar?["config"] as? [String: Any]
        #expect(config?["architecture"] as? String == "phim-mocogan-3" && config?["size"] as? Int == 64 && config?["frames"] as? Int == 16)
        #expect((sidecar?["classes"] as? [String]) == ["linear", "bounce", "orbit", "zoom", "rotate"])

        let sampled = try run(["sample", model.path, "-o", "out", "--count", "5", "--scale", "1"])
        #expect(sampled.status == 0, "\(sampled.stderr)")
        for index in 0..<5 {
            let clip = folder.file(String(format: "out/sample-%05d.mp4", index))
            let frames = try OutputInspector.frames(clip)
            #expect(frames.count == 16 && frames.first?.pixels.size == PixelSize(width: 64, height: 64))
            guard let first = frames.first, let last = frames.last else { continue }
            // Not blank: shapes stand out from the background; and something moves between the first and last frame.
            var brightest = 0, darkest = 255 * 3, change = 0
            for y in 0..<64 {
                for x in 0..<64 {
                    let a = first.pixels.pixel(x: x, y: y), b = last.pixels.pixel(x: x, y: y)
                    let sum = Int(a.r) + Int(a.g) + Int(a.b)
                    brightest = max(brightest, sum)
                    darkest = min(darkest, sum)
                    change += a.distance(to: b)
                }
            }
            #expect(brightest - darkest > 180, "clip \(index): the brightest pixel is only \(brightest - darkest) over the darkest")
            #expect(Double(change) / 4096 > 1, "clip \(index) does not move (mean change \(Double(change) / 4096))")
        }
        let verdict = try run(["verify", "--json", folder.file("out/sample-00000.mp4").path])
        #expect(verdict.status == 0 && verdict.stdout.contains("trainedAlgorithmicMedia"), "\(verdict.stdout)")
    }

    /// `phim eval` end to end: the table, the judge class by class (and from its cache the second time), and JSON.
    @Test func evalPrintsTheTableAndTheJudgeByClass() throws {
        #expect(try run(["dataset", "shapes", "-o", "set", "--count", "80", "--size", "16", "--frames", "4"]).status == 0)
        let trained = try run(["train", "set", "-o", "run", "--steps", "2", "--batch", "4", "--width", "8"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let first = try run(["eval", "run", "set", "--samples", "20"])
        #expect(first.status == 0, "\(first.stderr)")
        for line in ["Fréchet distance", "class accuracy", "judge on held-out real clips, by class:", "  linear", "  rotate"] {
            #expect(first.stdout.contains(line), "\(line) in \(first.stdout)")
        }
        let second = try run(["eval", "run", "set", "--samples", "20", "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        let judge = json?["classifier"] as? [String: Any]
        #expect(judge?["cached"] as? Bool == true)
        #expect((judge?["heldOutConfusion"] as? [[Int]])?.count == 5 && (judge?["classNames"] as? [String])?.first == "linear")
    }

    /// libtorch is loaded on the first tensor call, not when `phim` starts: commands that use no tensor run without
    /// the runtime library, and a command that needs it and cannot load it says so in one line, with status 70.
    @Test func theTensorRuntimeLoadsOnlyWhenATensorIsUsed() throws {
        let missing = ["XDG_CONFIG_HOME": folder.file("config").path, "PHIM_TORCH_RUNTIME": folder.file("nowhere.so").path]
        let rendered = try CLIRunner.run(["dataset", "shapes", "-o", "set", "--count", "2", "--size", "32", "--frames", "4"],
                                         in: folder.url, environment: missing)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let verified = try CLIRunner.run(["verify", "set/clips/00000.mp4"], in: folder.url, environment: missing)
        #expect(verified.status == 0, "\(verified.stderr)")
        let trained = try CLIRunner.run(["train", "set", "-o", "run", "--steps", "1", "--batch", "2", "--width", "8"],
                                        in: folder.url, environment: missing)
        #expect(trained.status == 70, "\(trained.stderr)")
        let lines = trained.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress") }
        #expect(lines.count == 1 && lines[0].contains("cannot load the tensor runtime") && lines[0].contains("nowhere.so"),
                "\(trained.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/model.safetensors").path))
    }

    /// Data-parallel training on loopback: `--workers 2` starts a second process itself; `--rank/--world-size/--master`
    /// is the same run started by hand, one command a rank, as it would be across machines. Both end with the ranks'
    /// models checked to agree.
    @Test func trainsInTwoProcessesWhoseModelsAgree() throws {
        #expect(try run(["dataset", "shapes", "-o", "set", "--count", "8", "--size", "32", "--frames", "4"]).status == 0)
        let common = ["--steps", "3", "--batch", "4", "--width", "8", "--discriminator-width", "8"]
        let local = try run(["train", "set", "-o", "local"] + common + ["--workers", "2"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stderr.contains("by 2 processes (their models agree)"), "\(local.stderr)")
        let steps = try String(contentsOf: folder.file("local/losses.csv"), encoding: .utf8).split(separator: "\n").count - 1
        #expect(steps == 3)

        let port = try Loopback.freePort()
        let byHand = ["--rank", "1", "--world-size", "2", "--master", "127.0.0.1:\(port)"]
        let second = Process()
        second.executableURL = CLIRunner.executable
        second.currentDirectoryURL = folder.url
        second.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        second.arguments = ["train", "set", "-o", "manual"] + common + byHand
        second.standardOutput = FileHandle.nullDevice
        second.standardError = FileHandle.nullDevice
        try second.run()
        let first = try run(["train", "set", "-o", "manual"] + common + ["--rank", "0", "--world-size", "2", "--master", "127.0.0.1:\(port)"])
        second.waitUntilExit()
        #expect(first.status == 0 && second.terminationStatus == 0, "\(first.stderr)")
        #expect(first.stderr.contains("by 2 processes (their models agree)"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.file("manual/model.json").path))
    }

    @Test(arguments: [
        (["train", "set", "-o", "r", "--batch", "3", "--workers", "2"], "--batch"),
        (["train", "set", "-o", "r", "--batch", "2", "--video-window", "20"], "--video-window"),
        (["train", "set", "-o", "r", "--batch", "2", "--video-size", "64"], "--video-size"),
        (["train", "set", "-o", "r", "--rank", "0"], "--rank"),
        (["train", "set", "-o", "r", "--rank", "0", "--world-size", "2", "--master", "nowhere"], "--master"),
        (["train", "set", "-o", "r", "--rank", "2", "--world-size", "2", "--master", "127.0.0.1:29999", "--batch", "2"], "--rank"),
        (["sample", "nowhere", "-o", "x"], "model.json"),
        (["sample", "run", "-o", "x", "--class", "9"], "--class"),
        (["sample", "run", "-o", "x", "--class", "spin"], "--class"),
        (["sample", "run", "-o", "x", "--count", "0"], "--count"),
        (["sample", "run", "-o", "x", "--scale", "99"], "--scale"),
        (["sample", "run", "-o", "x", "--interpolate", "1"], "--interpolate"),
        (["animate", "notes.txt", "--model", "run", "-o", "x.mp4"], "notes.txt"),
        (["train", "nowhere", "-o", "r"], "labels.json"),
        (["train", "set", "-o", "r", "--batch", "0"], "--batch"),
    ])
    func badInputIsNamed(arguments: [String], naming subject: String) throws {
        #expect(try run(["dataset", "shapes", "-o", "set", "--count", "4", "--size", "32", "--frames", "4"]).status == 0)
        #expect(try run(["train", "set", "-o", "run", "--steps", "1", "--batch", "2", "--width", "8"]).status == 0)
        try Data("not an image".utf8).write(to: folder.file("notes.txt"))
        let before = folder.contents
        let result = try run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").last?.contains(subject) == true, "\(arguments): \(result.stderr)")
        #expect(folder.contents == before, "\(arguments): nothing left behind")
    }
}
