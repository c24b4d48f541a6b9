import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// `phim render` of projects with `generated` layers, through the real binary, with a tiny model trained here: the clip
/// renders and is labelled as composed with trained-model output; bad models, classes and lengths are refused before
/// any output, naming the layer's field.
@Suite struct GeneratedLayerCLITests {
    let folder = TemporaryFolder("phim-render-generated")
    var environment: [String: String] { ["XDG_CONFIG_HOME": folder.file("config").path] }

    func run(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, in: folder.url, environment: environment)
    }

    /// A project of 96x64 at 24 fps on grey whose first clip (1.5 s) is a generated layer with `fields`, then a
    /// white clip of 0.5 s.
    func project(_ fields: String) -> String {
        """
        { "width": 96, "height": 64, "fps": 24, "background": "#202020",
          "clips": [
            { "duration": 1.5, "layers": [ { "type": "generated", \(fields) } ] },
            { "duration": 0.5, "layers": [ { "type": "color", "color": "#ffffff" } ] } ] }
        """
    }

    @Test func rendersAGeneratedLayerAndLabelsIt() throws {
        // A tiny set (4 frames at 16 fps) and a model trained for two steps.
        #expect(try run(["dataset", "shapes", "-o", "set", "--count", "6", "--size", "32", "--frames", "4"]).status == 0)
        let trained = try run(["train", "set", "-o", "run", "--steps", "2", "--batch", "2", "--width", "8",
                               "--discriminator-width", "8"])
        try #require(trained.status == 0, "\(trained.stderr)")

        // 1.25 s of the layer at the model's 16 fps is 20 frames: the motion runs on past the 4 it was trained on.
        try Data(project(#""model": "run", "seed": 7, "class": "orbit", "fit": "contain", "start": 0.25"#).utf8)
            .write(to: folder.file("p.json"))
        let rendered = try run(["render", "p.json", "-o", "out.mp4"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let frames = try OutputInspector.frames(folder.file("out.mp4"))
        #expect(frames.count == 48)
        // Grey until the layer starts at 0.25 s (frame 6); then the clip, letterboxed (contain) between grey bars; the
        // last clip is white.
        func isGrey(_ pixel: RGBA8) -> Bool { [pixel.r, pixel.g, pixel.b].allSatisfy { abs(Int($0) - 0x20) <= 10 } }
        #expect(isGrey(frames[3].pixels.averagePixel(x: 0, y: 0, width: 96, height: 64)), "grey before the layer starts")
        #expect(isGrey(frames[12].pixels.averagePixel(x: 0, y: 8, width: 12, height: 48)), "a bar at the left")
        let before = frames[3].pixels.averagePixel(x: 24, y: 8, width: 48, height: 48)
        let during = frames[12].pixels.averagePixel(x: 24, y: 8, width: 48, height: 48)
        #expect(zip([before.r, before.g, before.b], [during.r, during.g, during.b]).contains { abs(Int($0) - Int($1)) > 8 },
                "the generated clip shows in the middle: \(before) then \(during)")
        #expect(frames[47].pixels.averagePixel(x: 0, y: 0, width: 96, height: 64).g > 240)

        let verdict = try run(["verify", "--json", "out.mp4"])
        #expect(verdict.status == 0, "\(verdict.stdout) \(verdict.stderr)")
        #expect(verdict.stdout.contains("compositeWithTrainedAlgorithmicMedia"), "\(verdict.stdout)")
        #expect(verdict.stdout.contains("model.safetensors"), "the model's weights are an ingredient: \(verdict.stdout)")

        // A class the model does not have, and a layer longer than the generator's 1024 frames (64 s at 16 fps), are
        // refused before any output.
        for (fields, subject, words) in [
            (#""model": "run", "class": "spin""#, "clips[0].layers[0].class", "not one of this model's classes"),
            (#""model": "run", "class": 9"#, "clips[0].layers[0].class", "must be 0 to"),
        ] {
            try Data(project(fields).utf8).write(to: folder.file("bad.json"))
            let refused = try run(["render", "bad.json", "-o", "bad.mp4"])
            #expect(refused.status == 2, "\(fields): \(refused.stderr)")
            let line = refused.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(line.contains(subject + ": ") && line.contains(words), "\(fields): \(refused.stderr)")
            #expect(!folder.contents.contains("bad.mp4"))
        }
        try Data("""
        { "width": 96, "height": 64, "fps": 24,
          "clips": [ { "duration": 70, "layers": [ { "type": "generated", "model": "run" } ] } ] }
        """.utf8).write(to: folder.file("long.json"))
        let long = try run(["render", "long.json", "-o", "long.mp4"])
        #expect(long.status == 2, "\(long.stderr)")
        #expect(long.stderr.contains("clips[0].layers[0]: a generated layer lasts at most 64 s (1024 frames at 16 fps"),
                "\(long.stderr)")
        #expect(!folder.contents.contains("long.mp4"))
    }

    @Test func aFolderWithoutModelJSONIsRefusedNamingTheField() throws {
        try FileManager.default.createDirectory(at: folder.file("nomodel"), withIntermediateDirectories: true)
        try Data(project(#""model": "nomodel""#).utf8).write(to: folder.file("p.json"))
        let before = folder.contents
        let result = try run(["render", "p.json", "-o", "out.mp4"])
        #expect(result.status == 2, "\(result.stderr)")
        let line = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("clips[0].layers[0].model: ") && line.contains("model.json"), "\(result.stderr)")
        #expect(folder.contents == before, "nothing left behind: \(folder.contents)")
    }
}
