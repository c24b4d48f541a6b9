import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// `phim detect train`, `eval` and `detect FILE` as a user runs them, on real photos moved by ffmpeg (real) and the
/// same videos drawn at a quarter of their size and scaled back up, as a generator's upsampler draws (generated).
@Suite(.serialized) struct DetectCLITests {
    static let photos = ["obama.jpg", "biden.jpg", "astronaut.png", "messi5.jpg", "fruits.jpg", "baboon.jpg"]

    /// A 2 s, 10 fps, 320×240 pan over `photo`, in `real/`; `upsampled` draws it at 80×60 and scales it back up
    /// (bilinear), in `fakes/upsampled/`; `blurred` blurs it, in `fakes/blurred/`.
    static func clip(_ photo: String, upsampled: Bool, blurred: Bool = false, in folder: TemporaryFolder) throws -> URL {
        let kind = upsampled ? "fakes/upsampled" : blurred ? "fakes/blurred" : "real"
        try FileManager.default.createDirectory(at: folder.file(kind), withIntermediateDirectories: true)
        let url = folder.file("\(kind)/\(photo.split(separator: ".")[0]).mp4")
        let resize = upsampled ? ",scale=80:60:flags=area,scale=320:240:flags=bilinear" : blurred ? ",gblur=sigma=1.5" : ""
        let status = try FFmpegTool.run([
            "-loop", "1", "-i", try SampleMedia.url(photo).path, "-vf",
            "scale=400:-2,crop=320:240:x='20+20*sin(2*PI*t/2)':y='10+5*t'\(resize)", "-t", "2", "-r", "10",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", url.path,
        ])
        #expect(status == 0)
        return url
    }

    @Test func aDetectorTrainedOnSomeVideosSeparatesOthersAndSaysWhatItFound() throws {
        let folder = TemporaryFolder()
        var real: [URL] = [], fake: [URL] = [], blurred: [URL] = []
        for photo in Self.photos {
            real.append(try Self.clip(photo, upsampled: false, in: folder))
            fake.append(try Self.clip(photo, upsampled: true, in: folder))
            blurred.append(try Self.clip(photo, upsampled: false, blurred: true, in: folder))
        }
        // Train on four photos' clips, evaluate on the other two (never the same source in both).
        let model = folder.file("detector")
        let trained = try CLIRunner.run(["detect", "train", "-o", model.path]
                                        + real.prefix(4).flatMap { ["--real", $0.path] } + fake.prefix(4).flatMap { ["--fake", $0.path] }
                                        + blurred.prefix(4).flatMap { ["--fake", $0.path] })
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("held-out videos AUC") && trained.stderr.contains("the metadata-only control's AUC"), "\(trained.stderr)")
        #expect(trained.stderr.contains("each generator left out of training: blurred"), "\(trained.stderr)")
        struct Sidecar: Decodable {
            struct Set: Decodable { var realVideos, fakeVideos: [String] }
            var kind: String
            var heldOutGenerators: [String: Double]?
            var trainedOn: Set
        }
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: model.appendingPathComponent("model.json")))
        #expect(sidecar.kind == "phim-detector" && sidecar.heldOutGenerators?.keys.sorted() == ["blurred", "upsampled"], "\(sidecar)")
        let plot = folder.file("reliability.png")
        let eval = try CLIRunner.run(["detect", "eval", "--model", model.path, "--json", "--plot", plot.path]
                                     + real.suffix(2).flatMap { ["--real", $0.path] } + fake.suffix(2).flatMap { ["--fake", $0.path] })
        #expect(eval.status == 0, "\(eval.stderr)")
        struct Report: Decodable {
            struct Metrics: Decodable { var auc, accuracy: Double; var count: Int }
            struct File: Decodable { var file: String; var generated: Bool; var probability: Double }
            var metrics: Metrics
            var aucInterval: [Double]?
            var files: [File]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(eval.stdout.utf8))
        #expect(report.metrics.count == 4 && report.metrics.auc == 1 && report.files.count == 4, "\(eval.stdout)")
        #expect(try ImageLoader.load(plot).size == PixelSize(width: 640, height: 640))

        // One file: an unlabelled real clip, and a Phim-labelled copy of it, which provenance marks as known AI while
        // the detector's own probability stays what it was.
        let labelled = folder.file("labelled.mp4")
        #expect(try CLIRunner.run(["label", real[5].path, "-o", labelled.path]).status == 0)
        struct Verdict: Decodable {
            struct Found: Decodable { var c2pa: String; var watermarkDetected, knownAI: Bool }
            struct Frame: Decodable { var time, score: Double }
            var probability: Double
            var provenance: Found
            var detectors: [String: Double]
            var frames: [Frame]
        }
        func verdict(_ url: URL) throws -> Verdict {
            let result = try CLIRunner.run(["detect", url.path, "--model", model.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONDecoder().decode(Verdict.self, from: Data(result.stdout.utf8))
        }
        let plain = try verdict(real[5]), marked = try verdict(labelled), upsampled = try verdict(fake[5])
        #expect(!plain.provenance.knownAI && plain.provenance.c2pa == "Absent")
        #expect(marked.provenance.knownAI && marked.provenance.c2pa == "Trusted" && marked.provenance.watermarkDetected)
        #expect(abs(marked.probability - plain.probability) < 0.2, "\(marked.probability) against \(plain.probability)")
        #expect(upsampled.probability > plain.probability, "\(upsampled.probability) against \(plain.probability)")
        #expect(plain.frames.count == 4 && plain.detectors["spectral-linear-1"] == plain.probability, "\(plain.frames.map(\.time))")
        let text = try CLIRunner.run(["detect", fake[5].path, "--model", model.path])
        #expect(text.stdout.contains("provenance:  C2PA Absent") && text.stdout.contains("detector:"), "\(text.stdout)")

        // The heat map of a clip whose right half alone was drawn small and scaled up: redder on the right.
        let half = folder.file("half.mp4")
        #expect(try FFmpegTool.run([
            "-loop", "1", "-i", try SampleMedia.url("baboon.jpg").path, "-filter_complex",
            "[0]scale=400:-2,crop=320:240:x='20+20*sin(2*PI*t/2)':y='10+5*t',split[a][b];"
                + "[b]crop=160:240:160:0,scale=40:60:flags=area,scale=160:240:flags=bilinear[r];[a][r]overlay=160:0",
            "-t", "2", "-r", "10", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", half.path,
        ]) == 0)
        let map = folder.file("map.png")
        let mapped = try CLIRunner.run(["detect", half.path, "--model", model.path, "--heatmap", map.path])
        #expect(mapped.status == 0, "\(mapped.stderr)")
        let picture = try ImageLoader.load(map)
        #expect(picture.height == 256, "\(picture.size)")
        let (red, blue) = picture.format == .rgba ? (0, 2) : (2, 0)
        func redness(_ xs: Range<Int>) -> Double {
            var sum = 0.0
            picture.withUnsafeBytes { bytes in
                for y in 0..<picture.height {
                    for x in xs {
                        let s = y * picture.bytesPerRow + x * 4
                        sum += Double(bytes[s + red]) - Double(bytes[s + blue])
                    }
                }
            }
            return sum / Double(xs.count * picture.height)
        }
        let left = redness(0..<(picture.width / 3)), right = redness((2 * picture.width / 3)..<picture.width)
        #expect(right > left + 20, "red minus blue: left \(left), right \(right)")
    }

    @Test func badInputIsOneLine() throws {
        let folder = TemporaryFolder()
        let clip = try Self.clip("obama.jpg", upsampled: false, in: folder)
        let garbage = folder.file("garbage.mp4")
        try Data("not a video".utf8).write(to: garbage)
        let notADetector = folder.file("nothing")
        try FileManager.default.createDirectory(at: notADetector, withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["detect", clip.path, "--model", notADetector.path], "nothing/model.json"),
            (["detect", "train", "--real", clip.path, "--fake", clip.path, "-o", folder.file("d").path], "at least two videos"),
            (["detect", "train", "--real", clip.path, "--real", garbage.path, "--fake", clip.path, "--fake", clip.path,
              "-o", folder.file("d").path], "garbage.mp4"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress:") }.count == 1, "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("d").path))
    }
}
