import PhimTensor

/// `y = x · Wᵀ + b`.
public final class Linear: Module, WeightedLayer {
    public var weight: Tensor
    public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws(TensorError) {
        weight = try Initialization.defaultUniform([outFeatures, inFeatures], fanIn: inFeatures)
        self.bias = bias ? try Initialization.defaultUniform([outFeatures], fanIn: inFeatures) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }
}

/// Options shared by the convolution layers. Spatial values are given once for every dimension or once each.
public struct ConvolutionOptions: Sendable {
    public var stride: [Int] = [1]
    public var padding: [Int] = [0]
    public var dilation: [Int] = [1]
    public var outputPadding: [Int] = [0]
    public var groups = 1
    public var bias = true
}

/// The convolution layers: `Conv1d`, `Conv2d`, `Conv3d` and their transposes.
public class Convolution: Module, WeightedLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public let spatialDimensions: Int
    public let isTransposed: Bool
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let outputPadding: [Int]
    public let groups: Int

    public var outputFeatureDimension: Int { isTransposed ? 1 : 0 }

    /// The number of spatial dimensions and whether the convolution is transposed: what each subclass is.
    class var kind: (spatialDimensions: Int, transposed: Bool) { fatalError("a subclass of Convolution says its kind") }

    /// - Parameters:
    ///   - kernelSize, stride, padding, dilation: one number for every spatial dimension, or one per dimension.
    ///   - outputPadding: transposed convolutions only (extra size on one side of the output), else 0.
    /// - Throws: `TensorError` when the sizes do not match the dimensions or the channels do not split into `groups`.
    public required init(_ inChannels: Int, _ outChannels: Int, kernelSize: ConvolutionSize, stride: ConvolutionSize = 1,
                         padding: ConvolutionSize = 0, outputPadding: ConvolutionSize = 0, dilation: ConvolutionSize = 1,
                         groups: Int = 1, bias: Bool = true) throws(TensorError) {
        let (spatialDimensions, transposed) = Self.kind
        guard transposed || outputPadding.values.allSatisfy({ $0 == 0 }) else {
            throw TensorError(.invalidArgument, "outputPadding is for transposed convolutions only")
        }
        func expand(_ size: ConvolutionSize, _ name: String) throws(TensorError) -> [Int] {
            let values = size.values
            if values.count == 1 { return Array(repeating: values[0], count: spatialDimensions) }
            guard values.count == spatialDimensions else {
                throw TensorError(.invalidArgument, "\(name) has \(values.count) values for \(spatialDimensions) dimensions")
            }
            return values
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TensorError(.invalidArgument, "\(inChannels) and \(outChannels) channels do not split into \(groups) groups")
        }
        let kernel = try expand(kernelSize, "kernelSize")
        let receptive = kernel.reduce(1, *)
        let shape = transposed ? [inChannels, outChannels / groups] + kernel : [outChannels, inChannels / groups] + kernel
        let fanIn = shape[1] * receptive
        weight = try Initialization.defaultUniform(shape, fanIn: fanIn)
        self.bias = bias ? try Initialization.defaultUniform([outChannels], fanIn: fanIn) : nil
        self.spatialDimensions = spatialDimensions
        self.isTransposed = transposed
        self.stride = try expand(stride, "stride")
        self.padding = try expand(padding, "padding")
        self.dilation = try expand(dilation, "dilation")
        self.outputPadding = try expand(outputPadding, "outputPadding")
        self.groups = groups
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        switch (spatialDimensions, isTransposed) {
        case (1, false): try input.conv1d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        case (2, false): try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        case (3, false): try input.conv3d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        case (1, true):
            try input.convTranspose1d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                      groups: groups, dilation: dilation)
        case (2, true):
            try input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                      groups: groups, dilation: dilation)
        default:
            try input.convTranspose3d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                      groups: groups, dilation: dilation)
        }
    }
}

/// A convolution's kernel size, stride, padding or dilation: one number for every spatial dimension (`3`), or one
/// per dimension (`[2, 8, 8]`), as PyTorch's `_size_2_t` and `_size_3_t` accept.
public struct ConvolutionSize: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var values: [Int]
    public init(_ value: Int) { values = [value] }
    public init(_ values: [Int]) { self.values = values }
    public init(integerLiteral value: Int) { values = [value] }
    public init(arrayLiteral elements: Int...) { values = elements }
}

/// 1-D convolution over `N, C, W`.
public final class Conv1d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (1, false) }
}

/// 2-D convolution over `N, C, H, W`.
public final class Conv2d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (2, false) }
}

/// 3-D convolution over `N, C, D, H, W` (video: D is time).
public final class Conv3d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (3, false) }
}

/// Transposed 1-D convolution.
public final class ConvTranspose1d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (1, true) }
}

/// Transposed 2-D convolution (learned upsampling).
public final class ConvTranspose2d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (2, true) }
}

/// Transposed 3-D convolution.
public final class ConvTranspose3d: Convolution {
    override class var kind: (spatialDimensions: Int, transposed: Bool) { (3, true) }
}

/// Batch normalisation over `N, C, …` (`BatchNorm1d`, `BatchNorm2d`, `BatchNorm3d` are the same computation).
public class BatchNorm: Module, UnaryLayer {
    public var weight: Tensor?
    public var bias: Tensor?
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVar: Tensor
    /// How far each training batch moves the running statistics; `nil`: a plain average of every batch since
    /// ``resetRunningStatistics()`` (for "standing statistics": the average of many batches through a finished model).
    public var momentum: Double?
    public let eps: Double
    private var batchesAveraged = 0

    public init(_ features: Int, momentum: Double = 0.1, eps: Double = 1e-5, affine: Bool = true) throws(TensorError) {
        weight = affine ? try Initialization.constant([features], 1) : nil
        bias = affine ? try Initialization.constant([features], 0) : nil
        runningMean = try Tensor.zeros([features])
        runningVar = try Tensor.ones([features])
        self.momentum = momentum
        self.eps = eps
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var step = momentum ?? 1
        if momentum == nil, isTraining {
            batchesAveraged += 1
            step = 1 / Double(batchesAveraged)
        }
        return try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                   training: isTraining, momentum: step, eps: eps)
    }

    /// Zero mean and unit variance, and the count of averaged batches back to 0.
    public func resetRunningStatistics() throws(TensorError) {
        try runningMean.copy(from: Tensor.zeros(runningMean.shape))
        try runningVar.copy(from: Tensor.ones(runningVar.shape))
        batchesAveraged = 0
    }
}
public final class BatchNorm1d: BatchNorm {}
public final class BatchNorm2d: BatchNorm {}
public final class BatchNorm3d: BatchNorm {}

/// Group normalisation over `N, C, …`.
public final class GroupNorm: Module, UnaryLayer {
    public var weight: Tensor?
    public var bias: Tensor?
    public let groups: Int
    public let eps: Double

    public init(groups: Int, channels: Int, eps: Double = 1e-5, affine: Bool = true) throws(TensorError) {
        guard groups > 0, channels % groups == 0 else {
            throw TensorError(.invalidArgument, "\(channels) channels do not split into \(groups) groups")
        }
        weight = affine ? try Initialization.constant([channels], 1) : nil
        bias = affine ? try Initialization.constant([channels], 0) : nil
        self.groups = groups
        self.eps = eps
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
    }
}

/// Layer normalisation over the trailing `shape`.
public final class LayerNorm: Module, UnaryLayer {
    public var weight: Tensor?
    public var bias: Tensor?
    public let normalizedShape: [Int]
    public let eps: Double

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, affine: Bool = true) throws(TensorError) {
        weight = affine ? try Initialization.constant(normalizedShape, 1) : nil
        bias = affine ? try Initialization.constant(normalizedShape, 0) : nil
        self.normalizedShape = normalizedShape
        self.eps = eps
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// Instance normalisation over `N, C, …` (each sample and channel on its own), for 1-D, 2-D and 3-D input.
public final class InstanceNorm: Module, UnaryLayer {
    public var weight: Tensor?
    public var bias: Tensor?
    public let eps: Double

    public init(_ channels: Int, eps: Double = 1e-5, affine: Bool = false) throws(TensorError) {
        weight = affine ? try Initialization.constant([channels], 1) : nil
        bias = affine ? try Initialization.constant([channels], 0) : nil
        self.eps = eps
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.instanceNorm(weight: weight, bias: bias, eps: eps)
    }
}

/// A lookup table of `count` learned vectors of `dimension` entries.
public final class Embedding: Module, UnaryLayer {
    public var weight: Tensor

    public init(_ count: Int, _ dimension: Int) throws(TensorError) {
        weight = try Initialization.normal([count, dimension])
    }

    /// The vectors at the int64 `indices` (any shape; a trailing dimension is added).
    public func callAsFunction(_ indices: Tensor) throws -> Tensor {
        try weight.embedding(indices)
    }
}

/// A gated recurrent unit, one step at a time.
public final class GRUCell: Module {
    public var weightIH: Tensor
    public var weightHH: Tensor
    public var biasIH: Tensor?
    public var biasHH: Tensor?
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws(TensorError) {
        weightIH = try Initialization.defaultUniform([3 * hiddenSize, inputSize], fanIn: hiddenSize)
        weightHH = try Initialization.defaultUniform([3 * hiddenSize, hiddenSize], fanIn: hiddenSize)
        biasIH = bias ? try Initialization.defaultUniform([3 * hiddenSize], fanIn: hiddenSize) : nil
        biasHH = bias ? try Initialization.defaultUniform([3 * hiddenSize], fanIn: hiddenSize) : nil
        self.hiddenSize = hiddenSize
    }

    /// The next hidden state for input `N, inputSize` (zeros when `hidden` is nil).
    public func callAsFunction(_ input: Tensor, hidden: Tensor? = nil) throws -> Tensor {
        let h = try hidden ?? Tensor.zeros([input.size(0), hiddenSize], dtype: input.dtype)
        return try input.gruCell(hidden: h, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
    }
}

/// A long short-term memory unit, one step at a time.
public final class LSTMCell: Module {
    public var weightIH: Tensor
    public var weightHH: Tensor
    public var biasIH: Tensor?
    public var biasHH: Tensor?
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws(TensorError) {
        weightIH = try Initialization.defaultUniform([4 * hiddenSize, inputSize], fanIn: hiddenSize)
        weightHH = try Initialization.defaultUniform([4 * hiddenSize, hiddenSize], fanIn: hiddenSize)
        biasIH = bias ? try Initialization.defaultUniform([4 * hiddenSize], fanIn: hiddenSize) : nil
        biasHH = bias ? try Initialization.defaultUniform([4 * hiddenSize], fanIn: hiddenSize) : nil
        self.hiddenSize = hiddenSize
    }

    /// The next hidden and cell states for input `N, inputSize` (zeros when `state` is nil).
    public func callAsFunction(_ input: Tensor, state: (hidden: Tensor, cell: Tensor)? = nil) throws -> (hidden: Tensor, cell: Tensor) {
        let n = try input.size(0)
        let h = try state?.hidden ?? Tensor.zeros([n, hiddenSize], dtype: input.dtype)
        let c = try state?.cell ?? Tensor.zeros([n, hiddenSize], dtype: input.dtype)
        return try input.lstmCell(hidden: h, cell: c, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
    }
}

/// Zeroes elements with probability `p` in training (scaling the rest by 1/(1-p)); the identity in evaluation.
/// With `channels`, whole channels of `N, C, …` input are dropped (Dropout2d/3d).
public final class Dropout: Module, UnaryLayer {
    public let p: Double
    public let channels: Bool
    /// The source of the masks; nil uses libtorch's default generator.
    public let generator: Generator?

    public init(p: Double = 0.5, channels: Bool = false, generator: Generator? = nil) {
        self.p = p
        self.channels = channels
        self.generator = generator
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard isTraining, p > 0 else { return input }
        if channels {
            let shape = input.shape
            let maskShape = Array(shape.prefix(2)) + Array(repeating: 1, count: Swift.max(0, shape.count - 2))
            let mask = try withNoGrad { () throws(TensorError) -> Tensor in
                try Tensor.full(maskShape, value: 1 - p, dtype: input.dtype).bernoulli(generator: generator).div(1 - p)
            }
            return try input * mask
        }
        return try input.dropout(p: p, training: true, generator: generator)
    }
}

/// An element-wise function as a layer (for ``Sequential``).
public final class Activation: Module, UnaryLayer {
    let function: (Tensor) throws -> Tensor

    public init(_ function: @escaping (Tensor) throws -> Tensor) {
        self.function = function
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor { try function(input) }

    public static func relu() -> Activation { Activation { try $0.relu() } }
    public static func leakyRelu(_ slope: Double = 0.2) -> Activation { Activation { try $0.leakyRelu(slope: slope) } }
    public static func tanh() -> Activation { Activation { try $0.tanh() } }
    public static func sigmoid() -> Activation { Activation { try $0.sigmoid() } }
    public static func gelu() -> Activation { Activation { try $0.gelu() } }
    public static func silu() -> Activation { Activation { try $0.silu() } }
    /// Flattens all dimensions after the first.
    public static func flatten() -> Activation { Activation { try $0.flatten(start: 1) } }
}

/// Resampling of the spatial dimensions by a fixed factor.
public final class Upsample: Module, UnaryLayer {
    public let scale: Double
    public let mode: InterpolationMode
    public let alignCorners: Bool

    public init(scale: Double, mode: InterpolationMode = .nearest, alignCorners: Bool = false) {
        self.scale = scale
        self.mode = mode
        self.alignCorners = alignCorners
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.interpolate(scale: [scale], mode: mode, alignCorners: alignCorners)
    }
}

/// Upsampling followed by a convolution: the checkerboard-free alternative to a transposed convolution
/// (2-D for images, 3-D for video).
public final class UpsampleConvolution: Module, UnaryLayer {
    public let upsample: Upsample
    public let convolution: Convolution

    /// - Parameters:
    ///   - spatialDimensions: 2 (`N, C, H, W`) or 3 (`N, C, D, H, W`).
    ///   - scale: the upsampling factor of every spatial dimension.
    ///   - mode: nearest by default; bilinear or trilinear for smoother results.
    public init(spatialDimensions: Int = 2, _ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, scale: Double = 2,
                mode: InterpolationMode = .nearest, bias: Bool = true) throws(TensorError) {
        guard spatialDimensions == 2 || spatialDimensions == 3 else {
            throw TensorError(.invalidArgument, "upsample+conv blocks are 2-D or 3-D, not \(spatialDimensions)-D")
        }
        upsample = Upsample(scale: scale, mode: mode)
        convolution = spatialDimensions == 2
            ? try Conv2d(inChannels, outChannels, kernelSize: ConvolutionSize(kernelSize), padding: ConvolutionSize(kernelSize / 2), bias: bias)
            : try Conv3d(inChannels, outChannels, kernelSize: ConvolutionSize(kernelSize), padding: ConvolutionSize(kernelSize / 2), bias: bias)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        if isSubpixel, input.rank == 4 { return try subpixel(input) }
        return try convolution(upsample(input))
    }

    /// Whether this block is a nearest ×2 upsampling and a 3×3 convolution with padding 1 (stride, dilation and groups
    /// 1), which ``subpixel(_:)`` computes exactly with less work.
    var isSubpixel: Bool {
        upsample.mode == .nearest && upsample.scale == 2 && convolution.spatialDimensions == 2 && !convolution.isTransposed
            && convolution.weight.shape.suffix(2) == [3, 3] && convolution.padding == [1, 1] && convolution.stride == [1, 1]
            && convolution.dilation == [1, 1] && convolution.groups == 1
    }

    /// The same output as `convolution(upsample(input))`, without upsampling: each output pixel of a nearest ×2
    /// upsampling followed by a 3×3 convolution sees a 2×2 patch of the input, through one of four 2×2 kernels (sums of
    /// the 3×3 kernel's rows and columns, one kernel per place in the 2×2 block the pixel came from). One 2×2
    /// convolution with four times the output channels at the input's size computes all four: 4 multiplies an output
    /// value instead of 9, and no upsampled copy of the input.
    func subpixel(_ input: Tensor) throws -> Tensor {
        let weight = convolution.weight
        // Rows (dimension 2), then columns (3): phase 0 takes the kernel's first row alone and the sum of the other
        // two, over input rows p-1 and p; phase 1 the sum of the first two and the last alone, over rows p and p+1.
        func phases(_ w: Tensor, dim: Int) throws -> [Tensor] {
            let (a, b, c) = (try w.narrow(dim: dim, start: 0, length: 1), try w.narrow(dim: dim, start: 1, length: 1),
                             try w.narrow(dim: dim, start: 2, length: 1))
            return [try Tensor.cat([a, b + c], dim: dim), try Tensor.cat([a + b, c], dim: dim)]
        }
        let kernels = try phases(weight, dim: 2).flatMap { try phases($0, dim: 3) }  // (r, s) = 00, 01, 10, 11
        let outChannels = try weight.size(0)
        let bias = try convolution.bias.map { try Tensor.cat([$0, $0, $0, $0], dim: 0) }
        let height = try input.size(2), width = try input.size(3)
        let all = try input.pad([1, 1, 1, 1]).conv2d(weight: Tensor.cat(kernels, dim: 0), bias: bias)
        // Phase (r, s) of output pixel (p, q) is all[…, p + r, q + s] of its group of channels.
        func phase(_ r: Int, _ s: Int) throws -> Tensor {
            try all.narrow(dim: 1, start: (r * 2 + s) * outChannels, length: outChannels)
                .narrow(dim: 2, start: r, length: height).narrow(dim: 3, start: s, length: width)
        }
        let rows = try (0..<2).map { r in try Tensor.stack([phase(r, 0), phase(r, 1)], dim: 4) }  // [N, O, h, w, s]
        return try Tensor.stack(rows, dim: 3).reshape([try input.size(0), outChannels, height * 2, width * 2])
    }
}
