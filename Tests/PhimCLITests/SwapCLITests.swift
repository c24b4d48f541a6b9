import Foundation
import PhimCore
import PhimFace
import PhimMedia
import PhimTesting
import Testing

/// `phim swap` as a user runs it, on real faces: Joe Biden's official portrait put on a video that pans over Barack
/// Obama's (both from Examples/media, public-domain White House photographs).
@Suite(.serialized) struct SwapCLITests {
    /// A 480×360, 15 fps video of `seconds` panning over a portrait (the face about 150 pixels tall), with a 440 Hz
    /// tone as its sound.
    static func panningVideo(of photo: String, seconds: Double = 2, in folder: TemporaryFolder) throws -> URL {
        let url = folder.file("target.mp4")
        let status = try FFmpegTool.run([
            "-loop", "1", "-i", try SampleMedia.url(photo).path, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-filter_complex", "[0]scale=600:-2,crop=480:360:x='60+20*sin(2*PI*t/2)':y='20+10*t'[v]", "-map", "[v]", "-map", "1",
            "-t", "\(seconds)", "-r", "15", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", url.path,
        ])
        #expect(status == 0)
        return url
    }

    static func consent(for photo: String, name: String, in folder: TemporaryFolder) throws -> URL {
        let url = folder.file("consent-\(name.filter(\.isLetter)).json")
        let made = try CLIRunner.run(["consent", "create", "--name", name, "--image", try SampleMedia.url(photo).path,
                                      "--purpose", "tests", "-o", url.path])
        #expect(made.status == 0, "\(made.stderr)")
        return url
    }

    @Test func aSwapPutsTheConsentingFaceOnTheTargetKeepsTheRestAndIsLabelled() throws {
        let folder = TemporaryFolder()
        let target = try Self.panningVideo(of: "obama.jpg", in: folder)
        let consent = try Self.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        let output = folder.file("swap.mp4"), report = folder.file("report.json")
        let result = try CLIRunner.run(["swap", "--source", try SampleMedia.url("biden.jpg").path, "--target", target.path,
                                        "--consent", consent.path, "-o", output.path, "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("30 of 30 frames swapped"), "\(result.stderr)")

        // The same frames, the same sound.
        let before = try OutputInspector.frames(target), after = try OutputInspector.frames(output)
        #expect(after.count == before.count)
        let kept = OutputInspector.toneAmplitude(try OutputInspector.audio(output), frequency: 440, frames: 4800..<24000)
        let original = OutputInspector.toneAmplitude(try OutputInspector.audio(target), frequency: 440, frames: 4800..<24000)
        #expect(original > 0.05 && abs(kept - original) < 0.02 * original, "the tone: \(kept) against \(original)")

        // The face changed, the rest did not (but for the watermark and re-encoding): the centre of the picture,
        // where the face is, against its corners.
        for index in [0, before.count / 2, before.count - 1] {
            let centre = Self.meanDifference(before[index].pixels, after[index].pixels, x: 180..<300, y: 60..<200)
            let corners = Self.meanDifference(before[index].pixels, after[index].pixels, x: 0..<60, y: 280..<360)
            #expect(centre > 8, "frame \(index): the face changed by \(centre) levels")
            #expect(corners < 2.5, "frame \(index): the rest changed by \(corners) levels")
        }

        // The report: whose face it is, and how steadily it was drawn.
        struct Report: Decodable {
            var framesSwapped, framesDescribed, framesNearerSource: Int
            var jitterTracked, jitterSmoothed, meanDistanceOutputToSource, meanDistanceTargetToSource: Double
            var poseErrorYaw, poseErrorPitch, poseErrorRoll, expressionError: Double
            var consentSHA256: String
        }
        let measured = try JSONDecoder().decode(Report.self, from: Data(contentsOf: report))
        #expect(measured.framesSwapped == 30)
        #expect(measured.framesDescribed == 30 && measured.framesNearerSource == 30, "\(measured)")
        #expect(measured.meanDistanceOutputToSource < measured.meanDistanceTargetToSource - 0.15, "\(measured)")
        #expect(measured.jitterSmoothed < measured.jitterTracked / 2, "\(measured)")
        // The new face sits on the target's head: it turns, nods and tilts with it, within a few degrees.
        #expect(measured.poseErrorYaw < 8 && measured.poseErrorPitch < 8 && measured.poseErrorRoll < 4, "\(measured)")
        #expect(measured.expressionError < 0.1, "\(measured)")
        let strip = try ImageLoader.load(folder.file("report.png"))
        #expect(strip.width > 900 && strip.height > 480)

        // The manifest: a composite made with trained models, naming the consent by its hash.
        let verify = try CLIRunner.run(["verify", "--json", output.path])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        struct Verdict: Decodable {
            struct C2PA: Decodable {
                struct Swap: Decodable { var method, consentSHA256: String }
                var state: String
                var faceSwap: Swap?
                var actions: [[String: String?]]
            }
            var c2pa: C2PA
        }
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(verify.stdout.utf8))
        let hash = SignedConsent.fileHash(try Data(contentsOf: consent))
        #expect(verdict.c2pa.faceSwap?.consentSHA256 == hash)
        #expect(measured.consentSHA256 == hash)
        #expect(verdict.c2pa.faceSwap?.method == "classical")
        #expect(verdict.c2pa.actions.contains { ($0["digitalSourceType"] ?? nil)?.hasSuffix("/compositeWithTrainedAlgorithmicMedia") == true },
                "\(verdict.c2pa.actions)")
        #expect(verdict.c2pa.actions.compactMap { $0["action"] ?? nil } == ["c2pa.opened", "c2pa.edited", "c2pa.placed"]
                || verdict.c2pa.actions.compactMap { $0["action"] ?? nil } == ["c2pa.opened", "c2pa.edited"], "\(verdict.c2pa.actions)")
        let text = try CLIRunner.run(["verify", output.path])
        #expect(text.stdout.contains("face swap:   classical, under consent sha-256 \(hash)"), "\(text.stdout)")
    }

    @Test func aSwapIsRefusedWithoutAValidConsentForTheSourceFace() throws {
        let folder = TemporaryFolder()
        let target = try Self.panningVideo(of: "obama.jpg", seconds: 1, in: folder)
        let biden = try SampleMedia.url("biden.jpg").path
        let others = try Self.consent(for: "astronaut.png", name: "Eileen Collins", in: folder)
        let forged = folder.file("forged.json")
        let own = try Self.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        try String(contentsOf: own, encoding: .utf8).replacingOccurrences(of: "\"tests\"", with: "\"anything\"")
            .write(to: forged, atomically: true, encoding: .utf8)
        let output = folder.file("out.mp4")
        let cases: [([String], String)] = [
            (["--source", biden, "--consent", others.path], "the consent record is for 'Eileen Collins', and the source face is not theirs"),
            (["--source", biden, "--consent", forged.path], "does not match its contents"),
            (["--source", biden, "--consent", folder.file("missing.json").path], "missing.json"),
            (["--source", try SampleMedia.url("fruits.jpg").path, "--consent", own.path], "no face found"),
            (["--source", biden, "--consent", own.path, "--target-face", "0"], "--target-face"),
            (["--source", biden, "--consent", own.path, "--target-face", "4"], "numbered 1…1"),
            (["--source", biden, "--consent", own.path, "--detect-every", "0"], "--detect-every"),
            (["--source", biden, "--consent", own.path, "--report", output.path], "would replace the video or an input"),
            (["--source", biden, "--consent", own.path, "--report", target.path], "would replace the video or an input"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(["swap", "--target", target.path, "-o", output.path] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress:") }.count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output.path), "\(arguments)")
        }
    }

    @Test func aPhotoTargetGivesASignedWatermarkedPNG() throws {
        let folder = TemporaryFolder()
        let consent = try Self.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        let biden = try SampleMedia.url("biden.jpg").path, obama = try SampleMedia.url("obama.jpg")
        let output = folder.file("swap.png"), report = folder.file("report.json")
        let result = try CLIRunner.run(["swap", "--source", biden, "--target", obama.path, "--consent", consent.path,
                                        "-o", output.path, "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 of 1 frames swapped"), "\(result.stderr)")
        let before = try ImageLoader.load(obama), after = try ImageLoader.load(output)
        #expect(after.size == before.size)
        // Obama's face is about (366…625, 136…395) in his portrait: changed there, not in the corners.
        let face = Self.meanDifference(before, after, x: 420..<570, y: 200..<380)
        let corner = Self.meanDifference(before, after, x: 0..<150, y: 900..<1100)
        #expect(face > 8 && corner < 2, "face \(face), corner \(corner)")
        struct Report: Decodable { var framesSwapped, framesDescribed, framesNearerSource: Int }
        let measured = try JSONDecoder().decode(Report.self, from: Data(contentsOf: report))
        #expect(measured.framesSwapped == 1 && measured.framesDescribed == 1 && measured.framesNearerSource == 1, "\(measured)")
        let verify = try CLIRunner.run(["verify", output.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("c2pa:        Trusted") && verify.stdout.contains("assertion.dataHash.match"), "\(verify.stdout)")
        #expect(verify.stdout.contains("face swap:   classical"), "\(verify.stdout)")
        #expect(verify.stdout.contains("watermark:   detected") && verify.stdout.contains("matches the manifest"), "\(verify.stdout)")

        // A photo target makes a PNG: another name is refused before any work.
        let video = folder.file("swap.mp4")
        let refused = try CLIRunner.run(["swap", "--source", biden, "--target", obama.path, "--consent", consent.path, "-o", video.path])
        #expect(refused.status == 2 && refused.stderr.contains("name the output .png"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: video.path))
    }

    @Test func aTargetWithSeveralPeopleNeedsAChoiceAndOneWithoutAFaceIsRefused() throws {
        let folder = TemporaryFolder()
        let consent = try Self.consent(for: "biden.jpg", name: "Joe Biden", in: folder)
        let biden = try SampleMedia.url("biden.jpg").path
        let output = folder.file("out.mp4")
        let several = try CLIRunner.run(["swap", "--source", biden, "--target", try SampleMedia.url("Megamind.avi").path,
                                         "--consent", consent.path, "-o", output.path])
        #expect(several.status == 2)
        #expect(several.stderr.contains("people; choose one with --target-face N"), "\(several.stderr)")
        let faceless = folder.file("fruits.mp4")
        #expect(try FFmpegTool.run(["-loop", "1", "-i", try SampleMedia.url("fruits.jpg").path, "-t", "1", "-r", "10",
                                    "-vf", "scale=320:-2", "-pix_fmt", "yuv420p", faceless.path]) == 0)
        let none = try CLIRunner.run(["swap", "--source", biden, "--target", faceless.path, "--consent", consent.path, "-o", output.path])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no face found in 'fruits.mp4'"), "\(none.stderr)")
        // Messi's face in messi5.jpg is about 15 pixels between the eyes.
        let small = folder.file("messi.mp4")
        #expect(try FFmpegTool.run(["-loop", "1", "-i", try SampleMedia.url("messi5.jpg").path, "-t", "1", "-r", "10",
                                    "-pix_fmt", "yuv420p", small.path]) == 0)
        let tiny = try CLIRunner.run(["swap", "--source", biden, "--target", small.path, "--consent", consent.path, "-o", output.path])
        #expect(tiny.status == 2)
        #expect(tiny.stderr.contains("face is too small to swap"), "\(tiny.stderr)")
        let same = try CLIRunner.run(["swap", "--source", biden, "--target", faceless.path, "--consent", consent.path, "-o", faceless.path])
        #expect(same.status == 2)
        #expect(same.stderr.contains("would replace an input"), "\(same.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// The mean absolute difference of the green channel over a rectangle of two frames.
    static func meanDifference(_ a: PixelBuffer, _ b: PixelBuffer, x: Range<Int>, y: Range<Int>) -> Double {
        var total = 0.0
        a.withUnsafeBytes { p in
            b.withUnsafeBytes { q in
                for row in y { for column in x { total += abs(Double(p[row * a.bytesPerRow + column * 4 + 1]) - Double(q[row * b.bytesPerRow + column * 4 + 1])) } }
            }
        }
        return total / Double(x.count * y.count)
    }
}
