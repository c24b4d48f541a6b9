import Foundation
import PhimCore
import PhimGen
import PhimGraphics
import PhimNN
import PhimProvenance
import PhimTensor

/// What a trained swap's run folder says of its model (`model.json`).
public struct SwapModelSidecar: Codable, Sendable, Equatable {
    public static let kind = "phim-face-swap"
    public var kind = SwapModelSidecar.kind
    public var config: SwapModelConfig
    public var step: Int
    /// Seconds of training to this step, over every resume.
    public var seconds: Double?
    public struct Person: Codable, Sendable, Equatable {
        public var files: [String]
        public var faces: Int
        public var descriptor: FaceDescriptor
    }
    public var source: Person
    public var target: Person
    /// The SHA-256 of the consent record training was done under, and its person.
    public var consentSHA256: String
    public var consentName: String
}

/// `phim swap train`: a trained swap's model, learnt from aligned faces of two people, in a run folder.
///
/// The run folder holds `faces-source.safetensors` and `faces-target.safetensors` (the aligned faces, cut once),
/// `checkpoint.safetensors` (to resume), `model.safetensors` + `model.json` (what `phim swap --model` reads),
/// `previews/step-N.png` and `preview.png` (rows of source, its reconstruction, target, and the target given the
/// source's face), `losses.csv` and `losses.png`. Files are written to a temporary file and renamed.
public final class SwapTraining: Sendable {
    public static let checkpointName = "checkpoint.safetensors"
    public static let modelName = "model.safetensors"
    public static let sidecarName = "model.json"

    public struct Options: Sendable {
        public var sources: [URL]
        public var targets: [URL]
        public var consent: URL
        public var sourcePerson: Int?
        public var targetPerson: Int?
        public var config = SwapModelConfig()
        public var settings = SwapTrainer.Settings()
        public var steps = 20_000
        /// Stop after this many seconds of training (checkpoint first), whatever the step.
        public var timeLimit: Double?
        public var checkpointEvery = 500
        public var previewEvery = 250
        public var maxFaces = 2_000
        public var seed: UInt64 = 1
        public var resume = false
        public var detector: FaceDetector.Kind = .hog
        public var trustAnchors: [String] = []

        public init(sources: [URL], targets: [URL], consent: URL) {
            self.sources = sources
            self.targets = targets
            self.consent = consent
        }
    }

    public struct Progress: Sendable {
        public var step: Int
        public var steps: Int
        public var losses: SwapLosses
        public var rate: Double
        public var elapsed: Double
    }

    public struct Report: Sendable {
        public var step: Int
        public var interrupted: Bool
        public var lastLosses: SwapLosses?
        public var sourceFaces: Int
        public var targetFaces: Int
        public var seconds: Double
    }

    public let run: URL
    public let options: Options

    public init(run: URL, options: Options) {
        self.run = run
        self.options = options
    }

    /// Cuts the faces (or reads them, on a resume), checks the consent against the source's, and trains until
    /// `options.steps`, the time limit, or a cancellation (which saves a checkpoint first).
    /// - Throws: `PhimError` naming the file, folder or option at fault; a run folder made here is removed again when
    ///   training fails before its first checkpoint.
    public func train(progress: (@Sendable (Progress) -> Void)? = nil, extracting: ProgressHandler? = nil,
                      cancellation: CancellationFlag? = nil) throws(PhimError) -> Report {
        for file in options.sources + options.targets + [options.consent] { _ = try InputFile.check(file, subject: .file(file)) }
        let created = try RunFolder.prepare(run, resume: options.resume, checkpointName: Self.checkpointName, subfolders: ["previews"])
        do {
            return try trainInFolder(progress: progress, extracting: extracting, cancellation: cancellation)
        } catch {
            if created, !FileManager.default.fileExists(atPath: run.appendingPathComponent(Self.checkpointName).path) {
                try? FileManager.default.removeItem(at: run)
            }
            throw error
        }
    }

    private func trainInFolder(progress: (@Sendable (Progress) -> Void)?, extracting: ProgressHandler?,
                               cancellation: CancellationFlag?) throws(PhimError) -> Report {
        let analyzer = try FaceAnalyzer(detector: options.detector)
        let sourceFile = run.appendingPathComponent("faces-source.safetensors")
        let targetFile = run.appendingPathComponent("faces-target.safetensors")
        let config: SwapModelConfig
        let sourceSet: FaceSet, targetSet: FaceSet
        if options.resume, let sidecar = try? Self.readSidecar(run) {
            config = sidecar.config
            sourceSet = try FaceSet.read(sourceFile)
            targetSet = try FaceSet.read(targetFile)
        } else {
            config = options.config
            let extractor = FaceSetExtractor(analyzer: analyzer, size: config.size, maxFaces: options.maxFaces,
                                             progress: extracting, cancellation: cancellation)
            // The source first, and its consent before the target is looked at.
            sourceSet = try extractor.extract(options.sources, person: options.sourcePerson, option: "source")
            _ = try approve(sourceSet)
            targetSet = try extractor.extract(options.targets, person: options.targetPerson, option: "target")
            if targetSet.descriptor.distance(to: sourceSet.descriptor) <= 0.35 {
                throw PhimError(.invalidInput, "the target's person looks like the source's own face; nothing to swap",
                                subject: .file(options.targets[0]))
            }
            try sourceSet.write(to: sourceFile)
            try targetSet.write(to: targetFile)
        }
        let approval = try approve(sourceSet)
        let model: SwapModel, trainer: SwapTrainer
        do {
            model = try SwapModel(config)
        } catch {
            throw PhimError(.invalidInput, "cannot build the model: \(error.message)", subject: .option("size"))
        }
        trainer = SwapTrainer(model: model, settings: options.settings, seed: options.seed)
        let checkpoint = run.appendingPathComponent(Self.checkpointName)
        if options.resume { try trainer.load(from: checkpoint) }
        let sources = try wrap { try sourceSet.raw() }, targets = try wrap { try targetSet.raw() }
        let earlier = options.resume ? ((try? Self.readSidecar(run))?.seconds ?? nil) ?? 0 : 0
        let started = MonotonicClock.now()
        let sidecar = { (step: Int) in
            SwapModelSidecar(config: config, step: step, seconds: earlier + MonotonicClock.now() - started,
                             source: .init(files: sourceSet.files, faces: sourceSet.count, descriptor: sourceSet.descriptor),
                             target: .init(files: targetSet.files, faces: targetSet.count, descriptor: targetSet.descriptor),
                             consentSHA256: approval.fileHash, consentName: approval.record.name)
        }
        var history = try SwapLossHistory(url: run.appendingPathComponent("losses.csv"), resumeAt: trainer.step)
        var recent: [Double] = []
        var last: SwapLosses?
        func save(preview: Bool) throws(PhimError) {
            try trainer.save(to: checkpoint, metadata: ["phim.kind": SwapModelSidecar.kind])
            try Safetensors.write(model.stateDict(), metadata: ["phim.format": SwapModelSidecar.kind], to: run.appendingPathComponent(Self.modelName).path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json: Data
            do { json = try encoder.encode(sidecar(trainer.step)) } catch {
                throw PhimError(.operationFailed, "cannot write the model's description: \(error)", subject: .file(run))
            }
            try OutputFile.write(json, to: run.appendingPathComponent(Self.sidecarName))
            try history.plot(to: run.appendingPathComponent("losses.png"))
            if preview { try writePreview(model, sources: sources, targets: targets, step: trainer.step) }
        }
        while trainer.step < options.steps {
            let elapsed = MonotonicClock.now() - started
            if cancellation?.isCancelled == true || (options.timeLimit.map { elapsed >= $0 } ?? false) {
                try save(preview: true)
                return Report(step: trainer.step, interrupted: cancellation?.isCancelled == true, lastLosses: last,
                              sourceFaces: sourceSet.count, targetFaces: targetSet.count, seconds: elapsed)
            }
            let losses = try wrap { try trainer.train(source: sources, target: targets) }
            last = losses
            history.append(step: trainer.step, losses)
            recent.append(MonotonicClock.now())
            if recent.count > 20 { recent.removeFirst() }
            let rate = recent.count > 1 ? Double(recent.count - 1) / (recent.last! - recent.first!) : 0
            let now = MonotonicClock.now() - started
            // Under a time limit, the steps the limit leaves room for at the present rate.
            let reachable = options.timeLimit.map { limit in rate > 0 ? trainer.step + Int(max(0, limit - now) * rate) : options.steps }
            progress?(Progress(step: trainer.step, steps: min(options.steps, reachable ?? options.steps), losses: losses, rate: rate, elapsed: now))
            let atEnd = trainer.step == options.steps
            let previewNow = trainer.step % options.previewEvery == 0 || atEnd
            if trainer.step % options.checkpointEvery == 0 || atEnd {
                try save(preview: previewNow)
            } else if previewNow {
                try writePreview(model, sources: sources, targets: targets, step: trainer.step)
            }
        }
        return Report(step: trainer.step, interrupted: false, lastLosses: last, sourceFaces: sourceSet.count,
                      targetFaces: targetSet.count, seconds: MonotonicClock.now() - started)
    }

    /// The consent must hold for the source's person before their face is learnt.
    private func approve(_ set: FaceSet) throws(PhimError) -> ConsentCheck.Approval {
        try ConsentCheck().approve(options.consent, for: [set.descriptor], verifier: C2PAVerifier.localAuthority(plus: options.trustAnchors),
                                   subject: .file(options.consent))
    }

    /// Six rows of four faces: a source face, the source's decoder drawing it back, a target face, and the source's
    /// decoder drawing from it (the swap); written as `previews/step-N.png` and `preview.png`.
    private func writePreview(_ model: SwapModel, sources: Tensor, targets: Tensor, step: Int) throws(PhimError) {
        try wrap {
            try withNoGrad {
                model.eval()
                defer { model.train() }
                func pick(_ faces: Tensor) throws -> Tensor {
                    let count = try faces.size(0)
                    let indices = try Tensor((0..<6).map { Int64($0 * count / 6) }, shape: [6])
                    return try faces.indexSelect(dim: 0, index: indices).permute([0, 3, 1, 2]).narrow(dim: 1, start: 0, length: 3)
                        .to(.float32).div(255).contiguous()
                }
                let source = try pick(sources), target = try pick(targets)
                let columns = [source, try model.drawSource(source).face, target, try model.drawSource(target).face]
                let grid = try Tensor.stack(columns, dim: 2) * 2 - 1  // [6, 3, 4, n, n], as SampleSheet reads clips
                try SampleSheet.writeGrid(grid, columns: 4, to: run.appendingPathComponent(String(format: "previews/step-%07d.png", step)))
                try SampleSheet.writeGrid(grid, columns: 4, to: run.appendingPathComponent("preview.png"))
            }
        }
    }

    /// The sidecar of the run folder `run`.
    public static func readSidecar(_ run: URL) throws(PhimError) -> SwapModelSidecar {
        let url = run.appendingPathComponent(sidecarName)
        let data = try InputFile.read(url, subject: .file(url), maxBytes: 1 << 20)
        guard let sidecar = try? JSONDecoder().decode(SwapModelSidecar.self, from: data), sidecar.kind == SwapModelSidecar.kind else {
            throw PhimError(.invalidInput, "is not a trained swap's model (no \(sidecarName) of kind \(SwapModelSidecar.kind))", subject: .file(run))
        }
        return sidecar
    }

    /// The trained model of the run folder `run`, for drawing.
    public static func loadModel(_ run: URL) throws(PhimError) -> (model: SwapModel, sidecar: SwapModelSidecar) {
        var info = stat()
        guard lstat(run.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PhimError(.invalidInput, "is not a run folder of `phim swap train`", subject: .file(run))
        }
        let sidecar = try readSidecar(run)
        let weights = run.appendingPathComponent(modelName)
        do {
            let model = try SwapModel(sidecar.config)
            let (tensors, _) = try Safetensors.read(path: weights.path)
            try model.load(stateDict: Dictionary(tensors, uniquingKeysWith: { a, _ in a }))
            model.eval()
            return (model, sidecar)
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.invalidInput, "its weights do not fit its model.json: \(error)", subject: .file(weights))
        }
    }
}

/// `losses.csv` (step, source, target, mask) and its plot.
struct SwapLossHistory {
    let url: URL
    private(set) var rows: [(step: Int, losses: SwapLosses)] = []

    init(url: URL, resumeAt step: Int) throws(PhimError) {
        self.url = url
        if step > 0, let text = try? String(contentsOf: url, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",").map { Double($0) }
                guard fields.count == 4, let s = fields[0].map(Int.init), s <= step, let a = fields[1], let b = fields[2], let c = fields[3] else { continue }
                rows.append((s, SwapLosses(source: a, target: b, mask: c)))
            }
        }
    }

    mutating func append(step: Int, _ losses: SwapLosses) { rows.append((step, losses)) }

    func plot(to png: URL) throws(PhimError) {
        let text = "step,source,target,mask\n" + rows.map { "\($0.step),\($0.losses.source),\($0.losses.target),\($0.losses.mask)\n" }.joined()
        try OutputFile.write(Data(text.utf8), to: url)
        try LossPlot.write(series: [
            ("source", Color(red: 0.95, green: 0.45, blue: 0.3), rows.map { ($0.step, $0.losses.source) }),
            ("target", Color(red: 0.3, green: 0.65, blue: 0.95), rows.map { ($0.step, $0.losses.target) }),
            ("mask", Color(red: 0.5, green: 0.85, blue: 0.4), rows.map { ($0.step, $0.losses.mask) }),
        ], to: png)
    }
}
