import ArgumentParser
import Foundation
import PhimCore
@_spi(Benchmarks) import PhimMedia
import PhimProvenance

extension DigitalSourceType: ExpressibleByArgument {}

/// `phim label IN -o OUT.mp4`: Phim's provenance (the watermark and a signed C2PA manifest naming IN as its parent)
/// on a video made elsewhere.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Add Phim's watermark and a signed manifest to a video made elsewhere.",
        discussion: """
            The picture is re-encoded (H.264, CRF 18 by default) with the invisible watermark; the sound is copied \
            (re-encoded as AAC when MP4 cannot hold it). The manifest names the input as its parent ingredient, \
            with the input's own manifest, if it has one, copied in. Any video FFmpeg reads is accepted; the \
            output is an MP4.
            """
    )

    @Argument(help: "The video to label (MP4, MOV, MKV, WebM, AVI…).") var input: String
    @Option(name: .shortAndLong, help: "The MP4 to write.") var output: String
    @Option(help: ArgumentHelp("What made the picture, if you know (an IPTC digital source type: \(DigitalSourceType.allCases.map(\.rawValue).joined(separator: ", "))).",
                               valueName: "type"))
    var sourceType: DigitalSourceType?
    @Option(help: "x264's constant rate factor, 0-51 (lower keeps more detail).") var crf = 18
    @Option(help: "x264's preset, ultrafast … placebo.") var preset = "veryfast"
    @Option(help: "A PEM file of certificates to trust when validating the input's manifest (may be given more than once).")
    var trust: [String] = []
    @Flag(help: .hidden) var benchmarkUnsigned = false

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let anchors = try trustedPEMs(trust)
        let destination = URL(fileURLWithPath: output)
        _ = try OutputFile(destination)  // fail early on a missing folder, before any work
        let bar = ProgressBar(label: "label")
        var stages: [any FrameStage] = []
        if benchmarkUnsigned {
            Console.shared.warning("--benchmark-unsigned: this video has no watermark and no C2PA manifest (for benchmarks only)")
            stages.append(WithoutProvenanceForBenchmarks())
        }
        let label = VideoLabel(input: URL(fileURLWithPath: input), sourceType: sourceType, crf: crf, preset: preset,
                               trustAnchors: anchors, stages: stages, progress: bar.update, cancellation: cancellation)
        let report = try await runBlocking(named: "phim-label", cancellation: cancellation) { () throws(PhimError) in
            try label.write(to: destination)
        }
        Console.shared.keepStatus()
        let payload = report.watermark.map { ", watermark \($0)" } ?? ""
        Console.shared.line(String(format: "wrote %@: %d frames, %.3f s in %.1f s%@", destination.path, report.frameCount,
                                   report.duration, report.elapsed, payload))
    }
}
