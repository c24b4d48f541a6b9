import Foundation
import PhimNN
import PhimTensor

/// The architecture and sizes of a video GAN: what a checkpoint's JSON sidecar records, enough to build the modules
/// its tensors load into.
public struct VideoGANConfig: Codable, Sendable, Equatable {
    /// The architecture this Phim builds: "phim-mocogan-3", whose motion GRU starts each clip from a state made of
    /// the clip's first motion noise, so that a clip's motion can be one smooth path decided at its start (in
    /// "phim-mocogan-2" it started from zero and only the fresh noise of each frame could make one clip's path differ
    /// from another's, which made motion jitter; in "phim-mocogan-1" the GRU did not see the class either).
    public static let currentArchitecture = "phim-mocogan-3"
    public static let readableArchitectures = ["phim-mocogan-1", "phim-mocogan-2", currentArchitecture]
    public var architecture = currentArchitecture
    /// Clips are `frames` frames of `size`×`size` RGB.
    public var size: Int
    public var frames: Int
    /// Classes the generator is conditioned on (0: unconditional).
    public var classes: Int
    /// The content code (held for the whole clip), the motion noise each frame and the motion code (the GRU's state).
    public var contentDimension = 64
    public var motionNoiseDimension = 16
    public var motionDimension = 32
    public var classDimension = 16
    /// Channels of the generator's last block and the discriminators' first; each block halves or doubles them.
    public var generatorWidth = 32
    public var discriminatorWidth = 32
    /// The video discriminator judges windows of this many consecutive frames (nil: whole clips), so that training
    /// draws only those frames; the GRU still runs from frame 0, and the windows start anywhere in the clip.
    public var videoWindow: Int?
    /// The video discriminator judges clips averaged down to this size (nil: `size`): motion reads as well at half
    /// the size, and the image discriminator judges single frames at full size.
    public var videoSize: Int?

    public init(size: Int, frames: Int, classes: Int) {
        self.size = size
        self.frames = frames
        self.classes = classes
    }

    /// Whether the motion GRU takes the class embedding beside each frame's noise.
    public var motionSeesClass: Bool { classes > 0 && architecture != "phim-mocogan-1" }
    /// Whether the GRU's first state is made from the clip's first motion noise (rather than zero).
    public var motionStartsFromNoise: Bool { !["phim-mocogan-1", "phim-mocogan-2"].contains(architecture) }
    /// The GRU's input: the motion noise, and the class embedding when it sees it.
    var motionInputDimension: Int { motionNoiseDimension + (motionSeesClass ? classDimension : 0) }

    /// 4×4 up to `size` in doublings.
    public var blocks: Int { Self.blocks(size) }
    static func blocks(_ size: Int) -> Int { Int(log2(Double(max(size, 4) / 4)).rounded()) }
    /// The frames of a window the video discriminator sees, and the size it sees them at.
    public var windowFrames: Int { videoWindow ?? frames }
    public var videoDiscriminatorSize: Int { videoSize ?? size }

    /// Checks the sizes the modules can be built for.
    public func validate() throws(TensorError) {
        guard [16, 32, 64, 128, 256].contains(size) else {
            throw TensorError(.invalidArgument, "size \(size): the generator needs a power of two from 16 to 256")
        }
        guard (2...256).contains(frames) else { throw TensorError(.invalidArgument, "frames \(frames): 2 to 256") }
        guard (0...1000).contains(classes) else { throw TensorError(.invalidArgument, "classes \(classes): 0 to 1000") }
        guard Self.readableArchitectures.contains(architecture) else {
            throw TensorError(.invalidArgument, "architecture \(architecture.debugDescription): this Phim builds \(Self.readableArchitectures)")
        }
        guard (2...frames).contains(windowFrames) else {
            throw TensorError(.invalidArgument, "videoWindow \(windowFrames): 2 to the clip's \(frames) frames")
        }
        guard [8, 16, 32, 64, 128, 256].contains(videoDiscriminatorSize), videoDiscriminatorSize <= size else {
            throw TensorError(.invalidArgument, "videoSize \(videoDiscriminatorSize): a power of two from 8 to the clip's \(size)")
        }
        for (name, value) in [("contentDimension", contentDimension), ("motionNoiseDimension", motionNoiseDimension),
                              ("motionDimension", motionDimension), ("classDimension", classDimension),
                              ("generatorWidth", generatorWidth), ("discriminatorWidth", discriminatorWidth)] {
            guard (1...4096).contains(value) else { throw TensorError(.invalidArgument, "\(name) \(value): 1 to 4096") }
        }
        // Memory: the modules, their EMA and Adam's two moments all hold every parameter.
        guard parameterEstimate <= Self.maxParameters else {
            throw TensorError(.invalidArgument, "about \(parameterEstimate / 1_000_000) million parameters, more than the "
                              + "\(Self.maxParameters / 1_000_000) million allowed (lower the widths or the size)")
        }
    }

    /// At most this many parameters in all the modules (400 MB of float32).
    public static let maxParameters = 100_000_000

    /// The parameters of the generator, both discriminators and the encoder, counted from the sizes alone (before
    /// anything is allocated), to the nearest few per cent.
    public var parameterEstimate: Int {
        let blocks = self.blocks
        let top = generatorWidth << max(blocks - 1, 0)
        let latent = contentDimension + motionDimension + (classes > 0 ? classDimension : 0)
        var generator = latent * top * 16 + 3 * motionDimension * (motionInputDimension + motionDimension)
            + (motionStartsFromNoise ? motionNoiseDimension * motionDimension : 0)
        var channels = top
        for block in 0..<blocks {
            let next = block == blocks - 1 ? generatorWidth : channels / 2
            generator += 9 * channels * next
            channels = next
        }
        generator += 27 * channels
        var discriminators = 0, encoder = 0
        var input = 3, width = discriminatorWidth
        for _ in 0..<blocks {
            // 2-D 4×4 kernels (the image discriminator and the encoder).
            discriminators += 16 * input * width
            encoder += 16 * input * width
            input = width
            width = min(width * 2, discriminatorWidth * 8)
        }
        encoder += input * 16 * contentDimension
        var videoInput = 3, videoWidth = discriminatorWidth, time = windowFrames
        for _ in 0..<Self.blocks(videoDiscriminatorSize) {
            // 3-D 4×4×4 kernels while time halves, then 3×4×4.
            let timeKernel = time >= 4 ? 4 : 3
            if time >= 4 { time /= 2 }
            discriminators += 16 * timeKernel * videoInput * videoWidth
            videoInput = videoWidth
            videoWidth = min(videoWidth * 2, discriminatorWidth * 8)
        }
        return generator + discriminators + encoder + classes * (classDimension + input + videoInput)
    }
}

/// MoCoGAN's generator (Tulyakov et al., 2018), with the first frame made of the content alone: a content code
/// held for the clip, a GRU that turns per-frame noise (and the class) into a path of motion codes, and a 2-D decoder
/// (upsample + conv blocks) that draws each frame from the content, the motion code's change since the first frame
/// and the class. Because frame 0 sees no motion, an image encoder's content code gives a clip whose first frame is the
/// image (``ImageEncoder``).
public final class VideoGenerator: Module {
    public let config: VideoGANConfig
    let motion: GRUCell
    /// The GRU's first state from the clip's first motion noise (architecture 3).
    let motionStart: Linear?
    let classEmbedding: Embedding?
    let input: Linear
    let inputNorm: BatchNorm1d
    let ups: [UpsampleConvolution]
    let norms: [BatchNorm2d]
    let output: Conv2d

    public init(_ config: VideoGANConfig) throws(TensorError) {
        try config.validate()
        self.config = config
        motion = try GRUCell(inputSize: config.motionInputDimension, hiddenSize: config.motionDimension)
        motionStart = config.motionStartsFromNoise ? try Linear(config.motionNoiseDimension, config.motionDimension) : nil
        classEmbedding = config.classes > 0 ? try Embedding(config.classes, config.classDimension) : nil
        let latent = config.contentDimension + config.motionDimension + (config.classes > 0 ? config.classDimension : 0)
        let top = config.generatorWidth << (config.blocks - 1)
        input = try Linear(latent, top * 16)
        inputNorm = try BatchNorm1d(top * 16)
        var ups: [UpsampleConvolution] = [], norms: [BatchNorm2d] = []
        var channels = top
        for block in 0..<config.blocks {
            let next = block == config.blocks - 1 ? config.generatorWidth : channels / 2
            ups.append(try UpsampleConvolution(channels, next))
            norms.append(try BatchNorm2d(next))
            channels = next
        }
        self.ups = ups
        self.norms = norms
        output = try Conv2d(channels, 3, kernelSize: 3, padding: 1)
        super.init()
    }

    /// Motion codes for `frames` frames from per-frame noise `[batch, frames, motionNoise]` (and, when the GRU sees
    /// it, the class embedding `[batch, classDimension]`): `[batch, frames, motion]`, each minus the first (frame 0
    /// has no motion). From architecture 3 the GRU starts from tanh of a linear map of frame 0's noise.
    func motionCodes(_ noise: Tensor, classVector: Tensor? = nil) throws -> Tensor {
        let batch = try noise.size(0), frames = try noise.size(1)
        var hidden = if let motionStart {
            try motionStart(noise.select(dim: 1, index: 0)).tanh()
        } else {
            try Tensor.zeros([batch, config.motionDimension], dtype: noise.dtype, device: noise.device)
        }
        var codes: [Tensor] = []
        for t in 0..<frames {
            var input = try noise.select(dim: 1, index: t)
            if let classVector { input = try Tensor.cat([input, classVector], dim: 1) }
            hidden = try motion(input, hidden: hidden)
            codes.append(hidden)
        }
        let path = try Tensor.stack(codes, dim: 1)
        return try path - path.narrow(dim: 1, start: 0, length: 1)
    }

    /// Clips `[batch, 3, frames, size, size]` in -1…1 from content codes `[batch, content]` (or a path of them,
    /// `[batch, frames, content]`, for clips whose content changes), motion noise `[batch, frames, motionNoise]` and,
    /// for a conditional model, int64 classes `[batch]`.
    /// - Parameters:
    ///   - window: only these frames (the motion path still starts at frame 0); nil: every frame.
    ///   - stride: of the window's frames, every `stride`-th from its first.
    public func callAsFunction(content: Tensor, motionNoise: Tensor, classes: Tensor? = nil, window: Range<Int>? = nil,
                               stride: Int = 1) throws -> Tensor {
        let batch = try content.size(0)
        var classVector: Tensor?
        if let classEmbedding {
            guard let classes else { throw TensorError(.invalidArgument, "this generator is conditional: give classes") }
            classVector = try classEmbedding(classes)
        }
        var codes = try motionCodes(motionNoise, classVector: config.motionSeesClass ? classVector : nil)
        if let window {
            guard window.lowerBound >= 0, window.upperBound <= (try codes.size(1)), !window.isEmpty else {
                throw TensorError(.invalidArgument, "frames \(window) of \(try codes.size(1))")
            }
            guard stride >= 1 else { throw TensorError(.invalidArgument, "stride \(stride)") }
            codes = try codes.slice(dim: 1, start: window.lowerBound, end: window.upperBound, step: stride)
        }
        let frames = try codes.size(1)
        var contentPath = content.rank == 3 ? content : try content.unsqueeze(dim: 1).expand([batch, frames, config.contentDimension])
        if content.rank == 3, let window {
            contentPath = try contentPath.slice(dim: 1, start: window.lowerBound, end: window.upperBound, step: stride)
        }
        guard try contentPath.size(1) == frames else {
            throw TensorError(.invalidArgument, "a content path of \(try contentPath.size(1)) frames for \(frames) frames of motion")
        }
        var parts = [contentPath, codes]
        if let classVector {
            parts.append(try classVector.unsqueeze(dim: 1).expand([batch, frames, config.classDimension]))
        }
        let latent = try Tensor.cat(parts, dim: 2).reshape([batch * frames, -1])
        let top = config.generatorWidth << (config.blocks - 1)
        var x = try inputNorm(input(latent)).relu().reshape([batch * frames, top, 4, 4])
        for (up, norm) in zip(ups, norms) { x = try norm(up(x)).relu() }
        x = try output(x).tanh()
        return try x.reshape([batch, frames, 3, config.size, config.size]).permute([0, 2, 1, 3, 4])
    }

    /// Batch normalisation's running statistics as this generator's own: the average over `batches` batches of
    /// random clips (BigGAN's "standing statistics"). An EMA generator needs them: the statistics it was copied with
    /// are the training generator's, whose weights differ from the averaged ones, and in evaluation they would shift
    /// and scale every layer wrongly (samples collapse to a smear of one colour). Leaves the generator in eval mode.
    public func standingStatistics(batches: Int = 8, batch: Int, seed: UInt64) throws {
        let norms = modules().compactMap { $0 as? BatchNorm }
        for norm in norms {
            norm.momentum = nil
            try norm.resetRunningStatistics()
        }
        train()
        let random = Generator(seed: seed ^ 0x5747_4E44)
        try withNoGrad { () throws in
            for index in 0..<batches {
                let (content, motion) = try noise(batch: batch, frames: config.frames, generator: random)
                var classes: Tensor?
                if config.classes > 0 {
                    let values = (0..<batch).map { Int64(($0 + index * batch) % config.classes) }
                    classes = try values.withUnsafeBytes { try Tensor(bytes: $0, shape: [batch], dtype: .int64) }
                }
                _ = try callAsFunction(content: content, motionNoise: motion, classes: classes)
            }
        }
        for norm in norms { norm.momentum = 0.1 }
        eval()
    }

    /// Random content codes and motion noise for `batch` clips of `frames` frames.
    public func noise(batch: Int, frames: Int, generator: Generator? = nil) throws(TensorError) -> (content: Tensor, motion: Tensor) {
        (try Tensor.randn([batch, config.contentDimension], generator: generator),
         try Tensor.randn([batch, frames, config.motionNoiseDimension], generator: generator))
    }
}

/// A stack of strided convolutions with spectral normalisation and leaky ReLUs, ending in features summed over
/// space (and time), then a linear score plus, when conditional, the projection of a class embedding on the
/// features (Miyato and Koyama, 2018).
public final class ProjectionDiscriminator: Module {
    let convolutions: [SpectralNorm]
    let score: SpectralNorm
    let classEmbedding: SpectralNorm?
    let classes: Int

    /// - Parameters:
    ///   - video: 3-D convolutions over `[batch, 3, frames, h, w]` (strided in time too) rather than 2-D over frames.
    init(config: VideoGANConfig, video: Bool) throws(TensorError) {
        var convolutions: [SpectralNorm] = []
        var channels = 3, width = config.discriminatorWidth
        var frames = config.windowFrames
        for _ in 0..<(video ? VideoGANConfig.blocks(config.videoDiscriminatorSize) : config.blocks) {
            if video {
                // Halve time while there is time to halve; space always.
                let timeStride = frames >= 4 ? 2 : 1
                frames = timeStride == 2 ? frames / 2 : frames
                convolutions.append(try SpectralNorm(Conv3d(channels, width, kernelSize: [timeStride == 2 ? 4 : 3, 4, 4],
                                                            stride: [timeStride, 2, 2], padding: [1, 1, 1])))
            } else {
                convolutions.append(try SpectralNorm(Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1)))
            }
            channels = width
            width = min(width * 2, config.discriminatorWidth * 8)
        }
        self.convolutions = convolutions
        score = try SpectralNorm(Linear(channels, 1))
        classes = config.classes
        classEmbedding = config.classes > 0 ? try SpectralNorm(EmbeddingLayer(config.classes, channels)) : nil
        super.init()
    }

    /// One score a sample (higher: more real), `[batch]`.
    public func callAsFunction(_ input: Tensor, classes labels: Tensor? = nil) throws -> Tensor {
        var x = input
        for convolution in convolutions { x = try convolution(x).leakyRelu(slope: 0.2) }
        let features = try x.flatten(start: 2).sum(dims: [2])
        var out = try score(features).squeeze(dim: 1)
        if let classEmbedding {
            guard let labels else { throw TensorError(.invalidArgument, "this discriminator is conditional: give classes") }
            out = try out + (classEmbedding.lookup(labels) * features).sum(dims: [1])
        }
        return out
    }
}

/// An embedding whose table is a weight spectral normalisation can wrap.
final class EmbeddingLayer: Module, WeightedLayer {
    var weight: Tensor

    init(_ count: Int, _ dimension: Int) throws(TensorError) {
        weight = try Initialization.normal([count, dimension], std: 0.02)
    }

    func callAsFunction(_ indices: Tensor) throws -> Tensor { try weight.embedding(indices) }
}

extension SpectralNorm {
    /// The wrapped embedding's vectors at `indices`, with the normalised table.
    func lookup(_ indices: Tensor) throws -> Tensor { try callAsFunction(indices) }
}

/// The image encoder for image-to-video: a still `[batch, 3, size, size]` to a content code.
public final class ImageEncoder: Module {
    let convolutions: [Conv2d]
    let output: Linear

    public init(_ config: VideoGANConfig) throws(TensorError) {
        var convolutions: [Conv2d] = []
        var channels = 3, width = config.discriminatorWidth
        for _ in 0..<config.blocks {
            convolutions.append(try Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1))
            channels = width
            width = min(width * 2, config.discriminatorWidth * 8)
        }
        self.convolutions = convolutions
        output = try Linear(channels * 16, config.contentDimension)
        super.init()
    }

    public func callAsFunction(_ image: Tensor) throws -> Tensor {
        var x = image
        for convolution in convolutions { x = try convolution(x).leakyRelu(slope: 0.2) }
        return try output(x.flatten(start: 1))
    }
}
