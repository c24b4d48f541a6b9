import ArgumentParser
import Foundation
import PhimCore
import PhimFace
import PhimGen
import PhimTensor

/// `phim swap train --source A --target B --consent C -o RUN`: a trained swap's model for one pair of people.
struct SwapTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn a face swap's model from videos (or photos) of two people, with the source's signed consent.",
        discussion: """
            The faces of the source's person and of the target's are cut out upright (aligned by the eyes and mouth) \
            at --size pixels, then a shared encoder with a decoder for each person learns to draw each person's faces \
            back from randomly warped copies (DeepFaceLab's DF model, sized for a CPU; DSSIM + L1 losses inside the \
            face, and a mask). RUN gets the faces, checkpoint.safetensors (to --resume from), model.safetensors + \
            model.json (what `phim swap --model RUN` reads), preview.png and previews/step-N.png (rows: source, its \
            reconstruction, target, the target with the source's face), losses.csv and losses.png. Ctrl-C saves a \
            checkpoint and stops.
            """
    )

    @Option(help: "A video or photo of the face to put in (may be given more than once, all of one person).") var source: [String]
    @Option(help: "A video or photo of the person who gets it (may be given more than once).") var target: [String]
    @Option(help: "The consent record of the source's person (phim consent create).") var consent: String
    @Option(name: .shortAndLong, help: "The run folder (new, or with --resume one that holds a checkpoint).") var output: String
    @Option(help: "Which person of the source videos, as `phim faces` numbers them.") var sourceFace: Int?
    @Option(help: "Which person of the target videos, as `phim faces` numbers them.") var targetFace: Int?
    @Option(help: "The aligned faces' side: 64 or 128.") var size = 64
    @Option(help: "Train until this step.") var steps = 20_000
    @Option(help: "Stop (saving a checkpoint) after this many minutes of training, whatever the step.") var minutes: Double?
    @Option(help: "Faces of each person a batch.") var batch = 16
    @Option(help: "Channels of the encoder's first block.") var encoderWidth = 32
    @Option(help: "Channels of the decoders' last block.") var decoderWidth = 32
    @Option(help: "Adam's learning rate.") var learningRate = 2e-4
    @Option(help: "At most this many faces of each person (evenly spaced through the videos).") var maxFaces = 2_000
    @Option(help: "Save a checkpoint and the model every N steps.") var checkpointEvery = 500
    @Option(help: "Write a preview grid every N steps.") var previewEvery = 250
    @Option(help: "The seed for initialisation and batches.") var seed: UInt64 = 1
    @Flag(help: "Continue the run in the output folder from its checkpoint.") var resume = false
    @Option(help: "hog (fast) or cnn (more angles; slow on a CPU).") var detector: FaceDetector.Kind = .hog
    @Option(help: "A PEM file of certificates trusted to sign consent records (may be given more than once).")
    var trust: [String] = []
    @Option(help: "Threads for libtorch's operators (default: one per core).") var threads: Int?

    func validate() throws {
        guard !source.isEmpty, !target.isEmpty else { throw ValidationError("give --source and --target") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        guard [64, 128].contains(size) else { throw ValidationError("--size must be 64 or 128") }
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be between 1 and 1000000") }
        if let minutes, !(minutes > 0 && minutes <= 100_000) { throw ValidationError("--minutes must be above 0") }
        guard (1...256).contains(batch) else { throw ValidationError("--batch must be between 1 and 256") }
        guard (4...256).contains(encoderWidth), (4...256).contains(decoderWidth) else {
            throw ValidationError("--encoder-width and --decoder-width must be between 4 and 256")
        }
        guard learningRate > 0, learningRate < 1 else { throw ValidationError("--learning-rate must be between 0 and 1") }
        guard (1...5_000).contains(maxFaces) else { throw ValidationError("--max-faces must be between 1 and 5000") }
        guard checkpointEvery >= 1, previewEvery >= 1 else { throw ValidationError("--checkpoint-every and --preview-every must be at least 1") }
        for (number, option) in [(sourceFace, "source-face"), (targetFace, "target-face")] {
            if let number, number < 1 { throw ValidationError("--\(option): people are numbered from 1") }
        }
    }

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        var options = SwapTraining.Options(sources: source.map { URL(fileURLWithPath: $0) }, targets: target.map { URL(fileURLWithPath: $0) },
                                           consent: URL(fileURLWithPath: consent))
        options.sourcePerson = sourceFace
        options.targetPerson = targetFace
        options.config = SwapModelConfig(size: size, encoderWidth: encoderWidth, decoderWidth: decoderWidth)
        options.settings.batch = batch
        options.settings.learningRate = learningRate
        options.steps = steps
        options.timeLimit = minutes.map { $0 * 60 }
        options.checkpointEvery = checkpointEvery
        options.previewEvery = previewEvery
        options.maxFaces = maxFaces
        options.seed = seed
        options.resume = resume
        options.detector = detector
        options.trustAnchors = try trustedPEMs(trust)
        let training = SwapTraining(run: URL(fileURLWithPath: output), options: options)
        let extractBar = ProgressBar(label: "faces")
        let bar = TrainingBar()
        let threads = self.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let report = try await runBlocking(named: "phim-swap-train", cancellation: nil) { () throws(PhimError) in
            // On the thread that trains: libtorch's OpenMP pool is sized per thread, and a new thread got one.
            try wrap { try Torch.setThreadCount(threads) }
            return try training.train(progress: bar.swapUpdate, extracting: extractBar.update, cancellation: cancellation)
        }
        Console.shared.keepStatus()
        let losses = report.lastLosses.map { String(format: " (source %.4f, target %.4f, mask %.4f)", $0.source, $0.target, $0.mask) } ?? ""
        let faces = "\(report.sourceFaces) source and \(report.targetFaces) target faces"
        if report.interrupted {
            Console.shared.line("stopped at step \(report.step)\(losses); checkpoint saved in \(output); run again with --resume to go on")
        } else {
            Console.shared.line(String(format: "trained on %@ to step %d%@ in %.1f min; model in %@ (preview.png shows it)", faces,
                                       report.step, losses, report.seconds / 60, output))
        }
    }
}
