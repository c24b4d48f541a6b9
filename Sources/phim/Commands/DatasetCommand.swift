import ArgumentParser
import Foundation
import PhimCore
import PhimGen

/// `phim dataset …`: training sets for `phim train`.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Make a training set of short square clips: procedural shapes, or cut from your own videos.",
        subcommands: [DatasetShapesCommand.self, DatasetCutCommand.self]
    )
}

/// Options every dataset command shares.
struct ClipShapeOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The folder to make (it must not exist, or be empty).") var output: String
    @Option(help: "Each clip's width and height in pixels (16-512).") var size = 64
    @Option(help: "Frames a clip (2-256).") var frames = 16
    @Option(help: "x264's constant rate factor for the clips, 0-51.") var crf = 15

    func check(fps: Int) throws {
        guard DatasetLabels.sizes.contains(size) else { throw ValidationError("--size must be between 16 and 512") }
        guard DatasetLabels.frameCounts.contains(frames) else { throw ValidationError("--frames must be between 2 and 256") }
        guard DatasetLabels.frameRates.contains(fps) else { throw ValidationError("--fps must be between 1 and 120") }
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51") }
        // x264 needs even sizes for 4:2:0.
        guard size % 2 == 0 else { throw ValidationError("--size must be even (H.264 4:2:0 halves it)") }
    }
}

/// `phim dataset shapes -o DIR`: the procedural set.
struct DatasetShapesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapes",
        abstract: "Write a procedural set: shapes and digits moving by class (linear, bounce, orbit, zoom, rotate).",
        discussion: """
            One or two anti-aliased shapes (circle, square, triangle, star, digit) of nine colours and several sizes \
            move by class at three speeds on plain or gradient backgrounds. Writes DIR/clips/NNNNN.mp4 and \
            DIR/labels.json (each clip's class, shapes, colours and motion parameters). The same seed gives the same \
            set.
            """
    )

    @OptionGroup var clip: ClipShapeOptions
    @Option(help: "How many clips (the classes take turns).") var count = 2_000
    @Option(help: "The seed everything is drawn from.") var seed: UInt64 = 1
    @Option(help: "Frames a second (1-120).") var fps = 16

    func validate() throws {
        try clip.check(fps: fps)
        guard (1...ShapesDataset.maxCount).contains(count) else {
            throw ValidationError("--count must be between 1 and \(ShapesDataset.maxCount)")
        }
    }

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let destination = URL(fileURLWithPath: clip.output)
        try OutputFolder.check(destination)
        let bar = ProgressBar(label: "dataset", unit: "clips", rateUnit: "clips/s")
        let dataset = ShapesDataset(seed: seed, size: clip.size, frames: clip.frames, fps: fps)
        let (count, crf) = (count, clip.crf)
        let started = MonotonicClock.now()
        let labels = try await runBlocking(named: "phim-dataset", cancellation: cancellation) { () throws(PhimError) in
            try dataset.write(count: count, to: destination, crf: crf, threads: ProcessInfo.processInfo.activeProcessorCount,
                              progress: bar.update, cancellation: cancellation)
        }
        Console.shared.keepStatus()
        let perClass = Dictionary(grouping: labels.clips, by: { $0.classIndex ?? -1 }).mapValues(\.count)
        let classes = labels.classes.enumerated().map { "\($1) \(perClass[$0] ?? 0)" }.joined(separator: ", ")
        Console.shared.line(String(format: "wrote %@: %d clips of %dx%d, %d frames at %d fps (%@) in %.1f s",
                                   destination.path, labels.clips.count, labels.size, labels.size, labels.frames,
                                   labels.fps, classes, MonotonicClock.now() - started))
    }
}

/// `phim dataset cut VIDEO… -o DIR`: clips from the user's own videos.
struct DatasetCutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Cut your own videos into training clips (scene cuts skipped, square, frame rate normalised).",
        discussion: """
            Each video is sampled at --fps (the frame on screen at each tick), its picture centre-cropped (or \
            letterboxed) to a square of --size pixels, and cut into clips of --frames frames; no clip spans a scene \
            cut. Writes DIR/clips/NNNNN.mp4 and DIR/labels.json (each clip's source and start time).
            """
    )

    @Argument(help: "The videos to cut (any FFmpeg reads).") var videos: [String]
    @OptionGroup var clip: ClipShapeOptions
    @Option(help: "Frames a second the clips are sampled at (1-120).") var fps = 8
    @Option(help: "How each picture becomes a square: crop (the centre) or letterbox (the whole, on black).")
    var fit: ClipCutter.Fit = .crop

    func validate() throws {
        try clip.check(fps: fps)
        guard !videos.isEmpty else { throw ValidationError("give at least one video to cut") }
    }

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let inputs = try videos.map { path throws(PhimError) in
            let url = URL(fileURLWithPath: path)
            try InputFile.check(url, subject: .file(url.displayPath))
            return url
        }
        let destination = URL(fileURLWithPath: clip.output)
        try OutputFolder.check(destination)
        let bar = ProgressBar(label: "cut")
        let cutter = ClipCutter(size: clip.size, frames: clip.frames, fps: fps, fit: fit)
        let crf = clip.crf
        let started = MonotonicClock.now()
        let report = try await runBlocking(named: "phim-dataset", cancellation: cancellation) { () throws(PhimError) in
            try cutter.write(inputs, to: destination, crf: crf, progress: bar.update, cancellation: cancellation)
        }
        Console.shared.keepStatus()
        Console.shared.line(String(format: "wrote %@: %d clips of %dx%d, %d frames at %d fps from %d videos (%d scene cuts skipped) in %.1f s",
                                   destination.path, report.labels.clips.count, cutter.size, cutter.size, cutter.frames,
                                   cutter.fps, inputs.count, report.sceneCuts, MonotonicClock.now() - started))
    }
}

extension ClipCutter.Fit: ExpressibleByArgument {}
