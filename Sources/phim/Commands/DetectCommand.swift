import ArgumentParser
import Foundation
import PhimCore
import PhimDetect

/// `phim detect`: is a video generated or altered? Provenance first, then the detector's calibrated verdict.
struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Tell generated and altered video from real: provenance first, then a calibrated detector.",
        subcommands: [DetectFileCommand.self, DetectTrainCommand.self, DetectEvalCommand.self],
        defaultSubcommand: DetectFileCommand.self
    )
}

/// The detector folder a command reads: `--model`, else `Models/detector`.
private func loadDetector(_ path: String?) throws -> Detector {
    let url = URL(fileURLWithPath: path ?? "Models/detector")
    if path == nil, !FileManager.default.fileExists(atPath: url.path) {
        throw PhimError(.invalidInput, "no detector at Models/detector (none is shipped yet): train one with `phim detect train`, then give --model DIR",
                        subject: .option("model"))
    }
    return try Detector.load(url)
}

struct DetectFileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Check one video or picture (the default of `phim detect`).",
        discussion: """
            Phim's own C2PA manifest and watermark are looked for first: either marks the file as known AI output. \
            The detector's verdict follows and is never moved by what provenance was found: a probability (the mean \
            of the sampled frames' logits, through the temperature fitted on validation videos), the threshold fixed \
            on them, and a score per sampled frame. Detector: the spectral baseline (spectrum rings and block-DCT \
            statistics of the luma, logistic regression).
            """
    )

    @Argument(help: "The video or picture to check.") var file: String
    @Option(help: "The detector folder (from `phim detect train`; default Models/detector).") var model: String?
    @Flag(help: "Print JSON: probability, provenance, detectors, frames.") var json = false
    @Option(help: "Also write a PNG of where in the frame the detector sees generation (64-pixel tiles, blue 0 to red 1).")
    var heatmap: String?

    func run() async throws {
        let detector = try loadDetector(model)
        let url = URL(fileURLWithPath: file)
        let mapURL = heatmap.map { URL(fileURLWithPath: $0) }
        if let mapURL {
            try OutputFile.checkDestination(mapURL)
            guard mapURL.standardizedFileURL.resolvingSymlinksInPath().path != url.standardizedFileURL.resolvingSymlinksInPath().path else {
                throw PhimError(.invalidInput, "would replace the file checked", subject: .option("heatmap"))
            }
        }
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let verdict = try await runBlocking(named: "phim-detect", cancellation: cancellation) { () throws(PhimError) in
            try DetectionVerdict.check(url, detector: detector, mapping: mapURL != nil, cancellation: cancellation)
        }
        if let mapURL { try verdict.heatMap?.write(to: mapURL) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(verdict), as: UTF8.self))
            return
        }
        let p = verdict.provenance
        let mark = p.watermarkDetected ? String(format: "detected (p = %.2g)", p.watermarkPValue ?? 0) : "not found"
        print("provenance:  C2PA \(p.c2pa)\(p.sourceType.map { " (\($0.split(separator: "/").last ?? ""))" } ?? ""), Phim watermark \(mark)"
              + (p.knownAI ? ": known AI output" : ""))
        print(String(format: "detector:    %.3f probability of generated or altered (threshold %.3f): %@", verdict.probability,
                     verdict.threshold, verdict.calledGenerated ? "generated" : "real"))
        print("frames:      " + verdict.frames.prefix(12).map { String(format: "%.1fs %.2f", $0.time, $0.score) }.joined(separator: ", ")
              + (verdict.frames.count > 12 ? ", …" : ""))
    }
}

struct DetectTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the spectral baseline on real and generated videos, split by video, calibrated on the held-out ones.")

    @Option(help: "A real video or picture (give at least two).") var real: [String] = []
    @Option(help: "A generated or altered video or picture (give at least two). The folder it is in names its generator (fakes/gan/x.mp4: gan); a file named as a real one (x.mp4) is taken to be made from it, and the split keeps them together.")
    var fake: [String] = []
    @Option(name: .shortAndLong, help: "The detector folder to write (model.safetensors + model.json).") var output: String
    @Option(help: "The share of each class's videos held out for calibration and the threshold.") var validationShare = 0.25
    @Option(help: "The seed of the split.") var seed: UInt64 = 1

    func run() async throws {
        guard validationShare > 0, validationShare < 1 else {
            throw PhimError(.invalidInput, "must be between 0 and 1, not \(validationShare)", subject: .option("validation-share"))
        }
        let folder = URL(fileURLWithPath: output)
        try OutputFolder.check(folder)
        let bar = ProgressBar(label: "detect", unit: "videos", rateUnit: "videos/s")
        let training = DetectorTraining(real: real.map { URL(fileURLWithPath: $0) }, fake: fake.map { URL(fileURLWithPath: $0) },
                                        validationShare: validationShare, seed: seed, progress: bar.update)
        let detector = try await runBlocking(named: "phim-detect-train", cancellation: nil) { () throws(PhimError) in try training.train() }
        try detector.save(to: folder)
        Console.shared.keepStatus()
        if let v = detector.sidecar.validation {
            var control = detector.sidecar.metadataControlAUC.map { String(format: "; the metadata-only control's AUC %.3f", $0) } ?? ""
            if let held = detector.sidecar.heldOutGenerators, !held.isEmpty {
                control += "; AUC with each generator left out of training: "
                    + held.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }.joined(separator: ", ")
            }
            Console.shared.line(String(format: "wrote %@: on %d held-out videos AUC %.3f, accuracy %.3f at threshold %.3f, temperature %.2f%@",
                                       output, v.count, v.auc, v.accuracy, v.threshold, detector.model.temperature, control))
        }
    }
}

struct DetectEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a detector on real and generated videos: AUC, AP, accuracy and TPR at 1 % FPR at its threshold, ECE.")

    @Option(help: "The detector folder (default Models/detector).") var model: String?
    @Option(help: "A real video or picture.") var real: [String] = []
    @Option(help: "A generated or altered video or picture.") var fake: [String] = []
    @Flag(help: "Print the figures as JSON.") var json = false
    @Option(help: "Also draw a reliability diagram (predicted probability against the share generated) as a PNG.") var plot: String?

    /// What `--json` prints.
    struct Report: Encodable {
        var metrics: DetectionMetrics
        /// A 95 % bootstrap interval of the AUC over videos.
        var aucInterval: [Double]?
        struct File: Encodable { var file: String; var generated: Bool; var probability: Double }
        var files: [File]
    }

    func run() async throws {
        let detector = try loadDetector(model)
        guard !real.isEmpty, !fake.isEmpty else {
            throw PhimError(.invalidInput, "give at least one --real and one --fake video", subject: .option(real.isEmpty ? "real" : "fake"))
        }
        let plotURL = plot.map { URL(fileURLWithPath: $0) }
        if let plotURL { try OutputFile.checkDestination(plotURL) }
        let files = real.map { ($0, false) } + fake.map { ($0, true) }
        let probabilities = try await runBlocking(named: "phim-detect-eval", cancellation: nil) { () throws(PhimError) -> [Double] in
            try files.map { file, _ throws(PhimError) in
                try DetectionVerdict.probability(of: URL(fileURLWithPath: file), detector: detector)
            }
        }
        let labels = files.map(\.1)
        let metrics = DetectionMetrics(probabilities: probabilities, labels: labels, threshold: detector.sidecar.threshold)
        let interval = DetectionMetrics.aucInterval(probabilities: probabilities, labels: labels)
        if let plotURL { try ReliabilityPlot.write(probabilities: probabilities, labels: labels, to: plotURL) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(metrics: metrics, aucInterval: interval.map { [$0.lowerBound, $0.upperBound] },
                                files: zip(files, probabilities).map { Report.File(file: $0.0.0, generated: $0.0.1, probability: $0.1) })
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            let range = interval.map { String(format: " (95%% interval %.3f–%.3f)", $0.lowerBound, $0.upperBound) } ?? ""
            print(String(format: "videos %d (%d generated): AUC %.3f%@, AP %.3f, accuracy %.3f at threshold %.3f, TPR at 1%% FPR %.3f, ECE %.3f",
                         metrics.count, metrics.positives, metrics.auc, range, metrics.averagePrecision, metrics.accuracy, metrics.threshold,
                         metrics.tprAtOnePercentFPR, metrics.expectedCalibrationError))
        }
    }
}
