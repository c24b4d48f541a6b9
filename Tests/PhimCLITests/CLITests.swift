import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// The `phim` binary end to end: exit statuses, one-line errors, outputs.
@Suite struct CLITests {
    let folder = TemporaryFolder("phim-cli")

    func write(_ name: String, _ text: String) throws -> URL {
        let url = folder.file(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func rendersAProjectAndProbesIt() throws {
        _ = try write("p.yaml", """
        width: 320
        height: 180
        fps: 25
        clips:
          - duration: 1
            transition: { name: dissolve, duration: 0.2 }
            layers:
              - { type: gradient, colors: ["#112233", "#445566"] }
              - { type: title, text: "Xin chào" }
          - duration: 1
            layers:
              - { type: color, color: "#ff8800" }
        """)
        let result = try CLIRunner.run(["render", "p.yaml", "-o", "out.mp4"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("wrote"))
        let probe = try CLIRunner.run(["probe", "out.mp4", "--json"], in: folder.url)
        #expect(probe.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any]
        let video = (json?["video"] as? [[String: Any]])?.first
        #expect(video?["codec"] as? String == "h264")
        #expect(video?["frameCount"] as? Int == 45)
        #expect(video?["width"] as? Int == 320)
    }

    @Test func dryRunPrintsTheTimeline() throws {
        _ = try write("p.json", """
        { "width": 320, "height": 180, "fps": 10,
          "clips": [
            { "duration": 2, "transition": { "name": "wipeleft", "duration": 0.5 }, "layers": [ { "type": "color", "color": "red" } ] },
            { "duration": 1, "layers": [ { "type": "color", "color": "blue" } ] } ] }
        """)
        // An output is named, and a dry run still writes nothing.
        let result = try CLIRunner.run(["render", "p.json", "-o", "out.mp4", "--dry-run"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wipeleft"))
        #expect(result.stdout.contains("2.5"))
        #expect(folder.contents == ["p.json"], "a dry run wrote \(folder.contents)")
    }

    @Test func badInputExitsTwoWithOneLine() throws {
        _ = try write("bad.json", """
        { "width": 320, "height": 180, "clips": [ { "duration": 1, "layers": [ { "type": "image", "path": "nope.jpg" } ] } ] }
        """)
        let missing = try CLIRunner.run(["render", "bad.json", "-o", "out.mp4"], in: folder.url)
        #expect(missing.status == 2)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(missing.stderr.contains("clips[0].layers[0].path"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))

        let noProject = try CLIRunner.run(["render", "absent.json", "-o", "out.mp4"], in: folder.url)
        #expect(noProject.status == 2)
        #expect(noProject.stderr.contains("absent.json"))

        _ = try write("huge.json", #"{ "width": 100000, "height": 100000, "clips": [ { "duration": 1, "layers": [] } ] }"#)
        let huge = try CLIRunner.run(["render", "huge.json", "-o", "out.mp4"], in: folder.url)
        #expect(huge.status == 2)
        #expect(huge.stderr.contains("width") || huge.stderr.contains("height"))

        let usage = try CLIRunner.run(["render"], in: folder.url)
        #expect(usage.status == 2)

        let probe = try CLIRunner.run(["probe", "missing.mp4"], in: folder.url)
        #expect(probe.status == 2)
        #expect(probe.stderr == "phim: missing.mp4: no such file\n")
        #expect(folder.contents.allSatisfy { !$0.hasSuffix(".part") })
    }

    /// Every command is listed with what it does, and each command's own help shows its usage and the options a
    /// user needs first; help goes to stdout with status 0, an unknown command to stderr with status 2.
    @Test func helpListsTheCommands() throws {
        let result = try CLIRunner.run(["--help"])
        #expect(result.status == 0 && result.stderr.isEmpty)
        let commands: [(name: String, summary: String, options: [String])] = [
            ("probe", "Describe a media file", ["--json"]),
            ("render", "Render a project file", ["--output", "--preview", "--dry-run"]),
            ("make", "Make a narrated video", ["--output", "--duration", "--aspect", "--lang", "--voice", "--storyboard"]),
            ("model", "Inspect model checkpoints", ["info"]),
            ("verify", "Check a video's or a picture's provenance", ["--json", "--trust"]),
            ("detect", "Tell generated and altered video from real", ["train", "eval"]),
            ("identity", "Show the identity that signs", ["ca", "show"]),
        ]
        for command in commands {
            #expect(result.stdout.contains(command.name) && result.stdout.contains(command.summary), "\(command.name) missing from\n\(result.stdout)")
            let help = try CLIRunner.run(["help", command.name])
            #expect(help.status == 0, "phim help \(command.name)")
            #expect(help.stdout.contains("USAGE: phim \(command.name)"), "\(help.stdout)")
            for option in command.options { #expect(help.stdout.contains(option), "phim help \(command.name) lacks \(option)") }
        }
        let unknown = try CLIRunner.run(["frobnicate"])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty && !unknown.stderr.isEmpty)
    }
}

@Suite struct CLIInterruptTests {
    let folder = TemporaryFolder("phim-cli-interrupt")

    @Test func interruptedRenderLeavesNoOutput() throws {
        try Data("""
        { "width": 1280, "height": 720, "fps": 30,
          "clips": [ { "duration": 60, "layers": [
            { "type": "gradient", "colors": ["#000000", "#ffffff"], "shape": "radial" },
            { "type": "title", "text": "Long", "opacity": 0.9 } ] } ] }
        """.utf8).write(to: folder.file("long.json"))
        let result = try CLIRunner.run(["render", "long.json", "-o", "long.mp4"], in: folder.url, interruptAfter: 2)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cancelled"))
        #expect(folder.contents == ["long.json"], "left behind: \(folder.contents)")
    }
}
