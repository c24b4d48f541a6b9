import ArgumentParser
import Foundation
import PhimCore
import PhimGen

/// Options `phim sample` and `phim animate` share.
struct GenerationOptions: ParsableArguments {
    @Option(help: "The seed the noise is drawn from (the same seed gives the same clips).") var seed: UInt64 = 1
    @Option(name: .customLong("class"), help: "The class to generate (a number, or its name, e.g. orbit), for a conditional model.")
    var classChoice: String?
    @Option(help: "Frames a clip (more than the model was trained on runs its motion further).") var frames: Int?
    @Option(help: "Enlarge each frame this many times (nearest pixel).") var scale = 4

    /// `--class` as an index into the model's classes.
    func classIndex(in model: GeneratorModel) throws(PhimError) -> Int? {
        guard let classChoice else { return nil }
        if let number = Int(classChoice) { return number }
        guard let index = model.sidecar.classes.firstIndex(of: classChoice) else {
            throw PhimError(.invalidInput, "\(classChoice.quoted()) is not one of this model's classes (\(model.sidecar.classes.joined(separator: ", ")))",
                            subject: .option("class"))
        }
        return index
    }
}

/// `phim sample MODEL -o DIR`: new clips from a trained generator.
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate clips with a model `phim train` made (a folder with model.json and model.safetensors).",
        discussion: "Writes DIR/sample-NNNNN.mp4 (or with --interpolate DIR/interpolation-NNNNN.mp4), each labelled as trained-model output (C2PA trainedAlgorithmicMedia and the watermark)."
    )

    @Argument(help: "The model folder (a training run, or Models/shapes).") var model: String
    @Option(name: .shortAndLong, help: "The folder to write (new or empty).") var output: String
    @Option(help: "How many clips.") var count = 8
    @Option(help: "Write latent interpolation videos instead: each passes through this many random contents, --frames frames apart.")
    var interpolate: Int?
    @OptionGroup var generation: GenerationOptions

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let destination = URL(fileURLWithPath: output)
        try OutputFolder.check(destination)
        let loaded = try GeneratorModel.load(from: URL(fileURLWithPath: model))
        let classIndex = try generation.classIndex(in: loaded)
        let bar = ProgressBar(label: "sample", unit: "clips", rateUnit: "clips/s")
        let started = MonotonicClock.now()
        let (count, seed, frames, scale) = (count, generation.seed, generation.frames, generation.scale)
        let interpolate = interpolate
        let written = try await runBlocking(named: "phim-sample", cancellation: cancellation) { () throws(PhimError) in
            if let interpolate {
                return try loaded.writeInterpolations(count: count, keyframes: interpolate, seed: seed, classIndex: classIndex, frames: frames,
                                                      scale: scale, to: destination, progress: bar.update, cancellation: cancellation)
            }
            return try loaded.writeSamples(count: count, seed: seed, classIndex: classIndex, frames: frames, scale: scale,
                                           to: destination, progress: bar.update, cancellation: cancellation)
        }
        Console.shared.keepStatus()
        Console.shared.line(String(format: "wrote %d clips to %@ in %.1f s", written.count, destination.path, MonotonicClock.now() - started))
    }
}


/// `phim animate IMAGE --model MODEL -o OUT.mp4`: a clip that starts from a still.
struct AnimateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "animate",
        abstract: "Make a clip whose first frame is IMAGE (centre-cropped to the model's square) and which then moves.",
        discussion: "The output is labelled trainedAlgorithmicMedia, with IMAGE named as the model's input."
    )

    @Argument(help: "The still (PNG, JPEG, WebP…).") var image: String
    @Option(help: "The model folder.") var model: String
    @Option(name: .shortAndLong, help: "The MP4 to write.") var output: String
    @OptionGroup var generation: GenerationOptions

    func run() async throws {
        let destination = URL(fileURLWithPath: output)
        try OutputFile.checkDestination(destination)
        let still = URL(fileURLWithPath: image)
        try InputFile.check(still, subject: .file(still.displayPath))
        let loaded = try GeneratorModel.load(from: URL(fileURLWithPath: model))
        let classIndex = try generation.classIndex(in: loaded)
        let (seed, frames, scale) = (generation.seed, generation.frames, generation.scale)
        try await runBlocking(named: "phim-animate", cancellation: nil) { () throws(PhimError) in
            try loaded.animate(still, seed: seed, classIndex: classIndex, frames: frames, scale: scale, to: destination)
        }
        Console.shared.line("wrote \(destination.path)")
    }
}
