import Foundation
import PhimCore
import PhimMedia
import PhimProvenance

/// One video's features: a vector per sampled frame.
public struct VideoFeatures: Sendable {
    public var file: String
    public var generated: Bool
    public var frames: [[Float]]
    public var times: [Double]
    /// The metadata-only control's features (``MetadataControl``).
    public var metadata: [Float] = []
    /// The video it was made from: its file name without the extension (`real/obama.mp4` and `fakes/gan/obama.mp4`
    /// share `obama`), so that a source's real and generated versions fall on the same side of a split.
    public var source: String { (file as NSString).deletingPathExtension }
    /// What made it: the name of the folder it is in (`fakes/gan/obama.mp4` → `gan`).
    public var generator = ""

    /// Reads them from `url`.
    public static func read(_ url: URL, generated: Bool, sampler: FrameSampler, cancellation: CancellationFlag? = nil) throws(PhimError) -> VideoFeatures {
        var result = VideoFeatures(file: url.lastPathComponent, generated: generated, frames: [], times: [])
        try sampler.forEach(in: url, cancellation: cancellation) { sample throws(PhimError) in
            result.frames.append(SpectralFeatures.of(luma: sample.luma, side: sampler.side))
            result.times.append(sample.time)
        }
        result.metadata = try MetadataControl.features(of: url)
        result.generator = url.deletingLastPathComponent().lastPathComponent
        return result
    }
}

/// `phim detect train`: the spectral baseline fitted on real and generated videos, split by video (never by frame)
/// into training and validation, its temperature and threshold fixed on the validation videos.
public struct DetectorTraining: Sendable {
    public var real: [URL]
    public var fake: [URL]
    /// The share of each class's videos held out for validation (at least one of each).
    public var validationShare: Double
    public var seed: UInt64
    public var sampler: FrameSampler
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    public init(real: [URL], fake: [URL], validationShare: Double = 0.25, seed: UInt64 = 1, sampler: FrameSampler = FrameSampler(),
                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) {
        self.real = real
        self.fake = fake
        self.validationShare = validationShare
        self.seed = seed
        self.sampler = sampler
        self.progress = progress
        self.cancellation = cancellation
    }

    /// Reads every video, trains, calibrates, and returns the detector (with its validation figures).
    /// - Throws: `PhimError` naming the option or file at fault: fewer than two videos of a class, a file that is not
    ///   a video or photo.
    public func train() throws(PhimError) -> Detector {
        for (files, option) in [(real, "real"), (fake, "fake")] where files.count < 2 {
            throw PhimError(.invalidInput, "needs at least two videos (one is held out for validation), got \(files.count)", subject: .option(option))
        }
        let started = MonotonicClock.now()
        var videos: [VideoFeatures] = []
        for (index, (url, generated)) in (real.map { ($0, false) } + fake.map { ($0, true) }).enumerated() {
            videos.append(try VideoFeatures.read(url, generated: generated, sampler: sampler, cancellation: cancellation))
            progress?(ProgressUpdate(stage: "features", completed: index + 1, total: real.count + fake.count, elapsed: MonotonicClock.now() - started))
        }
        let (training, validation) = try Self.split(videos, share: validationShare, seed: seed)
        var model = LinearDetector.train(training.flatMap(\.frames), labels: training.flatMap { v in v.frames.map { _ in v.generated } })
        let logits = validation.map { video in video.frames.map(model.logit).reduce(0, +) / Float(max(video.frames.count, 1)) }
        let labels = validation.map(\.generated)
        model.calibrate(logits: logits, labels: labels)
        let probabilities = logits.map { model.probability(logit: $0) }
        // The threshold that classifies the most validation videos right (the midpoint between neighbours).
        let candidates = [0.5] + probabilities.sorted().adjacentPairs().map { ($0 + $1) / 2 }
        let threshold = candidates.max { a, b in
            DetectionMetrics(probabilities: probabilities, labels: labels, threshold: a).accuracy
                < DetectionMetrics(probabilities: probabilities, labels: labels, threshold: b).accuracy
        } ?? 0.5
        // The control, on the same split: one vector a video.
        let control = LinearDetector.train(training.map(\.metadata), labels: training.map(\.generated))
        let controlAUC = DetectionMetrics(probabilities: validation.map { control.probability(logit: control.logit($0.metadata)) },
                                          labels: labels).auc
        var sidecar = Detector.Sidecar(features: SpectralFeatures.count, temperature: model.temperature, threshold: threshold,
                                       trainedOn: Detector.TrainingSet(realVideos: real.map(\.lastPathComponent), fakeVideos: fake.map(\.lastPathComponent),
                                                                       frames: training.reduce(0) { $0 + $1.frames.count }),
                                       validation: DetectionMetrics(probabilities: probabilities, labels: labels, threshold: threshold))
        sidecar.metadataControlAUC = controlAUC.isFinite ? controlAUC : nil
        sidecar.heldOutGenerators = Self.leaveOneGeneratorOut(training: training, validation: validation)
        return Detector(model: model, sidecar: sidecar)
    }

    /// Splits by source: every video of a source (its real and generated versions) goes to the same side. Sources are
    /// shuffled (seeded) and held out until at least `share` of the videos are, with both classes on both sides.
    /// - Throws: `PhimError` when no split has both classes on both sides.
    static func split(_ videos: [VideoFeatures], share: Double, seed: UInt64) throws(PhimError) -> (training: [VideoFeatures], validation: [VideoFeatures]) {
        var sources = Array(Set(videos.map(\.source))).sorted()
        var random = SplitMix64(seed: seed)
        for i in stride(from: sources.count - 1, to: 0, by: -1) { sources.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        var held: Set<String> = []
        func sides() -> ([VideoFeatures], [VideoFeatures]) {
            (videos.filter { !held.contains($0.source) }, videos.filter { held.contains($0.source) })
        }
        func bothClasses(_ list: [VideoFeatures]) -> Bool { Set(list.map(\.generated)).count == 2 }
        for source in sources {
            let (training, validation) = sides()
            if Double(validation.count) >= share * Double(videos.count), bothClasses(validation) { break }
            held.insert(source)
            if !bothClasses(sides().0) { held.remove(source) }
        }
        let (training, validation) = sides()
        guard bothClasses(training), bothClasses(validation) else {
            throw PhimError(.invalidInput, "cannot hold out real and generated videos of some sources and train on the others: give more sources",
                            subject: .option("fake"))
        }
        return (training, validation)
    }

    /// With generated videos from two or more generators (folders), each generator's AUC when the detector is trained
    /// without it: on the training videos less that generator's, tested on the validation sources' real videos and
    /// that generator's videos of them.
    static func leaveOneGeneratorOut(training: [VideoFeatures], validation: [VideoFeatures]) -> [String: Double]? {
        let generators = Set((training + validation).filter(\.generated).map(\.generator)).sorted()
        guard generators.count >= 2 else { return nil }
        var result: [String: Double] = [:]
        for generator in generators {
            let kept = training.filter { !$0.generated || $0.generator != generator }
            guard Set(kept.map(\.generated)).count == 2 else { continue }
            let model = LinearDetector.train(kept.flatMap(\.frames), labels: kept.flatMap { v in v.frames.map { _ in v.generated } })
            let tested = validation.filter { !$0.generated || $0.generator == generator }
            let scores = tested.map { video in model.probability(logit: video.frames.map(model.logit).reduce(0, +) / Float(max(video.frames.count, 1))) }
            let auc = DetectionMetrics(probabilities: scores, labels: tested.map(\.generated)).auc
            if auc.isFinite { result[generator] = auc }
        }
        return result
    }
}

extension Sequence {
    /// Each element with the one after it.
    func adjacentPairs() -> [(Element, Element)] {
        let all = Array(self)
        return all.count < 2 ? [] : (1..<all.count).map { (all[$0 - 1], all[$0]) }
    }
}

/// What `phim detect` says of one file: Phim's own provenance first (a C2PA manifest and the watermark, which mark
/// it as known AI output), then the detector's verdict, which the provenance never moves.
public struct DetectionVerdict: Codable, Sendable {
    public struct ProvenanceFound: Codable, Sendable {
        /// The C2PA manifest's state as `phim verify` gives it (`Trusted`, `Valid`, `Invalid`, `Absent`), or
        /// `Unreadable` for a file that is neither an MP4 nor a PNG.
        public var c2pa: String
        public var sourceType: String?
        public var watermarkDetected: Bool
        public var watermarkPValue: Double?
        /// Whether either says the file is Phim's (and so AI-made or AI-altered).
        public var knownAI: Bool
    }

    public struct FrameScore: Codable, Sendable {
        public var time: Double
        public var score: Double
    }

    /// The detectors' calibrated probability that the file is generated or altered.
    public var probability: Double
    /// Whether `probability` reaches the detector's threshold.
    public var calledGenerated: Bool
    public var threshold: Double
    public var provenance: ProvenanceFound
    public var detectors: [String: Double]
    public var frames: [FrameScore]
    /// Where in the frame, when asked for (not part of the JSON).
    public var heatMap: HeatMap?

    enum CodingKeys: String, CodingKey {
        case probability, calledGenerated, threshold, provenance, detectors, frames
    }

    /// The detector's calibrated probability for `url` alone (no provenance check).
    public static func probability(of url: URL, detector: Detector, sampler: FrameSampler = FrameSampler(),
                                   cancellation: CancellationFlag? = nil) throws(PhimError) -> Double {
        let features = try VideoFeatures.read(url, generated: false, sampler: sampler, cancellation: cancellation)
        let logits = features.frames.map(detector.model.logit)
        return detector.model.probability(logit: logits.reduce(0, +) / Float(max(logits.count, 1)))
    }

    /// Checks `url` with `detector`; with `mapping`, also maps where in the frame it sees generation (``heatMap``).
    public static func check(_ url: URL, detector: Detector, sampler: FrameSampler = FrameSampler(), mapping: Bool = false,
                             progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) throws(PhimError) -> DetectionVerdict {
        var features = VideoFeatures(file: url.lastPathComponent, generated: false, frames: [], times: [])
        var map = mapping ? HeatMap() : nil
        try sampler.forEach(in: url, cancellation: cancellation) { sample throws(PhimError) in
            features.frames.append(SpectralFeatures.of(luma: sample.luma, side: sampler.side))
            features.times.append(sample.time)
            map?.add(sample.picture, detector: detector)
        }
        let logits = features.frames.map(detector.model.logit)
        let probability = detector.model.probability(logit: logits.reduce(0, +) / Float(max(logits.count, 1)))
        let report = try? C2PAVerifier.localAuthority().verify(url)
        let watermark = try? WatermarkDetector.read(url, progress: progress, cancellation: cancellation)
        let sourceType = report?.actions.compactMap(\.1).first
        let found = ProvenanceFound(c2pa: report?.state.rawValue ?? "Unreadable", sourceType: sourceType,
                                    watermarkDetected: watermark?.detected ?? false, watermarkPValue: watermark?.pValue,
                                    knownAI: (report.map { $0.state == .trusted || $0.state == .valid } ?? false) || (watermark?.detected ?? false))
        return DetectionVerdict(probability: probability, calledGenerated: probability >= detector.sidecar.threshold,
                                threshold: detector.sidecar.threshold, provenance: found,
                                detectors: [Detector.architecture: probability],
                                frames: zip(features.times, logits).map { FrameScore(time: $0.0, score: detector.model.probability(logit: $0.1)) },
                                heatMap: map)
    }
}
