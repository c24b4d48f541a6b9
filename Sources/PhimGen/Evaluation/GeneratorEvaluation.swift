import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// What `phim eval` measures of a generator against the set it learned from, each figure beside what it means:
///
/// - **Distances** in the feature space of the set's own frozen classifier (``ClipClassifier``; not Inception's or
///   I3D's, so they are not FID or FVD and compare only with figures from the same set): the Fréchet distance and
///   the kernel distance of generated clips to the set's training clips, beside the *floor* (the held-out real
///   clips, as many as the samples, to the same training clips: what a perfect generator would score) and an
///   *untrained* generator of the same architecture (what learning nothing scores).
/// - **Class accuracy** of a conditional generator: how often the classifier names the class asked for, beside the
///   classifier's own accuracy on held-out real clips (the ceiling).
/// - **Motion statistics** per clip, their means for the samples and the held-out real clips and the 1-D
///   Wasserstein distance between the two distributions: *speed*, the mean absolute change between consecutive
///   frames (0–255); *area*, the share of pixels that differ by more than 24/255 in some channel from the clip's
///   median frame (what moves, against a still background); *colour drift*, the distance between the mean colours
///   of the first and last frames (0–255); and *diversity*, the mean distance between two clips' features.
public struct GeneratorEvaluation: Codable, Sendable, Equatable {
    public struct Distance: Codable, Sendable, Equatable {
        public var model: Double
        public var floor: Double
        public var untrained: Double
    }

    public struct Statistic: Codable, Sendable, Equatable {
        public var model: Double
        public var real: Double
        /// Between the samples' and the real clips' distributions of the per-clip value (0 for diversity, which is
        /// one figure a set).
        public var wasserstein: Double
    }

    public struct Classifier: Codable, Sendable, Equatable {
        public var task: ClipClassifier.Task
        public var heldOutAccuracy: Double
        /// Held-out real clips of each class (rows) by the class the judge gave them (columns); empty when unknown.
        public var heldOutConfusion: [[Int]]
        /// The set's class names (the confusion's order); empty for the order task.
        public var classNames: [String]
        public var cached: Bool
    }

    public var classifier: Classifier
    public var samples: Int
    public var realClips: Int
    public var classAccuracy: Double?
    public var untrainedClassAccuracy: Double?
    public var frechet: Distance
    public var kernel: Distance
    public var speed: Statistic
    public var area: Statistic
    public var colourDrift: Statistic
    public var diversity: Statistic
    /// Image to video (`phim animate`): the PSNR (dB, RGB) of the first frame made from each held-out real clip's
    /// first frame against that frame, the mean and the lowest.
    public var animatePSNR: Double
    public var animatePSNRLowest: Double

    static let batch = 32
    public static let maxSamples = 10_000

    /// Evaluates `model` against the set at `data`.
    /// - Parameter samples: generated clips (default: as many as the held-out real clips).
    /// - Throws: `PhimError` naming the set or the model: a set of another clip size, length or class count.
    public static func evaluate(_ model: GeneratorModel, modelPath: String, data: URL, samples: Int? = nil, seed: UInt64 = 1,
                                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) throws(PhimError) -> GeneratorEvaluation {
        let store = try ClipStore.open(data, progress: progress, cancellation: cancellation)
        let labels = store.labels, config = model.sidecar.config
        guard labels.size == config.size, labels.frames == config.frames else {
            throw PhimError(.invalidInput, "has clips of \(labels.size)x\(labels.size), \(labels.frames) frames; the model makes "
                            + "\(config.size)x\(config.size), \(config.frames) frames", subject: .file(data.displayPath))
        }
        let conditional = GANTraining.isConditional(labels)
        if config.classes > 0 {
            guard conditional, labels.classes.count == config.classes else {
                throw PhimError(.invalidInput, "the model is conditional on \(config.classes) classes; this set has "
                                + "\(conditional ? labels.classes.count : 0)", subject: .file(data.displayPath))
            }
        }
        let trained = try TrainedClassifier.load(for: store, seed: seed, progress: progress, cancellation: cancellation)
        let heldOut = (0..<store.count).filter(TrainedClassifier.isHeldOut)
        let reference = (0..<store.count).filter { !TrainedClassifier.isHeldOut($0) }
        let count = samples ?? heldOut.count
        guard (2...maxSamples).contains(count) else {
            throw PhimError(.invalidInput, "must be between 2 and \(maxSamples)", subject: .option("samples"))
        }
        let subject = PhimError.Subject.file(modelPath)
        do {
            let classifier = trained.classifier
            var random = SplitMix64(seed: seed)
            let total = reference.count + 3 * count, started = MonotonicClock.now()
            var done = 0
            let report: (Int) -> Void = { clips in
                done += clips
                progress?(ProgressUpdate(stage: "measure", completed: done, total: total, elapsed: MonotonicClock.now() - started))
            }
            let noise = Generator(seed: seed &+ 2)
            func real(_ indices: [Int], animate: Bool) throws -> Measured {
                var measured = Measured()
                for start in stride(from: 0, to: indices.count, by: batch) {
                    if cancellation?.isCancelled == true { throw PhimError(.cancelled, "cancelled", subject: subject) }
                    let slice = Array(indices[start..<min(start + batch, indices.count)])
                    let (clips, classes) = try TrainedClassifier.batch(store, indices: slice, task: .classes, random: &random)
                    try measured.add(clips, classifier: classifier, expected: nil)
                    if animate {
                        try measured.addAnimation(of: clips, model: model, classes: config.classes > 0 ? classes : nil, noise: noise)
                    }
                    report(slice.count)
                }
                return measured
            }
            let referenceSet = try real(reference, animate: false)
            let heldOutSet = try real(Array(heldOut.prefix(count)), animate: true)
            let generated = try generate(model.generator, count: count, seed: seed, classifier: classifier, cancellation: cancellation,
                                         subject: subject, report: report)
            try Torch.manualSeed(seed)
            let untrainedGenerator = try VideoGenerator(config)
            try untrainedGenerator.standingStatistics(batch: batch, seed: seed)
            let untrained = try generate(untrainedGenerator, count: count, seed: seed &+ 1, classifier: classifier,
                                         cancellation: cancellation, subject: subject, report: report)
            let referenceFeatures = referenceSet.features
            // The kernel sees features divided by the real clips' root mean square, so that its cube does not blow up
            // with the judge's scale (KID's kernel was made for features of about unit size).
            let scale = 1 / max(referenceFeatures.rootMeanSquare, 1e-12)
            let scaledReference = referenceFeatures.scaled(by: scale)
            func statistic(_ path: KeyPath<Measured, [Double]>) -> Statistic {
                Statistic(model: generated[keyPath: path].mean, real: heldOutSet[keyPath: path].mean,
                          wasserstein: wasserstein(generated[keyPath: path], heldOutSet[keyPath: path]))
            }
            return GeneratorEvaluation(
                classifier: Classifier(task: trained.task, heldOutAccuracy: trained.heldOutAccuracy,
                                       heldOutConfusion: trained.heldOutConfusion,
                                       classNames: trained.task == .classes ? store.labels.classes : [], cached: trained.cached),
                samples: count, realClips: reference.count,
                classAccuracy: config.classes > 0 ? generated.accuracy : nil,
                untrainedClassAccuracy: config.classes > 0 ? untrained.accuracy : nil,
                frechet: Distance(model: generated.features.frechetDistance(to: referenceFeatures),
                                  floor: heldOutSet.features.frechetDistance(to: referenceFeatures),
                                  untrained: untrained.features.frechetDistance(to: referenceFeatures)),
                kernel: Distance(model: try generated.features.scaled(by: scale).kernelDistance(to: scaledReference),
                                 floor: try heldOutSet.features.scaled(by: scale).kernelDistance(to: scaledReference),
                                 untrained: try untrained.features.scaled(by: scale).kernelDistance(to: scaledReference)),
                speed: statistic(\.speed), area: statistic(\.area), colourDrift: statistic(\.colourDrift),
                diversity: Statistic(model: try generated.features.meanPairwiseDistance(), real: try heldOutSet.features.meanPairwiseDistance(),
                                     wasserstein: 0),
                animatePSNR: heldOutSet.stillPSNR.mean, animatePSNRLowest: heldOutSet.stillPSNR.min() ?? 0)
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.operationFailed, "evaluation failed: \(error)", subject: subject)
        }
    }

    /// `count` clips of `generator`, conditional ones cycling through the classes, measured in batches.
    private static func generate(_ generator: VideoGenerator, count: Int, seed: UInt64, classifier: ClipClassifier,
                                 cancellation: CancellationFlag?, subject: PhimError.Subject, report: (Int) -> Void) throws -> Measured {
        let random = Generator(seed: seed)
        let config = generator.config
        var measured = Measured()
        try withNoGrad { () throws in
            for start in stride(from: 0, to: count, by: batch) {
                if cancellation?.isCancelled == true { throw PhimError(.cancelled, "cancelled", subject: subject) }
                let size = min(batch, count - start)
                let (content, motion) = try generator.noise(batch: size, frames: config.frames, generator: random)
                var classes: Tensor?
                if config.classes > 0 {
                    let values = (start..<start + size).map { Int64($0 % config.classes) }
                    classes = try values.withUnsafeBytes { try Tensor(bytes: $0, shape: [size], dtype: .int64) }
                }
                let clips = try generator(content: content, motionNoise: motion, classes: classes)
                try measured.add(clips, classifier: classifier, expected: classes)
                report(size)
            }
        }
        return measured
    }

    /// Per-clip figures of a set of clips, gathered batch by batch.
    struct Measured {
        var featureValues: [Double] = []
        var speed: [Double] = []
        var area: [Double] = []
        var colourDrift: [Double] = []
        var stillPSNR: [Double] = []
        var correct = 0
        var judged = 0

        var features: FeatureSet { FeatureSet(values: featureValues, dimension: ClipClassifier.featureDimension) }
        var accuracy: Double { judged == 0 ? 0 : Double(correct) / Double(judged) }

        /// Adds clips `[batch, 3, frames, size, size]` in -1…1; `expected` classes count toward the accuracy.
        mutating func add(_ clips: Tensor, classifier: ClipClassifier, expected: Tensor?) throws {
            try withNoGrad { () throws in
                let features = try classifier.features(clips)
                featureValues += try features.to(.float64).contiguous().toArray(Double.self)
                if let expected {
                    let predicted = try classifier.head(features).argmax(dim: 1)
                    correct += Int(try predicted.eq(expected).sum().item())
                    judged += try expected.size(0)
                }
                let pixels = try (clips + 1) * 127.5
                let frames = try pixels.size(2)
                let change = try (pixels.narrow(dim: 2, start: 1, length: frames - 1) - pixels.narrow(dim: 2, start: 0, length: frames - 1)).abs()
                speed += try change.mean(dims: [1, 2, 3, 4]).to(.float64).toArray(Double.self)
                let median = try pixels.sort(dim: 2).values.narrow(dim: 2, start: frames / 2, length: 1)
                let moving = try (pixels - median).abs().max(dim: 1).values.gt(24).to(.float32)
                area += try moving.mean(dims: [1, 2, 3]).to(.float64).toArray(Double.self)
                let first = try pixels.select(dim: 2, index: 0).mean(dims: [2, 3])
                let last = try pixels.select(dim: 2, index: frames - 1).mean(dims: [2, 3])
                colourDrift += try (last - first).pow(2).sum(dims: [1]).sqrt().to(.float64).toArray(Double.self)
            }
        }

        /// Adds the PSNR of each clip's first frame made again through the model's encoder and generator, as
        /// `phim animate` makes it.
        mutating func addAnimation(of clips: Tensor, model: GeneratorModel, classes: Tensor?, noise: Generator) throws {
            try withNoGrad { () throws in
                let still = try clips.select(dim: 2, index: 0)
                let batch = try still.size(0)
                let motion = try Tensor.randn([batch, 1, model.sidecar.config.motionNoiseDimension], generator: noise)
                let first = try model.generator(content: model.encoder(still), motionNoise: motion, classes: classes).select(dim: 2, index: 0)
                // Peak to peak 2 in -1…1.
                let error = try (first - still).pow(2).mean(dims: [1, 2, 3]).clamp(min: 1e-10)
                stillPSNR += try error.to(.float64).toArray(Double.self).map { 10 * log10(4 / $0) }
            }
        }
    }

    /// The 1-D Wasserstein-1 distance between two samples: the mean gap between their quantile functions, read at
    /// 1,000 evenly spaced levels.
    static func wasserstein(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let sortedA = a.sorted(), sortedB = b.sorted()
        func quantile(_ sorted: [Double], _ level: Double) -> Double {
            let position = level * Double(sorted.count - 1)
            let low = Int(position), high = Swift.min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        let levels = 1_000
        var total = 0.0
        for index in 0..<levels {
            let level = (Double(index) + 0.5) / Double(levels)
            total += abs(quantile(sortedA, level) - quantile(sortedB, level))
        }
        return total / Double(levels)
    }
}

extension Array where Element == Double {
    var mean: Double { isEmpty ? 0 : reduce(0, +) / Double(count) }
}
