import Foundation
import PhimCompose
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

    /// This process's place in data-parallel training (nil: it trains alone).
    public var distributed: DistributedTraining?

    public static let maxSteps = 10_000_000
    public static let batches = 1...512

    public init() {}
}

/// One process of data-parallel training over libtorch's Gloo backend: `worldSize` processes (on one machine or
/// several) each train on their share of every batch and average their gradients before each update. Rank 0 serves
/// the rendezvous at `host:port`, and alone writes the run folder.
public struct DistributedTraining: Sendable, Equatable {
    public var rank: Int
    public var worldSize: Int
    public var host: String
    public var port: Int
    /// Seconds to wait for the other ranks, at the start and at each exchange.
    public var timeout: Double = 300

    public static let maxWorldSize = 256

    public init(rank: Int, worldSize: Int, host: String, port: Int) {
        self.rank = rank
        self.worldSize = worldSize
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` (an IPv4 address or a name, and a port from 1 to 65535).
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        let host = String(text[..<colon])
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
        return (host, port)
    }
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
    public static let modelName = GeneratedLayer.weightsFileName
    public static let sidecarName = GeneratedLayer.sidecarFileName

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
        /// The processes that trained together (1 alone); when more, their replicas were checked to agree at the end.
        public var workers = 1
    }

    /// Trains until `options.steps` (or Ctrl-C, which saves a checkpoint first).
    /// - Parameter ready: called on rank 0 of a distributed run once the clips are decoded and cached, before it
    ///   waits for the other ranks (the CLI starts its local workers here, so they find the cache made).
    /// - Throws: `PhimError` naming the data, the run folder or the option at fault.
    public func train(progress: (@Sendable (TrainingProgress) -> Void)? = nil, decoding: ProgressHandler? = nil,
                      cancellation: CancellationFlag? = nil, ready: (() throws(PhimError) -> Void)? = nil) throws(PhimError) -> Report {
        guard GANTrainingOptions.batches.contains(options.batch) else {
            throw PhimError(.invalidInput, "must be between 1 and 512", subject: .option("batch"))
        }
        if let distributed = options.distributed {
            guard (1...DistributedTraining.maxWorldSize).contains(distributed.worldSize) else {
                throw PhimError(.invalidInput, "must be between 1 and \(DistributedTraining.maxWorldSize)", subject: .option("world-size"))
            }
            guard (0..<distributed.worldSize).contains(distributed.rank) else {
                throw PhimError(.invalidInput, "must be from 0 to the world size less one (\(distributed.worldSize - 1))", subject: .option("rank"))
            }
            guard options.batch % distributed.worldSize == 0 else {
                throw PhimError(.invalidInput, "\(options.batch) clips do not split evenly over \(distributed.worldSize) processes",
                                subject: .option("batch"))
            }
        }
        guard (1...GANTrainingOptions.maxSteps).contains(options.steps) else {
            throw PhimError(.invalidInput, "must be between 1 and \(GANTrainingOptions.maxSteps)", subject: .option("steps"))
        }
        // The set is checked before the run folder is made, and a run folder made here goes again if the run fails
        // before its first checkpoint.
        let labels = try DatasetLabels.load(from: data)
        guard labels.clips.count >= options.batch else {
            throw PhimError(.invalidInput, "the set has \(labels.clips.count) clips, fewer than a batch (\(options.batch))", subject: .option("batch"))
        }
        if let window = options.videoWindow, !(2...labels.frames).contains(window) {
            throw PhimError(.invalidInput, "must be from 2 to the set's \(labels.frames) frames a clip", subject: .option("video-window"))
        }
        if let size = options.videoSize, size > labels.size {
            throw PhimError(.invalidInput, "must be at most the set's clip size, \(labels.size)", subject: .option("video-size"))
        }
        do {
            try modelConfig(labels).validate()
        } catch {
            throw PhimError(.invalidInput, "cannot build the model for this set: \(error.message)", subject: .file(data.displayPath))
        }
        // Only rank 0 writes the run folder; the others need only its checkpoint, to resume.
        guard isLeader else {
            if options.resume, !FileManager.default.fileExists(atPath: run.appendingPathComponent(Self.checkpointName).path) {
                throw PhimError(.invalidInput, "has no \(Self.checkpointName) to resume from (every rank reads it)", subject: .file(run.displayPath))
            }
            return try trainInFolder(progress: nil, decoding: decoding, cancellation: cancellation, ready: nil)
        }
        let created = try prepareRunFolder()
        do {
            return try trainInFolder(progress: progress, decoding: decoding, cancellation: cancellation, ready: ready)
        } catch {
            if created, !FileManager.default.fileExists(atPath: run.appendingPathComponent(Self.checkpointName).path) {
                try? FileManager.default.removeItem(at: run)
            }
            throw error
        }
    }

    /// Rank 0 of a distributed run, or a process training alone.
    var isLeader: Bool { (options.distributed?.rank ?? 0) == 0 }

    private func trainInFolder(progress: (@Sendable (TrainingProgress) -> Void)?, decoding: ProgressHandler?,
                               cancellation: CancellationFlag?, ready: (() throws(PhimError) -> Void)?) throws(PhimError) -> Report {
        let store = try ClipStore.open(data, progress: decoding, cancellation: cancellation)
        let labels = store.labels
        let conditional = Self.isConditional(labels)
        let config = modelConfig(labels)
        let rank = options.distributed?.rank ?? 0, worldSize = options.distributed?.worldSize ?? 1
        let trainer: VideoGANTrainer
        do {
            try config.validate()
            // Each rank draws its own noise; rank 0's is a lone run's.
            trainer = try VideoGANTrainer(model: try VideoGAN(config), settings: options.settings,
                                          seed: options.seed &+ UInt64(rank) &* 0x9E37_79B9_7F4A_7C15)
        } catch {
            throw PhimError(.invalidInput, "cannot build the model for this set: \(error.message)", subject: .file(data.displayPath))
        }
        let checkpoint = run.appendingPathComponent(Self.checkpointName)
        if options.resume {
            try trainer.load(from: checkpoint)
        }
        try ready?()
        var group: ProcessGroup?
        if let distributed = options.distributed {
            do {
                let joined = try ProcessGroup(host: distributed.host, port: distributed.port, rank: rank, worldSize: worldSize,
                                              timeout: distributed.timeout)
                try trainer.distribute(over: joined, seed: options.seed)
                group = joined
            } catch {
                throw PhimError(.operationFailed, "cannot train with the other processes at \(distributed.host):\(distributed.port): "
                                + error.message, subject: .option("master"))
            }
        }
        let classes = labels.clips.map { $0.classIndex ?? 0 }
        let clipBytes = store.clipBytes
        let (frames, size) = (labels.frames, labels.size)
        // Every rank walks the same order of whole batches and takes its own share of each.
        let share = options.batch / worldSize
        let loader = DataLoader(count: store.count, batchSize: options.batch, seed: options.seed, dropLast: true, workers: 1,
                                prefetch: 2) { batchIndices, _ in
            let indices = Array(batchIndices[(rank * share)..<((rank + 1) * share)])
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
            var stop = cancellation?.isCancelled == true
            if let group {
                // The ranks stop together, at the same step, when any of them is interrupted.
                stop = try wrap { try Self.anyRank(stop, group: group) }
            }
            if stop {
                if isLeader { try save(trainer, config: config, labels: labels, history: history, samples: false) }
                return Report(step: trainer.step, interrupted: true, lastLosses: last, workers: worldSize)
            }
            guard let (clips, labelTensor) = try wrap({ try batches.next() }) else {
                epoch += 1
                batches = loader.batches(epoch: epoch)
                continue
            }
            let losses = try wrap { try trainer.train(on: clips, classes: conditional ? labelTensor : nil) }
            last = losses
            guard isLeader else { continue }
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
        if let group {
            // The replicas must still be one model: every rank's parameters and EMA summed alike.
            let agree = try wrap { () throws -> Bool in
                let own = try trainer.checksum()
                let total = try Tensor([own])
                try group.allReduceSum([total])
                let sum = try total.item()
                return abs(sum - Double(worldSize) * own) <= 1e-9 * max(1, abs(sum))
            }
            guard agree else {
                throw PhimError(.operationFailed, "the \(worldSize) processes' models disagree after training (rank \(rank))",
                                subject: .option("workers"))
            }
        }
        return Report(step: trainer.step, interrupted: false, lastLosses: last, workers: worldSize)
    }

    /// Whether `flag` is set on any rank (one small all-reduce).
    static func anyRank(_ flag: Bool, group: ProcessGroup) throws -> Bool {
        let value = try Tensor([flag ? 1.0 : 0.0])
        try group.allReduceSum([value])
        return try value.item() > 0
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

    private func prepareRunFolder() throws(PhimError) -> Bool {
        try RunFolder.prepare(run, resume: options.resume, checkpointName: Self.checkpointName, subfolders: ["samples"])
    }

    /// The checkpoint, the model files, the loss plot and (when asked) a sample grid and video.
    private func save(_ trainer: VideoGANTrainer, config: VideoGANConfig, labels: DatasetLabels, history: LossHistory,
                      samples: Bool, checkpoint: Bool = true) throws(PhimError) {
        // One model (the EMA generator with its standing statistics) for both the model files and the samples.
        let model = (checkpoint || samples)
            ? try wrap { try GeneratorModel(trainer: trainer, labels: labels, options: options, data: data.lastPathComponent) } : nil
        if checkpoint, let model {
            try trainer.save(to: run.appendingPathComponent(Self.checkpointName))
            try model.save(to: run)
        }
        try history.plot(to: run.appendingPathComponent("losses.png"))
        if samples, let model {
            let name = String(format: "samples/step-%07d", trainer.step)
            try wrap {
                let clips = try model.sample(count: 8, seed: 20_261_202)
                try SampleSheet.writeGrid(clips, to: run.appendingPathComponent(name + ".png"))
                try SampleSheet.writeVideo(clips, fps: labels.fps, to: run.appendingPathComponent(name + ".mp4"))
            }
        }
    }
}

/// Turns a tensor-library error into Phim's.
public func wrap<T>(_ body: () throws -> T) throws(PhimError) -> T {
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

/// A training run's folder.
public enum RunFolder {
    /// Makes `run` ready: new (or empty), or, with `resume`, one holding `checkpointName`; with `subfolders` made in it.
    /// - Returns: whether the folder was made here.
    public static func prepare(_ run: URL, resume: Bool, checkpointName: String, subfolders: [String]) throws(PhimError) -> Bool {
        let subject = PhimError.Subject.file(run.displayPath)
        var created = false
        var info = stat()
        if lstat(run.path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw PhimError(.invalidInput, "is \(InputFile.kindName(info.st_mode)), not a folder", subject: subject)
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
            if resume {
                guard entries.contains(checkpointName) else {
                    throw PhimError(.invalidInput, "has no \(checkpointName) to resume from", subject: subject)
                }
            } else if !entries.isEmpty {
                throw PhimError(.invalidInput, "already holds a run; add --resume to continue it, or choose a new folder", subject: subject)
            }
        } else {
            created = true
            guard !resume else { throw PhimError(.invalidInput, "does not exist: nothing to resume", subject: subject) }
            try OutputFolder.check(run)
            guard mkdir(run.path, 0o755) == 0 else {
                throw PhimError(.writeFailed, "cannot create the folder: \(String(cString: strerror(errno)))", subject: subject)
            }
        }
        for name in subfolders {
            let folder = run.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: folder.path) {
                guard mkdir(folder.path, 0o755) == 0 else {
                    throw PhimError(.writeFailed, "cannot create the \(name) folder", subject: .file(folder.displayPath))
                }
            }
        }
        return created
    }
}
