import Foundation
import PhimCore
import PhimFace
import PhimMedia
import PhimTesting
import Testing

/// `phim swap train` and `phim swap --model` as a user runs them: a (tiny, few-step) model of Joe Biden's face and
/// Barack Obama's learnt from their photos, then drawn on a video panning over Obama's portrait. The figures a real
/// model reaches are measured by `Benchmarks/swap/run --trained`; these tests check the plumbing, the files, the
/// labels and the refusals.
@Suite(.serialized) struct SwapTrainCLITests {
    static let tiny = ["--batch", "2", "--encoder-width", "4", "--decoder-width", "4"]

    /// A run folder trained for `steps` steps on biden.jpg (source) and the three Obama portraits (target).
    static func train(_ run: URL, consent: URL, steps: Int, extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["swap", "train", "--source", try SampleMedia.url("biden.jpg").path,
                           "--target", try SampleMedia.url("obama.jpg").path, "--target", try SampleMedia.url("obama2.jpg").path,
                           "--target", try SampleMedia.url("obama3.jpg").path, "--consent", consent.path, "-o", run.path,
                           "--steps", "\(steps)", "--preview-every", "3", "--checkpoint-every", "3"] + tiny + extra)
    }

    @Test func trainingWritesARunThatResumesAndDrawsALabelledSwap() throws {
        let folder = TemporaryFolder()
        let consent = try SwapCLITests.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        let run = folder.file("run")
        let first = try Self.train(run, consent: consent, steps: 6)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("trained on 1 source and 3 target faces to step 6"), "\(first.stderr)")
        for name in ["checkpoint.safetensors", "model.safetensors", "model.json", "faces-source.safetensors", "faces-target.safetensors",
                     "preview.png", "previews/step-0000003.png", "previews/step-0000006.png", "losses.csv", "losses.png"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name)")
        }
        // The preview: six rows of four 64-pixel faces, each doubled, with 2-pixel gaps.
        let preview = try ImageLoader.load(run.appendingPathComponent("preview.png"))
        #expect(preview.width == 4 * 130 + 2 && preview.height == 6 * 130 + 2, "\(preview.size)")
        let sidecar = try SwapTraining.readSidecar(run)
        #expect(sidecar.step == 6 && sidecar.source.files == ["biden.jpg"] && sidecar.target.faces == 3)
        #expect(sidecar.consentSHA256 == SignedConsent.fileHash(try Data(contentsOf: consent)))

        // A second run in the same folder needs --resume, and goes on from the checkpoint.
        let again = try Self.train(run, consent: consent, steps: 8)
        #expect(again.status == 2 && again.stderr.contains("already holds a run"), "\(again.stderr)")
        let resumed = try Self.train(run, consent: consent, steps: 8, extra: ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let rows = try String(contentsOf: run.appendingPathComponent("losses.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 9 && rows.last?.hasPrefix("8,") == true, "\(rows)")

        // The model draws the face on a video of the target's person; the result is labelled as a trained swap.
        let target = try SwapCLITests.panningVideo(of: "obama.jpg", seconds: 1, in: folder)
        let output = folder.file("swap.mp4")
        let swapped = try CLIRunner.run(["swap", "--source", try SampleMedia.url("biden.jpg").path, "--target", target.path,
                                         "--consent", consent.path, "--model", run.path, "-o", output.path])
        #expect(swapped.status == 0, "\(swapped.stderr)")
        #expect(swapped.stderr.contains("15 of 15 frames swapped"), "\(swapped.stderr)")
        let before = try OutputInspector.frames(target), after = try OutputInspector.frames(output)
        #expect(after.count == before.count)
        for index in [0, before.count - 1] {
            let centre = SwapCLITests.meanDifference(before[index].pixels, after[index].pixels, x: 180..<300, y: 60..<200)
            let corners = SwapCLITests.meanDifference(before[index].pixels, after[index].pixels, x: 0..<60, y: 280..<360)
            #expect(centre > 5, "frame \(index): the face changed by \(centre) levels")
            #expect(corners < 2.5, "frame \(index): the rest changed by \(corners) levels")
        }
        let verify = try CLIRunner.run(["verify", output.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("face swap:   trained (phim-df-1, 64 px, step 8)"), "\(verify.stdout)")
    }

    @Test func trainingAndDrawingAreRefusedWithoutConsentOrWithAModelOfAnotherKind() throws {
        let folder = TemporaryFolder()
        let consent = try SwapCLITests.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        let others = try SwapCLITests.consent(for: "astronaut.png", name: "Eileen Collins", in: folder)
        // Another person's consent: refused before any training, and no run folder is left.
        let run = folder.file("run")
        let refused = try Self.train(run, consent: others, steps: 2)
        #expect(refused.status == 2 && refused.stderr.contains("the source face is not theirs"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.path))
        let sameFace = try CLIRunner.run(["swap", "train", "--source", try SampleMedia.url("biden.jpg").path,
                                          "--target", try SampleMedia.url("biden.jpg").path, "--consent", consent.path,
                                          "-o", run.path] + Self.tiny)
        #expect(sameFace.status == 2 && sameFace.stderr.contains("looks like the source's own face"), "\(sameFace.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.path))

        // --model must be a run folder of `phim swap train`, for this pair.
        let target = try SwapCLITests.panningVideo(of: "obama.jpg", seconds: 1, in: folder)
        let output = folder.file("out.mp4")
        let empty = folder.file("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let other = folder.file("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data(#"{"kind": "phim-video-gan"}"#.utf8).write(to: other.appendingPathComponent("model.json"))
        let trained = folder.file("trained")
        #expect(try Self.train(trained, consent: consent, steps: 1).status == 0)
        let elsewhere = TemporaryFolder()
        let astronaut = try SwapCLITests.panningVideo(of: "astronaut.png", seconds: 1, in: elsewhere)
        let cases: [([String], String)] = [
            (["--target", target.path, "--model", empty.path], "empty/model.json"),
            (["--target", target.path, "--model", other.path], "is not a trained swap's model"),
            (["--target", target.path, "--model", folder.file("missing").path], "is not a run folder"),
            (["--target", astronaut.path, "--model", trained.path], "was trained for another target person"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(["swap", "--source", try SampleMedia.url("biden.jpg").path, "--consent", consent.path,
                                            "-o", output.path] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress:") }.count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output.path), "\(arguments)")
        }
    }
}
