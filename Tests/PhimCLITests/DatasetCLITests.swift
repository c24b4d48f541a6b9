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
