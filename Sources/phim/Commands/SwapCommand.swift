import ArgumentParser
import Foundation
import PhimCore
import PhimFace
import PhimGen
import PhimMedia
import PhimProvenance
import PhimTensor

extension ColorTransferMethod: ExpressibleByArgument {}

/// `phim swap`: face swaps, under consent, labelled; `phim swap train` learns a pair's model first.
struct SwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Put one person's face on another's in a video or a photo, with their signed consent.",
        subcommands: [SwapVideoCommand.self, SwapTrainCommand.self],
        defaultSubcommand: SwapVideoCommand.self
    )
}

/// `phim swap --source FACE --target VIDEO --consent C -o OUT.mp4 [--model RUN]`.
struct SwapVideoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Put one person's face on another's in a video or a photo, with their signed consent (the default of `phim swap`).",
        discussion: """
            The source (a photo of the face alone, or a video of the person) must be the person of the consent record \
            (phim consent create), which must be signed by a trusted Phim identity and unexpired. The target's person \
            is followed through the video (dlib's detector every few frames, landmarks every frame, smoothed over \
            time), and the source face is warped onto their landmarks, recoloured (--color), relit with the target's \
            light and shadows, and blended seamlessly, \
            leaving their open mouth their own. With --model RUN (from `phim swap train`), a trained model draws the \
            face instead, in the target's pose and expression. The target's sound is kept. A photo target gives a \
            PNG. The output carries Phim's watermark and a signed C2PA manifest that calls it a composite made with \
            trained models and names the consent file by its SHA-256.
            """
    )

    @Option(help: "The face to put in: a photo of it alone, or a video of the person.") var source: String
    @Option(help: "The video (or photo) whose person gets the face.") var target: String
    @Option(help: "The consent record of the source's person (phim consent create).") var consent: String
    @Option(name: .shortAndLong, help: "The MP4 to write (a PNG for a photo target).") var output: String
    @Option(help: "A run folder of `phim swap train` whose model draws the face (default: the classical swap, no training).")
    var model: String?
    @Option(help: "With --model: how much of the target's fine detail (finer than the model's pixels) to lay over the drawn face, 0-1 (sharper, but it brings back some of the target's features; default 0).")
    var targetDetail = 0.0
    @Option(help: "Which person of a source video, as `phim faces` numbers them.") var sourceFace: Int?
    @Option(help: "Which person of the target video to replace, as `phim faces` numbers them.") var targetFace: Int?
    @Option(help: "Colour transfer onto the target's skin: rct (Reinhard, in CIELAB), histogram, or none.")
    var color: ColorTransferMethod = .rct
    @Flag(help: "Keep the source photo's lighting on the face (by default it takes the target's light and shadows).")
    var keepSourceLighting = false
    @Option(help: "hog (fast) or cnn (more angles; slow on a CPU).") var detector: FaceDetector.Kind = .hog
    @Option(help: "Frames between face detections (landmarks are found in every frame).") var detectEvery = 6
    @Option(help: "x264's constant rate factor, 0-51.") var crf = 18
    @Option(help: "x264's preset, ultrafast … placebo.") var preset = "veryfast"
    @Option(help: "A PEM file of certificates trusted to sign consent records (may be given more than once).")
    var trust: [String] = []
    @Option(help: "Also measure the swap and write a JSON report here, with a PNG strip of before/after frames beside it.")
    var report: String?

    func run() async throws {
        guard (1...120).contains(detectEvery) else {
            throw PhimError(.invalidInput, "must be 1...120 frames, not \(detectEvery)", subject: .option("detect-every"))
        }
        guard (0...1).contains(targetDetail) else {
            throw PhimError(.invalidInput, "must be 0...1, not \(targetDetail)", subject: .option("target-detail"))
        }
        guard (0...51).contains(crf) else { throw PhimError(.invalidInput, "must be 0...51, not \(crf)", subject: .option("crf")) }
        for (number, option) in [(sourceFace, "source-face"), (targetFace, "target-face")] {
            if let number, number < 1 { throw PhimError(.invalidInput, "people are numbered from 1, not \(number)", subject: .option(option)) }
        }
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let destination = URL(fileURLWithPath: output)
        _ = try OutputFile(destination)
        let reportURL = report.map { URL(fileURLWithPath: $0) }
        let stripURL = reportURL?.deletingPathExtension().appendingPathExtension("png")
        if let reportURL, let stripURL {
            _ = try OutputFile.checkDestination(reportURL)
            _ = try OutputFile.checkDestination(stripURL)
            // The report and its strip must not land on the video or on an input.
            func path(_ url: URL) -> String { url.standardizedFileURL.resolvingSymlinksInPath().path }
            let taken = Set([destination, URL(fileURLWithPath: source), URL(fileURLWithPath: target), URL(fileURLWithPath: consent)].map(path))
            for file in [reportURL, stripURL] where taken.contains(path(file)) {
                throw PhimError(.invalidInput, "\(file.path.quoted()) would replace the video or an input; write the report elsewhere",
                                subject: .option("report"))
            }
        }
        let bar = ProgressBar(label: "swap")
        var setUp = FaceSwapJob(source: URL(fileURLWithPath: source), target: URL(fileURLWithPath: target),
                              consent: URL(fileURLWithPath: consent), sourcePerson: sourceFace, targetPerson: targetFace,
                              model: model.map { URL(fileURLWithPath: $0) },
                              colorTransfer: color, relight: !keepSourceLighting, detector: detector, detectEvery: detectEvery, crf: crf, preset: preset,
                              trustAnchors: try trustedPEMs(trust), progress: bar.update, cancellation: cancellation)
        setUp.targetDetail = targetDetail
        let job = setUp
        let analyzer = try FaceAnalyzer(detector: detector)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let result = try await runBlocking(named: "phim-swap", cancellation: cancellation) { () throws(PhimError) in
            // A trained model draws on this thread: libtorch's OpenMP pool is sized per thread.
            if job.model != nil { try wrap { try Torch.setThreadCount(threads) } }
            return try job.write(to: destination, analyzer: analyzer)
        }
        Console.shared.keepStatus()
        let export = result.export
        Console.shared.line(String(format: "wrote %@: %d of %d frames swapped, %.3f s in %.1f s (%.1f frames/s); consent of %@, sha-256 %@",
                                   destination.path, result.framesSwapped, export.frameCount, export.duration, export.elapsed,
                                   Double(export.frameCount) / max(export.elapsed, 1e-9), result.approval.record.name.quoted(),
                                   String(result.approval.fileHash.prefix(16))))
        guard let reportURL, let stripURL else { return }
        let measureBar = ProgressBar(label: "measure")
        let measured = try await runBlocking(named: "phim-swap-report", cancellation: cancellation) { () throws(PhimError) in
            try SwapReport.measure(output: destination, target: job.target, result: result, analyzer: analyzer,
                                   progress: measureBar.update, cancellation: cancellation)
        }
        Console.shared.keepStatus()
        try measured.write(to: reportURL, strip: stripURL)
        Console.shared.line(measured.summary)
        Console.shared.line("wrote \(reportURL.path) and \(stripURL.path)")
    }
}
