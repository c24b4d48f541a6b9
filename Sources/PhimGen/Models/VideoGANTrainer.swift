import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// Every module of a video GAN under one root, so that one state dict (and one checkpoint) holds them all:
/// `generator.*`, `imageDiscriminator.*`, `videoDiscriminator.*`, `encoder.*`.
public final class VideoGAN: Module {
    public let config: VideoGANConfig
    public let generator: VideoGenerator
    public let imageDiscriminator: ProjectionDiscriminator
    public let videoDiscriminator: ProjectionDiscriminator
    public let encoder: ImageEncoder

    public init(_ config: VideoGANConfig) throws(TensorError) {
        self.config = config
        generator = try VideoGenerator(config)
        imageDiscriminator = try ProjectionDiscriminator(config: config, video: false)
        videoDiscriminator = try ProjectionDiscriminator(config: config, video: true)
        encoder = try ImageEncoder(config)
        super.init()
    }
}

/// The losses of one training step.
public struct GANLosses: Sendable, Equatable {
    /// The discriminators' hinge loss (image + video), without R1.
    public var discriminator: Double
    /// The generator's adversarial loss (image + video).
    public var generator: Double
    /// L1 between a still and the first frame generated from its encoding.
    public var reconstruction: Double
    /// The R1 penalty, on the steps that compute it (lazily, every ``VideoGANTrainer/Settings/r1Interval`` steps).
    public var r1: Double?
}

/// One step at a time of MoCoGAN-style training: hinge losses for an image discriminator (one random frame of each
/// clip) and a video discriminator, lazy R1 on real clips, DiffAugment (the same augmentation on every frame of a
/// clip) before both discriminators, an image encoder trained to make the first frame reproduce a still, and an
/// exponential moving average of the generator (with a warm-up), which is what sampling uses.
///
/// Not `Sendable`: one thread trains.
public final class VideoGANTrainer {
    public struct Settings: Codable, Sendable, Equatable {
        public var learningRate = 2e-4
        public var beta1 = 0.0
        public var beta2 = 0.99
        /// R1's weight and how often it is computed (its weight is scaled by the interval).
        public var r1Gamma = 0.2
        public var r1Interval = 16
        /// The weight of the encoder's first-frame L1.
        public var reconstructionWeight = 10.0
        public var emaDecay = 0.999
        public var augment = true
        /// DiffAugment's cutout too (a square half the side). Off by default: the shapes are small, and a cutout that
        /// hides all of them taught the discriminators that frames without shapes are real.
        public var cutout = false
        /// Whether the image discriminator judges every frame the generator drew (the window's), rather than one
        /// frame of each clip: eight times the image gradient for the same generator pass.
        public var imageEveryFrame = true
        /// The frame steps of the video discriminator's windows, one drawn per training step (the same for the real
        /// and the generated clips): with 2, a window of 8 frames spans 15 of the clip, and a curve reads as one.
        public var videoStrides = [1, 2]

        public init() {}

        enum CodingKeys: String, CodingKey {
            case learningRate, beta1, beta2, r1Gamma, r1Interval, reconstructionWeight, emaDecay, augment, cutout
            case imageEveryFrame, videoStrides
        }

        /// Reads sidecars written before a setting existed as what that training did then (cutout on, one frame for
        /// the image discriminator, windows of consecutive frames).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            learningRate = try container.decode(Double.self, forKey: .learningRate)
            beta1 = try container.decode(Double.self, forKey: .beta1)
            beta2 = try container.decode(Double.self, forKey: .beta2)
            r1Gamma = try container.decode(Double.self, forKey: .r1Gamma)
            r1Interval = try container.decode(Int.self, forKey: .r1Interval)
            reconstructionWeight = try container.decode(Double.self, forKey: .reconstructionWeight)
            emaDecay = try container.decode(Double.self, forKey: .emaDecay)
            augment = try container.decode(Bool.self, forKey: .augment)
            cutout = try container.decodeIfPresent(Bool.self, forKey: .cutout) ?? true
            imageEveryFrame = try container.decodeIfPresent(Bool.self, forKey: .imageEveryFrame) ?? false
            videoStrides = try container.decodeIfPresent([Int].self, forKey: .videoStrides) ?? [1]
        }
    }

    public let model: VideoGAN
    public let settings: Settings
    public let ema: ExponentialMovingAverage
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    let discriminatorParameters: [Tensor]
    let generatorParameters: [Tensor]
    private(set) var random: Generator
    public private(set) var step = 0
    /// Data-parallel training: each update's gradients averaged over the group's ranks (nil: this process alone).
    public private(set) var group: ProcessGroup?

    public init(model: VideoGAN, settings: Settings = Settings(), seed: UInt64 = 1) throws(TensorError) {
        self.model = model
        self.settings = settings
        let generatorParameters = model.generator.namedParameters().map { ("generator." + $0.0, $0.1) }
            + model.encoder.namedParameters().map { ("encoder." + $0.0, $0.1) }
        let discriminatorParameters = model.imageDiscriminator.namedParameters().map { ("imageDiscriminator." + $0.0, $0.1) }
            + model.videoDiscriminator.namedParameters().map { ("videoDiscriminator." + $0.0, $0.1) }
        generatorOptimizer = Adam(generatorParameters, learningRate: settings.learningRate, beta1: settings.beta1, beta2: settings.beta2)
        self.discriminatorParameters = discriminatorParameters.map(\.1)
        self.generatorParameters = generatorParameters.map(\.1)
        discriminatorOptimizer = Adam(discriminatorParameters, learningRate: settings.learningRate, beta1: settings.beta1,
                                      beta2: settings.beta2)
        ema = try ExponentialMovingAverage(of: model.generator, decay: settings.emaDecay)
        random = Generator(seed: seed)
    }

    /// Trains as one rank of `group`: the modules and the EMA become rank 0's, and every update averages the ranks'
    /// gradients first, so the replicas stay identical. Each rank should have its own `seed` (its own noise) and its
    /// own share of the data.
    /// - Parameter seed: the run's seed; ranks other than 0 draw their noise from it, their rank and the step (after a
    ///   resume every rank holds rank 0's saved random state, which would give them all the same noise).
    public func distribute(over group: ProcessGroup, seed: UInt64) throws(TensorError) {
        try withNoGrad { () throws(TensorError) in
            try group.broadcast(model.stateDict().map(\.1) + ema.stateDict().map(\.1), root: 0)
        }
        if group.rank > 0 {
            var mixer = SplitMix64(seed: seed ^ (UInt64(group.rank) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(step) &* 0xBF58_476D_1CE4_E5B9))
            random = Generator(seed: mixer.next())
        }
        self.group = group
    }

    /// A sum over every parameter and its EMA: equal on every rank while the replicas agree. (Batch-norm statistics
    /// are left out: each rank gathers its own from its own batches.)
    public func checksum() throws(TensorError) -> Double {
        try withNoGrad { () throws(TensorError) -> Double in
            let averaged = Set(model.generator.namedParameters().map(\.0))
            var total = 0.0
            for tensor in model.parameters() + ema.stateDict().filter({ averaged.contains($0.0) }).map(\.1) {
                total += try tensor.to(.float64).sum().item()
            }
            return total
        }
    }

    /// One discriminator update and one generator (and encoder) update on a batch of real clips
    /// `[batch, 3, frames, size, size]` in -1…1, with their int64 classes `[batch]` for a conditional model.
    public func train(on real: Tensor, classes: Tensor? = nil) throws -> GANLosses {
        let batch = try real.size(0), frames = try real.size(2)
        let generator = model.generator
        model.train()

        // One generator pass a step, as in the DCGAN recipe: the discriminators learn from its clips detached, then the
        // generator learns from the updated discriminators' scores of the same clips (a second pass would cost a third
        // of the step and tell nothing new).
        // Both see windows of `windowFrames` frames, each starting anywhere (the generator draws only the frames of its
        // window, its motion path still starting at frame 0).
        // A window of `window` frames `stride` apart spans `span` frames of the clip.
        let window = min(model.config.windowFrames, frames)
        let strides = settings.videoStrides.filter { $0 >= 1 && ($0 * (window - 1) + 1) <= frames }
        let stride = strides.isEmpty ? 1 : strides[Int(try Tensor.randint(0, strides.count, [1], generator: random).item())]
        let span = stride * (window - 1) + 1
        let realStart = try randomStart(frames - span), fakeStart = try randomStart(frames - span)
        let realWindow = span < frames || stride > 1
            ? try real.slice(dim: 2, start: realStart, end: realStart + span, step: stride) : real
        let (content, motion) = try generator.noise(batch: batch, frames: fakeStart + span, generator: random)
        let generated = try generator(content: content, motionNoise: motion, classes: classes, window: fakeStart..<(fakeStart + span),
                                      stride: stride)
        let fake = try generated.detach()
        let lazyR1 = settings.r1Gamma > 0 && step % settings.r1Interval == 0
        // R1 is the gradient at what the discriminators see: the augmented clip, taken as the input (grid sampling
        // has no second derivative to go further back).
        let augmentedReal = settings.augment
            ? try DiffAugment.apply(realWindow, cutout: settings.cutout, generator: random).detach() : realWindow
        let realInput = lazyR1 ? try augmentedReal.detach().requiringGrad() : augmentedReal
        let (realImage, realVideo) = try scores(realInput, classes: classes, augment: false)
        let (fakeImage, fakeVideo) = try scores(fake, classes: classes)
        var discriminatorLoss = try hingeLoss(realImage, real: true) + hingeLoss(fakeImage, real: false)
            + hingeLoss(realVideo, real: true) + hingeLoss(fakeVideo, real: false)
        let hinge = try discriminatorLoss.item()
        var r1Value: Double?
        if lazyR1 {
            // Each discriminator's own R1: the squared gradient norm per image it judged (a frame), and per clip.
            var norms: [Tensor] = []
            for (scores, perFrame) in [(realImage, settings.imageEveryFrame), (realVideo, false)] {
                guard let gradient = try Tensor.gradients(of: [scores.sum()], withRespectTo: [realInput], createGraph: true).first ?? nil else {
                    throw TensorError(.invalidArgument, "no gradient for R1")
                }
                let squared = try gradient.pow(2)
                norms.append(perFrame ? try squared.sum(dims: [1, 3, 4]).mean() : try squared.sum(dims: [1, 2, 3, 4]).mean())
            }
            let penalty = try (norms[0] + norms[1]) * (settings.r1Gamma / 2 * Double(settings.r1Interval))
            r1Value = try penalty.item()
            discriminatorLoss = try discriminatorLoss + penalty
        }
        try discriminatorOptimizer.zeroGrad()
        try discriminatorLoss.backward()
        if let group { try DistributedDataParallel.averageGradients(of: discriminatorParameters, group: group) }
        try discriminatorOptimizer.step()

        // Generator and encoder, the discriminators' weights frozen: their gradients would only be thrown away.
        try setDiscriminatorsLearning(false)
        defer { try? setDiscriminatorsLearning(true) }
        let (image, video) = try scores(generated, classes: classes)
        let adversarial = try -(image.mean() + video.mean())
        // Image to video: the first frame of a clip made from a still's encoding is that still.
        let still = try real.select(dim: 2, index: 0)
        let encoded = try model.encoder(still)
        let noMotion = try Tensor.randn([batch, 1, model.config.motionNoiseDimension], generator: random)
        // With batch norm on its running statistics, as `phim animate` runs it (one still, no batch to normalise
        // over): in training mode each batch of encodings would be normalised by its own statistics, and the encoder
        // would learn codes that reproduce the still only that way.
        generator.eval()
        let firstFrame = try generator(content: encoded, motionNoise: noMotion, classes: classes).select(dim: 2, index: 0)
        generator.train()
        let reconstruction = try l1Loss(firstFrame, still)
        let generatorLoss = try adversarial + reconstruction * settings.reconstructionWeight
        try generatorOptimizer.zeroGrad()
        try generatorLoss.backward()
        if let group { try DistributedDataParallel.averageGradients(of: generatorParameters, group: group) }
        try generatorOptimizer.step()
        // Warm-up: with a fixed 0.999 the average would still be three quarters the initial weights after 300
        // steps; (1 + t) / (10 + t) follows the generator closely at first.
        try ema.update(decay: min(settings.emaDecay, Double(step + 1) / Double(step + 10)))
        step += 1
        return GANLosses(discriminator: hinge, generator: try adversarial.item(), reconstruction: try reconstruction.item(), r1: r1Value)
    }

    /// A start from 0 through `last`, drawn from the trainer's generator.
    func randomStart(_ last: Int) throws(TensorError) -> Int {
        last <= 0 ? 0 : Int(try Tensor.randint(0, last + 1, [1], generator: random).item())
    }

    func setDiscriminatorsLearning(_ learning: Bool) throws(TensorError) {
        for parameter in discriminatorParameters { try parameter.requiringGrad(learning) }
    }

    /// Both discriminators' scores on augmented clips: the image discriminator's on every frame (`[batch × frames]`,
    /// clip by clip) or on one random frame of each clip (`[batch]`).
    func scores(_ clips: Tensor, classes: Tensor?, augment: Bool = true) throws -> (image: Tensor, video: Tensor) {
        let input = augment && settings.augment ? try DiffAugment.apply(clips, cutout: settings.cutout, generator: random) : clips
        let batch = try input.size(0), frames = try input.size(2)
        let height = try input.size(3), width = try input.size(4)
        let frame: Tensor
        var frameClasses = classes
        if settings.imageEveryFrame {
            frame = try input.permute([0, 2, 1, 3, 4]).reshape([batch * frames, 3, height, width])
            frameClasses = try classes.map { try $0.unsqueeze(dim: 1).expand([batch, frames]).reshape([batch * frames]) }
        } else {
            let pick = try Tensor.randint(0, frames, [batch], generator: random)
            let index = try pick.reshape([batch, 1, 1, 1, 1]).expand([batch, 3, 1, height, width])
            frame = try input.gather(dim: 2, index: index).squeeze(dim: 2)
        }
        // The video discriminator's clips averaged down to its size (a box filter: no aliasing of fine motion).
        let factor = try input.size(3) / model.config.videoDiscriminatorSize
        let video = factor > 1 ? try input.avgPool3d(kernel: [1, factor, factor]) : input
        return (try model.imageDiscriminator(frame, classes: frameClasses), try model.videoDiscriminator(video, classes: classes))
    }
}

/// Differentiable augmentation (Zhao et al., 2020) for clips `[batch, 3, frames, h, w]`: brightness, saturation,
/// contrast, translation by up to an eighth and (when asked) a cutout of half the side, each drawn once per clip and
/// applied to every frame of it, so that motion is left as it was.
public enum DiffAugment {
    public static func apply(_ clips: Tensor, cutout: Bool = true, generator: Generator? = nil) throws -> Tensor {
        let batch = try clips.size(0), channels = try clips.size(1), frames = try clips.size(2)
        let height = try clips.size(3), width = try clips.size(4)
        func perClip() throws -> Tensor { try Tensor.rand([batch, 1, 1, 1, 1], generator: generator) }
        // Colour.
        var x = try clips + (perClip() - 0.5)
        let grey = try x.mean(dims: [1], keepDims: true)
        x = try (x - grey) * (perClip() * 2) + grey
        let average = try x.mean(dims: [1, 3, 4], keepDims: true)
        x = try (x - average) * (perClip() + 0.5) + average
        // Translation: one affine shift per clip, the frames stacked as channels.
        let shift = try (Tensor.rand([batch, 2], generator: generator) * 2 - 1) * 0.25  // ±1/8 of the side, in -1…1 units
        let identity = try Tensor.eye(2).unsqueeze(dim: 0).expand([batch, 2, 2])
        let theta = try Tensor.cat([identity, shift.unsqueeze(dim: 2)], dim: 2)
        let flat = try x.reshape([batch, channels * frames, height, width])
        let grid = try Tensor.affineGrid(theta, size: [batch, channels * frames, height, width])
        x = try flat.gridSample(grid, bilinear: false).reshape([batch, channels, frames, height, width])
        guard cutout else { return x }
        // Cutout: a square half the side, zeroed, at one place per clip.
        let centreX = try Tensor.randint(0, width, [batch, 1, 1, 1, 1], generator: generator, dtype: .float32)
        let centreY = try Tensor.randint(0, height, [batch, 1, 1, 1, 1], generator: generator, dtype: .float32)
        let xs = try Tensor.arange(0, Double(width)).reshape([1, 1, 1, 1, width])
        let ys = try Tensor.arange(0, Double(height)).reshape([1, 1, 1, height, 1])
        let outsideX = try (xs - centreX).abs().gt(Double(width / 4) - 0.5)
        let outsideY = try (ys - centreY).abs().gt(Double(height / 4) - 0.5)
        let keep = try outsideX.logicalOr(outsideY).to(x.dtype)
        return try x * keep
    }
}

extension VideoGANTrainer {
    /// Everything training needs to resume: the modules, the EMA, both optimizers, the step and the random state.
    public func save(to url: URL) throws(PhimError) {
        try Checkpoint.save(to: url.path, model: model, optimizers: ["generator": generatorOptimizer, "discriminator": discriminatorOptimizer],
                            step: step, generators: ["trainer": random, "default": .default], ema: ema,
                            metadata: ["phim.architecture": model.config.architecture])
    }

    /// Restores a checkpoint written by ``save(to:)`` for a model of the same configuration.
    public func load(from url: URL) throws(PhimError) {
        let (saved, _) = try Checkpoint.load(from: url.path, into: model,
                                             optimizers: ["generator": generatorOptimizer, "discriminator": discriminatorOptimizer],
                                             generators: ["trainer": random, "default": .default], ema: ema)
        step = saved
    }
}
