import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimNN
import PhimProvenance
import PhimTensor

/// What `phim train` is asked to do.
public struct GANTrainingOptions: Sendable {
    public var steps = 6_000
    public var batch = 16
    /// A checkpoint (and the model files `phim sample` reads) every this many steps, and at the end.
    public var checkpointEvery = 500
    /// A PNG grid and an MP4 of samples every this many steps, and at the end.
    public var sampleEvery = 500
    public var seed: UInt64 = 1
    /// Continue the run in the output folder from its checkpoint.
    public var resume = false
    public var generatorWidth = 16
    public var discriminatorWidth = 32
    /// The video discriminator's window and size (``VideoGANConfig/videoWindow``, ``VideoGANConfig/videoSize``):
    /// by default 8 frames (or the whole clip when shorter) at half the size (for clips of 64 pixels or more).
    public var videoWindow: Int?
    public var videoSize: Int?
    public var settings = VideoGANTrainer.Settings()

    public static let maxSteps = 10_000_000
    public static let batches = 1...512

    public init() {}
}

/// One line of the loss history.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var steps: Int
    public var losses: GANLosses
    /// Steps a second over the last few.
    public var rate: Double
    public var elapsed: Double
}

/// `phim train`: a video GAN on a training set, with checkpoints, sample grids and a loss plot in the run folder.
///
/// The run folder holds `checkpoint.safetensors` (everything training needs to resume: the modules, the EMA, both
/// optimizers, the step and the random state), `model.safetensors` + `model.json` (the EMA generator and the
/// encoder with the architecture: what `phim sample` and `phim animate` load, and what is shipped),
/// `samples/step-NNNNNNN.png` and `.mp4`, `losses.csv` and `losses.png`. Every file is written to a temporary file
/// and renamed, so a crash leaves the last good checkpoint.
public final class GANTraining: Sendable {
    public static let checkpointName = "checkpoint.safetensors"
    public static let modelName = "model.safetensors"
    public static let sidecarName = "model.json"

    public let data: URL
    public let run: URL
    public let options: GANTrainingOptions

    public init(data: URL, run: URL, options: GANTrainingOptions) {
        self.data = data
        self.run = run
        self.options = options
    }

    public struct Report: Sendable {
        public var step: Int
        public var interrupted: Bool
        public var lastLosses: GANLosses?
    }

    /// Trains until `options.steps` (or Ctrl-C, which saves a checkpoint first).
    /// - Throws: `PhimError` naming the data, the run folder or the option at fault.
    public func train(progress: (@Sendable (TrainingProgress) -> Void)? = nil, decoding: ProgressHandler? = nil,
                      cancellation: CancellationFlag? = nil) throws(PhimError) -> Report {
        guard GANTrainingOptions.batches.contains(options.batch) else {
            throw PhimError(.invalidInput, "must be between 1 and 512", subject: .option("--batch"))
        }
        guard (1...GANTrainingOptions.maxSteps).contains(options.steps) else {
            throw PhimError(.invalidInput, "must be between 1 and \(GANTrainingOptions.maxSteps)", subject: .option("--steps"))
        }
        // The set is checked before the run folder is made, and a run folder made here goes again if the run fails
        // before its first checkpoint.
        let labels = try DatasetLabels.load(from: data)
        guard labels.clips.count >= options.batch else {
            throw PhimError(.invalidInput, "the set has \(labels.clips.count) clips, fewer than a batch (\(options.batch))", subject: .option("--batch"))
        }
        do {
            try modelConfig(labels).validate()
        } catch {
            throw PhimError(.invalidInput, "cannot build the model for this set: \(error.message)", subject: .file(data.displayPath))
        }
        let created = try prepareRunFolder()
        do {
            return try trainInFolder(progress: progress, decoding: decoding, cancellation: cancellation)
        } catch {
            if created, !FileManager.default.fileExists(atPath: run.appendingPathComponent(Self.checkpointName).path) {
                try? FileManager.default.removeItem(at: run)
            }
            throw error
        }
    }

    private func trainInFolder(progress: (@Sendable (TrainingProgress) -> Void)?, decoding: ProgressHandler?,
                       cancellation: CancellationFlag?) throws(PhimError) -> Report {
        let store = try ClipStore.open(data, progress: decoding, cancellation: cancellation)
        let labels = store.labels
        let conditional = Self.isConditional(labels)
        let config = modelConfig(labels)
        let trainer: VideoGANTrainer
        do {
            try config.validate()
            trainer = try VideoGANTrainer(model: try VideoGAN(config), settings: options.settings, seed: options.seed)
        } catch {
            throw PhimError(.invalidInput, "cannot build the model for this set: \(error.message)", subject: .file(data.displayPath))
        }
        let checkpoint = run.appendingPathComponent(Self.checkpointName)
        if options.resume {
            try trainer.load(from: checkpoint)
        }
        let classes = labels.clips.map { $0.classIndex ?? 0 }
        let clipBytes = store.clipBytes
        let (frames, size) = (labels.frames, labels.size)
        let loader = DataLoader(count: store.count, batchSize: options.batch, seed: options.seed, dropLast: true, workers: 1,
                                prefetch: 2) { indices, _ in
            var bytes = [UInt8](repeating: 0, count: indices.count * clipBytes)
            try bytes.withUnsafeMutableBytes { raw in
                for (slot, index) in indices.enumerated() {
                    try store.read(index, into: UnsafeMutableRawBufferPointer(rebasing: raw[slot * clipBytes..<(slot + 1) * clipBytes]))
                }
            }
            let clips = try bytes.withUnsafeBytes { try Tensor(bytes: $0, shape: [indices.count, frames, size, size, 3], dtype: .uint8) }
                .permute([0, 4, 1, 2, 3]).to(.float32) / 127.5 - 1
            let labels = try indices.map { Int64(classes[$0]) }.withUnsafeBytes {
                try Tensor(bytes: $0, shape: [indices.count], dtype: .int64)
            }
            return (try clips.contiguous(), labels)
        }
        var history = try LossHistory(url: run.appendingPathComponent("losses.csv"), resumeAt: trainer.step)
        let started = MonotonicClock.now()
        var recent: [Double] = []
        var last: GANLosses?
        var epoch = trainer.step / loader.batchCount
        var batches = loader.batches(epoch: epoch)
        // Skip the batches of this epoch that were trained before a resume.
        for _ in 0..<(trainer.step % loader.batchCount) { _ = try wrap { try batches.next() } }
        while trainer.step < options.steps {
            if cancellation?.isCancelled == true {
                try save(trainer, config: config, labels: labels, history: history, samples: false)
                return Report(step: trainer.step, interrupted: true, lastLosses: last)
            }
            guard let (clips, labelTensor) = try wrap({ try batches.next() }) else {
                epoch += 1
                batches = loader.batches(epoch: epoch)
                continue
            }
            let losses = try wrap { try trainer.train(on: clips, classes: conditional ? labelTensor : nil) }
            last = losses
            history.append(step: trainer.step, losses)
            recent.append(MonotonicClock.now())
            if recent.count > 20 { recent.removeFirst() }
            let rate = recent.count > 1 ? Double(recent.count - 1) / (recent.last! - recent.first!) : 0
            progress?(TrainingProgress(step: trainer.step, steps: options.steps, losses: losses, rate: rate,
                                       elapsed: MonotonicClock.now() - started))
            let atEnd = trainer.step == options.steps
            if trainer.step % options.checkpointEvery == 0 || trainer.step % options.sampleEvery == 0 || atEnd {
                try save(trainer, config: config, labels: labels, history: history,
                         samples: trainer.step % options.sampleEvery == 0 || atEnd,
                         checkpoint: trainer.step % options.checkpointEvery == 0 || atEnd)
            }
        }
        return Report(step: trainer.step, interrupted: false, lastLosses: last)
    }

    static func isConditional(_ labels: DatasetLabels) -> Bool {
        !labels.classes.isEmpty && labels.clips.allSatisfy { $0.classIndex != nil }
    }

    /// The model for a set: its clip size and length, its classes, the widths asked for.
    func modelConfig(_ labels: DatasetLabels) -> VideoGANConfig {
        var config = VideoGANConfig(size: labels.size, frames: labels.frames, classes: Self.isConditional(labels) ? labels.classes.count : 0)
        config.generatorWidth = options.generatorWidth
        config.discriminatorWidth = options.discriminatorWidth
        config.videoWindow = options.videoWindow ?? min(labels.frames, 8)
        config.videoSize = options.videoSize ?? (labels.size >= 64 ? labels.size / 2 : labels.size)
        return config
    }

    /// The run folder: new (or empty), or, with `--resume`, one holding a checkpoint.
    /// - Returns: whether it was made here.
    private func prepareRunFolder() throws(PhimError) -> Bool {
        let subject = PhimError.Subject.file(run.displayPath)
        var created = false
        var info = stat()
        if lstat(run.path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw PhimError(.invalidInput, "is \(InputFile.kindName(info.st_mode)), not a folder", subject: subject)
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
            if options.resume {
                guard entries.contains(Self.checkpointName) else {
                    throw PhimError(.invalidInput, "has no \(Self.checkpointName) to resume from", subject: subject)
                }
            } else if !entries.isEmpty {
                throw PhimError(.invalidInput, "already holds a run; add --resume to continue it, or choose a new folder", subject: subject)
            }
        } else {
            created = true
            guard !options.resume else { throw PhimError(.invalidInput, "does not exist: nothing to resume", subject: subject) }
            try OutputFolder.check(run)
            guard mkdir(run.path, 0o755) == 0 else {
                throw PhimError(.writeFailed, "cannot create the folder: \(String(cString: strerror(errno)))", subject: subject)
            }
        }
        let samples = run.appendingPathComponent("samples")
        if !FileManager.default.fileExists(atPath: samples.path) {
            guard mkdir(samples.path, 0o755) == 0 else {
                throw PhimError(.writeFailed, "cannot create the samples folder", subject: .file(samples.displayPath))
            }
        }
        return created
    }

    /// The checkpoint, the model files, the loss plot and (when asked) a sample grid and video.
    private func save(_ trainer: VideoGANTrainer, config: VideoGANConfig, labels: DatasetLabels, history: LossHistory,
                      samples: Bool, checkpoint: Bool = true) throws(PhimError) {
        if checkpoint {
            try trainer.save(to: run.appendingPathComponent(Self.checkpointName))
            try GeneratorModel.save(trainer: trainer, labels: labels, data: data,
                                    to: run, options: options)
        }
        try history.plot(to: run.appendingPathComponent("losses.png"))
        if samples {
            let name = String(format: "samples/step-%07d", trainer.step)
            try wrap {
                let model = try GeneratorModel(trainer: trainer, labels: labels)
                let clips = try model.sample(count: 8, seed: 20_261_202)
                try SampleSheet.writeGrid(clips, to: run.appendingPathComponent(name + ".png"))
                try SampleSheet.writeVideo(clips, fps: labels.fps, to: run.appendingPathComponent(name + ".mp4"))
            }
        }
    }
}

/// Turns a tensor-library error into Phim's.
func wrap<T>(_ body: () throws -> T) throws(PhimError) -> T {
    do {
        return try body()
    } catch let error as PhimError {
        throw error
    } catch let error as TensorError {
        throw PhimError(.operationFailed, error.message, subject: .option("train"), underlying: error)
    } catch {
        throw PhimError(.operationFailed, "\(error)", subject: .option("train"))
    }
}
