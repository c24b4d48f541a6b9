import Foundation
import PhimCore
@_spi(Benchmarks) import PhimMedia
import PhimProvenance
import PhimTesting
import PhimWatermark
import Testing

/// Every export carries the invisible watermark, its manifest records the payload, and the mark outlives what strips
/// the manifest: re-encoding, another frame rate, a crop, another container.
@Suite(.enabled(if: SampleMedia.isAvailable("vtest.avi"), "needs opencv-doc's vtest.avi (make media)"))
struct WatermarkExportTests {
    let folder = TemporaryFolder("phim-watermark")
    static let size = PixelSize(width: 480, height: 360)

    /// 3 s of opencv-doc's street scene (people walking past a still camera) at 480×360, through the export.
    func export(_ name: String, stages: [any FrameStage] = []) throws -> (url: URL, report: ExportReport) {
        let decoder = try VideoDecoder(url: try SampleMedia.url("vtest.avi"),
                                       options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: Self.size))
        let source = GeneratedFrames(count: 30) { _ throws(PhimError) in
            guard let frame = try decoder.nextFrame() else { throw PhimError(.operationFailed, "vtest.avi ended") }
            return frame.pixels
        }
        let url = folder.file(name)
        let settings = VideoEncoderSettings(size: Self.size, frameRate: FrameRate(10), crf: 23, preset: "veryfast")
        let report = try VideoExport(video: settings, provenance: Provenance(sourceType: .composite), stages: stages)
            .write(source, to: url)
        return (url, report)
    }

    /// Runs ffmpeg with `arguments` on `input`, writing `name`.
    func ffmpeg(_ input: URL, _ arguments: [String], to name: String) throws -> URL {
        let output = folder.file(name)
        try #require(try FFmpegTool.run(["-i", input.path] + arguments + [output.path]) == 0, "ffmpeg \(arguments)")
        return output
    }

    @Test func everyExportIsMarkedAndItsManifestRecordsThePayload() throws {
        let (url, report) = try export("marked.mp4")
        let payload = try #require(report.watermark)
        let psnr = try #require(report.watermarkPSNR)
        #expect(psnr > 42 && psnr < 60, "watermark PSNR \(psnr) dB")
        let reading = try WatermarkDetector.read(url)
        #expect(reading.detected, "p \(reading.pValue)")
        #expect(reading.payload == payload)
        #expect(reading.pValue < 1e-20)
        #expect(reading.frames == 30)
        let pem = try #require(try SigningIdentity.local().authorityPEM)
        let manifest = try C2PAVerifier(trustAnchors: try C2PAVerifier.certificates(pem: pem)).verify(url)
        #expect(manifest.state == .trusted)
        #expect(manifest.watermarkPayload == payload.description)
        // A payload of its own for each export.
        let (_, second) = try export("second.mp4")
        #expect(second.watermark != payload)
    }

    @Test func theMarkOutlivesWhatStripsTheManifest() throws {
        let (url, report) = try export("marked.mp4")
        let payload = try #require(report.watermark)
        let attacks: [(name: String, arguments: [String])] = [
            ("crf30.mp4", ["-c:v", "libx264", "-crf", "30"]),
            ("fps8.mkv", ["-vf", "fps=8", "-c:v", "libx264", "-crf", "28"]),
            ("crop.mp4", ["-vf", "crop=432:324:21:17", "-c:v", "libx264", "-crf", "23"]),
            ("mpeg4.avi", ["-c:v", "mpeg4", "-q:v", "4"]),
        ]
        for attack in attacks {
            let copy = try ffmpeg(url, attack.arguments, to: attack.name)
            let reading = try WatermarkDetector.read(copy)
            #expect(reading.detected && reading.payload == payload, "\(attack.name): p \(reading.pValue), bits \(hex(reading.bits))")
        }
    }

    /// Frames with nowhere to hide the mark: a dark ground (plain, or a gradient a luma step every few rows) and one
    /// bright disc moving across it, as titles on plain grounds and the shapes dataset's clips are. The writer asks
    /// x264 to keep the faint blocks' grain, which its usual quantiser would drop.
    func flatVideo(_ name: String, size: PixelSize, frames: Int, gradient: Bool) throws -> (url: URL, report: ExportReport) {
        let source = GeneratedFrames(count: frames) { index throws(PhimError) in
            var pixels = PixelBuffer(size: size)
            let (w, h) = (size.width, size.height)
            let radius = Double(min(w, h)) / 7
            let cx = Double(w) * (0.2 + 0.6 * Double(index) / Double(frames)), cy = Double(h) * 0.45
            let rowBytes = pixels.bytesPerRow
            pixels.withUnsafeMutableBytes { raw in
                for y in 0..<h {
                    let ground = gradient ? 24 + 24 * y / h : 40
                    for x in 0..<w {
                        let inside = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy) < radius * radius
                        let at = y * rowBytes + x * 4
                        raw[at] = inside ? 40 : UInt8(ground + 20)  // blue
                        raw[at + 1] = inside ? 220 : UInt8(ground / 2)
                        raw[at + 2] = inside ? 250 : UInt8(ground / 2)
                        raw[at + 3] = 255
                    }
                }
            }
            return pixels
        }
        let url = folder.file(name)
        let settings = VideoEncoderSettings(size: size, frameRate: FrameRate(25), crf: 23, preset: "veryfast")
        let report = try VideoExport(video: settings, provenance: Provenance(sourceType: .digitalCreation)).write(source, to: url)
        return (url, report)
    }

    @Test(arguments: [(PixelSize(width: 640, height: 360), 50, true), (PixelSize(width: 192, height: 192), 16, false),
                      (PixelSize(width: 256, height: 256), 16, true)])
    func flatAndSmallVideosCarryAReadableMark(size: PixelSize, frames: Int, gradient: Bool) throws {
        let (url, report) = try flatVideo("flat.mp4", size: size, frames: frames, gradient: gradient)
        let payload = try #require(report.watermark)
        let psnr = try #require(report.watermarkPSNR)
        #expect(psnr > 42, "watermark PSNR \(psnr) dB")
        let reading = try WatermarkDetector.read(url)
        #expect(reading.detected && reading.payload == payload, "\(size): p \(reading.pValue), agreement \(reading.pilotAgreement)")
        #expect(reading.pValue < 1e-15, "\(size): p \(reading.pValue)")
    }

    @Test func videoPhimNeverMarkedIsNotTakenForMarked() throws {
        let (unmarked, report) = try export("unmarked.mp4", stages: [WithoutProvenanceForBenchmarks()])
        #expect(report.watermark == nil && report.watermarkPSNR == nil)
        for url in [unmarked, try SampleMedia.url("vtest.avi"), try SampleMedia.url("Megamind.avi")] {
            let reading = try WatermarkDetector.read(url)
            #expect(!reading.detected && reading.payload == nil, "\(url.lastPathComponent): p \(reading.pValue)")
            #expect(reading.pValue > 1e-3, "\(url.lastPathComponent): p \(reading.pValue)")
        }
    }

    @Test func unreadableFilesAreNamed() throws {
        let text = folder.file("notes.txt")
        try Data("not a video".utf8).write(to: text)
        let error = #expect(throws: PhimError.self) { try WatermarkDetector.read(text) }
        #expect(error?.description.contains("notes.txt") == true)
        let sound = try WAVWriter.tone(to: folder.file("tone.wav"), seconds: 1, frequency: 440, amplitude: 0.5)
        #expect(throws: PhimError.self) { try WatermarkDetector.read(sound) }
    }
}
