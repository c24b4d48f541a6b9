import ArgumentParser
import Foundation
import PhimCore
import PhimGen

/// `phim eval MODEL DATA`: how close a generator's clips come to the set it learned from.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a generator against its training set: distances, class accuracy, motion statistics.",
        discussion: """
            A small 3-D CNN is trained on DATA's real clips (its classes, or for an unlabelled set in-order against \
            shuffled frames; one clip in five held out) and cached in DATA's cache. In its feature space: the Fréchet \
            and kernel distances of MODEL's samples to the real clips, beside the floor (held-out real clips) and an \
            untrained generator. These are not FID or FVD: compare them only with figures on the same set. Then the \
            class accuracy of conditional samples and per-clip motion statistics (speed, area, colour drift, \
            diversity) against the held-out real clips.
            """
    )

    @Argument(help: "The model folder (a training run, or Models/shapes).") var model: String
    @Argument(help: "The set it learned from (a folder with labels.json and clips/).") var data: String
    @Option(help: "Generated clips to measure (default: as many as the held-out real clips).") var samples: Int?
    @Option(help: "The seed for the classifier and the samples.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let loaded = try GeneratorModel.load(from: URL(fileURLWithPath: model))
        let bars = [
            "decode": ProgressBar(label: "decode", unit: "clips", rateUnit: "clips/s"),
            "classifier": ProgressBar(label: "classifier", unit: "steps", rateUnit: "it/s"),
            "measure": ProgressBar(label: "measure", unit: "clips", rateUnit: "clips/s"),
        ]
        let progress: ProgressHandler = { update in bars[update.stage]?.update(update) }
        let (model, data, samples, seed) = (model, data, samples, seed)
        let report = try await runBlocking(named: "phim-eval", cancellation: cancellation) { () throws(PhimError) in
            try GeneratorEvaluation.evaluate(loaded, modelPath: model, data: URL(fileURLWithPath: data), samples: samples, seed: seed,
                                             progress: progress, cancellation: cancellation)
        }
        Console.shared.clear()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.summary(report))
        }
    }

    /// The judge on held-out real clips, class by class, and what it most often took each class for: what caps the
    /// class accuracy a model can show.
    static func judgeByClass(_ classifier: GeneratorEvaluation.Classifier) -> [String] {
        let names = classifier.classNames, confusion = classifier.heldOutConfusion
        guard !names.isEmpty, confusion.count == names.count, confusion.allSatisfy({ $0.count == names.count }) else { return [] }
        let width = max(names.map(\.count).max() ?? 0, 6)
        var lines = ["judge on held-out real clips, by class:"]
        for (index, row) in confusion.enumerated() {
            let total = row.reduce(0, +)
            guard total > 0 else { continue }
            var line = "  " + names[index].padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: " %5.1f %% of %d", Double(row[index]) * 100 / Double(total), total)
            if let (other, count) = row.enumerated().filter({ $0.offset != index }).max(by: { $0.element < $1.element }), count > 0 {
                line += String(format: ", taken for %@ %.1f %%", names[other], Double(count) * 100 / Double(total))
            }
            lines.append(line)
        }
        return lines
    }

    static func summary(_ report: GeneratorEvaluation) -> String {
        func figure(_ value: Double) -> String { String(format: abs(value) >= 100 ? "%.1f" : "%.4g", value) }
        let task = report.classifier.task == .classes ? "the set's classes" : "in order against shuffled"
        var lines = [
            String(format: "classifier: %@, held-out accuracy %.1f %%%@", task, report.classifier.heldOutAccuracy * 100,
                   report.classifier.cached ? " (cached)" : ""),
            "\(report.samples) samples against \(report.realClips) real clips (floor: \(report.samples) held-out real clips)",
            "                    model      floor  untrained",
        ]
        for (name, distance) in [("Fréchet distance", report.frechet), ("kernel distance", report.kernel)] {
            lines.append(name.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + [distance.model, distance.floor, distance.untrained].map { figure($0).leftPadded(11) }.joined())
        }
        if let accuracy = report.classAccuracy {
            lines.append(String(format: "class accuracy  %10.1f %%  (held-out real %.1f %%, untrained %.1f %%)", accuracy * 100,
                                report.classifier.heldOutAccuracy * 100, (report.untrainedClassAccuracy ?? 0) * 100))
        }
        lines += judgeByClass(report.classifier)
        lines.append(String(format: "animate         %10.1f dB PSNR of the first frame against the still (lowest %.1f dB)",
                            report.animatePSNR, report.animatePSNRLowest))
        lines.append("                    model       real  Wasserstein")
        for (name, statistic) in [("speed", report.speed), ("area", report.area), ("colour drift", report.colourDrift),
                                  ("diversity", report.diversity)] {
            lines.append(name.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + [statistic.model, statistic.real].map { figure($0).leftPadded(11) }.joined()
                         + (name == "diversity" ? "" : figure(statistic.wasserstein).leftPadded(13)))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
