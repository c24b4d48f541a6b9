import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// The shape of a trained swap's model.
public struct SwapModelConfig: Codable, Sendable, Equatable {
    public var architecture = SwapModel.architecture
    /// The aligned faces' side: 64 or 128.
    public var size = 64
    /// Channels of the encoder's first block (each of its four blocks doubles them).
    public var encoderWidth = 32
    /// Channels of the decoders' last block (the blocks before it double them).
    public var decoderWidth = 32
    /// The shared code between the encoder and the decoders.
    public var latent = 256

    public init(size: Int = 64, encoderWidth: Int = 32, decoderWidth: Int = 32, latent: Int = 256) {
        self.size = size
        self.encoderWidth = encoderWidth
        self.decoderWidth = decoderWidth
        self.latent = latent
    }

    public func validate() throws(TensorError) {
        guard [64, 128].contains(size) else { throw TensorError(.invalidArgument, "the face size must be 64 or 128, not \(size)") }
        guard (4...256).contains(encoderWidth), (4...256).contains(decoderWidth) else {
            throw TensorError(.invalidArgument, "widths must be 4…256")
        }
        guard (16...2048).contains(latent) else { throw TensorError(.invalidArgument, "the latent size must be 16…2048") }
    }

    /// The side at the bottleneck (after the encoder's four halvings).
    var bottom: Int { size / 16 }
}

/// A 3×3 convolution pair with a skip: x + conv(lrelu(conv(x))), then a leaky ReLU.
final class ResidualBlock: Module, UnaryLayer {
    let first: Conv2d
    let second: Conv2d

    init(_ channels: Int) throws(TensorError) {
        first = try Conv2d(channels, channels, kernelSize: 3, padding: 1)
        second = try Conv2d(channels, channels, kernelSize: 3, padding: 1)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try (input + second(first(input).leakyRelu(slope: 0.2))).leakyRelu(slope: 0.2)
    }
}

/// A decoder: from the shared code's picture at 1/8 of the face's side up to the face (3 channels, 0…1) and its
/// mask (1 channel, 0…1), each by its own branch.
final class SwapDecoder: Module {
    let face: Sequential
    let mask: Sequential

    init(_ config: SwapModelConfig, inChannels: Int) throws(TensorError) {
        let d = config.decoderWidth
        let lrelu = Activation.leakyRelu(0.2)
        face = Sequential([
            try UpsampleConvolution(inChannels, 4 * d), lrelu, try ResidualBlock(4 * d),
            try UpsampleConvolution(4 * d, 2 * d), lrelu, try ResidualBlock(2 * d),
            try UpsampleConvolution(2 * d, d), lrelu,
            try Conv2d(d, 3, kernelSize: 3, padding: 1), Activation.sigmoid(),
        ])
        mask = Sequential([
            try UpsampleConvolution(inChannels, 2 * d), lrelu,
            try UpsampleConvolution(2 * d, d), lrelu,
            try UpsampleConvolution(d, max(4, d / 2)), lrelu,
            try Conv2d(max(4, d / 2), 1, kernelSize: 3, padding: 1), Activation.sigmoid(),
        ])
    }
}

/// DeepFaceLab's "DF" autoencoder, sized for a CPU: one encoder (with the dense bottleneck, "inter") shared by both
/// people, and a decoder for each. Each decoder learns to draw its person from the shared code of their own faces;
/// since the code is shared, it also carries the other person's pose, expression and light, so the source's decoder
/// fed the target's face draws the source's face in the target's place: the swap.
public final class SwapModel: Module {
    public static let architecture = "phim-df-1"
    public let config: SwapModelConfig
    let encoder: Sequential
    let dense: Linear
    let expand: Linear
    let inter: Sequential
    let sourceDecoder: SwapDecoder
    let targetDecoder: SwapDecoder

    public init(_ config: SwapModelConfig) throws(TensorError) {
        try config.validate()
        self.config = config
        let e = config.encoderWidth
        let lrelu = Activation.leakyRelu(0.1)
        encoder = Sequential([
            try Conv2d(3, e, kernelSize: 5, stride: 2, padding: 2), lrelu,
            try Conv2d(e, 2 * e, kernelSize: 5, stride: 2, padding: 2), lrelu,
            try Conv2d(2 * e, 4 * e, kernelSize: 5, stride: 2, padding: 2), lrelu,
            try Conv2d(4 * e, 8 * e, kernelSize: 5, stride: 2, padding: 2), lrelu,
        ])
        let flat = 8 * e * config.bottom * config.bottom
        dense = try Linear(flat, config.latent)
        expand = try Linear(config.latent, flat)
        inter = Sequential([try UpsampleConvolution(8 * e, 4 * config.decoderWidth), Activation.leakyRelu(0.2)])
        sourceDecoder = try SwapDecoder(config, inChannels: 4 * config.decoderWidth)
        targetDecoder = try SwapDecoder(config, inChannels: 4 * config.decoderWidth)
        super.init()
    }

    /// The shared code of faces `[batch, 3, size, size]` in 0…1, as a picture at 1/8 of their side.
    func code(_ faces: Tensor) throws -> Tensor {
        let batch = try faces.size(0), e = config.encoderWidth
        let features = try encoder(faces * 2 - 1).flatten(start: 1)
        let latent = try expand(dense(features)).reshape([batch, 8 * e, config.bottom, config.bottom])
        return try inter(latent)
    }

    /// The source's face (and its mask) drawn from faces `[batch, 3, size, size]` in 0…1: for the source's own faces a
    /// reconstruction, for the target's the swap.
    public func drawSource(_ faces: Tensor) throws -> (face: Tensor, mask: Tensor) {
        let code = try code(faces)
        return (try sourceDecoder.face(code), try sourceDecoder.mask(code))
    }

    /// The target's face (and its mask) drawn from faces in 0…1.
    public func drawTarget(_ faces: Tensor) throws -> (face: Tensor, mask: Tensor) {
        let code = try code(faces)
        return (try targetDecoder.face(code), try targetDecoder.mask(code))
    }
}

/// The structural similarity of two batches of pictures `[batch, channels, h, w]` in 0…1 (Wang et al. 2004: an 11-tap
/// Gaussian window of σ 1.5, constants for a range of 1), averaged over every pixel and channel. Differentiable: a
/// loss is `(1 − ssim) / 2`.
public func structuralSimilarity(_ x: Tensor, _ y: Tensor, window: Int = 11, sigma: Double = 1.5) throws(TensorError) -> Tensor {
    let channels = try x.size(1)
    let half = Double(window - 1) / 2
    let taps = (0..<window).map { exp(-pow(Double($0) - half, 2) / (2 * sigma * sigma)) }
    let total = taps.reduce(0, +)
    var kernel = [Float]()
    for a in taps { for b in taps { kernel.append(Float(a * b / total / total)) } }
    let weight = try Tensor(kernel, shape: [1, 1, window, window]).expand([channels, 1, window, window]).contiguous()
    func blur(_ t: Tensor) throws(TensorError) -> Tensor { try t.conv2d(weight: weight, groups: channels) }
    let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
    let mx = try blur(x), my = try blur(y)
    let mx2 = try mx * mx, my2 = try my * my, mxy = try mx * my
    let vx = try blur(x * x) - mx2, vy = try blur(y * y) - my2, cxy = try blur(x * y) - mxy
    let numerator = try (mxy * 2 + c1) * (cxy * 2 + c2)
    let denominator = try (mx2 + my2 + c1) * (vx + vy + c2)
    return try (numerator / denominator).mean()
}
