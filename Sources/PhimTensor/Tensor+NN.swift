internal import CTorch

// Neural-network operators. Spatial arguments (`stride`, `padding`, …) take one value per spatial
// dimension or a single value for all of them.

/// How `interpolate` fills new positions.
public enum InterpolationMode: Sendable {
    /// Nearest neighbour (1-D, 2-D or 3-D).
    case nearest
    /// Linear along one dimension (3-D input `N, C, W`).
    case linear
    /// Bilinear (4-D input `N, C, H, W`).
    case bilinear
    /// Bicubic (4-D input).
    case bicubic
    /// Trilinear (5-D input `N, C, D, H, W`).
    case trilinear
}

/// How `pad` fills the border.
public enum PaddingMode: String, Sendable {
    case constant, reflect, replicate, circular
}

/// How a loss combines the per-element losses.
public enum LossReduction: Int64, Sendable {
    case none = 0, mean = 1, sum = 2
}

extension Tensor {
    // MARK: Convolution

    /// 1-D convolution of `N, C, W` input with `out, C/groups, k` weights.
    public func conv1d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv1d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                          dilation.c, Int64(dilation.count), Int64(groups), $0)
        }
    }
    /// 2-D convolution of `N, C, H, W` input with `out, C/groups, kH, kW` weights.
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv2d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                          dilation.c, Int64(dilation.count), Int64(groups), $0)
        }
    }
    /// 3-D convolution of `N, C, D, H, W` input with `out, C/groups, kD, kH, kW` weights.
    public func conv3d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv3d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                          dilation.c, Int64(dilation.count), Int64(groups), $0)
        }
    }
    /// Transposed 1-D convolution with `C, out/groups, k` weights.
    public func convTranspose1d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], outputPadding: [Int] = [0],
        groups: Int = 1, dilation: [Int] = [1]
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv_transpose1d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c,
                                    Int64(padding.count), outputPadding.c, Int64(outputPadding.count), Int64(groups),
                                    dilation.c, Int64(dilation.count), $0)
        }
    }
    /// Transposed 2-D convolution with `C, out/groups, kH, kW` weights.
    public func convTranspose2d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], outputPadding: [Int] = [0],
        groups: Int = 1, dilation: [Int] = [1]
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv_transpose2d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c,
                                    Int64(padding.count), outputPadding.c, Int64(outputPadding.count), Int64(groups),
                                    dilation.c, Int64(dilation.count), $0)
        }
    }
    /// Transposed 3-D convolution with `C, out/groups, kD, kH, kW` weights.
    public func convTranspose3d(
        weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], outputPadding: [Int] = [0],
        groups: Int = 1, dilation: [Int] = [1]
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_conv_transpose3d(handle, weight.handle, bias?.handle, stride.c, Int64(stride.count), padding.c,
                                    Int64(padding.count), outputPadding.c, Int64(outputPadding.count), Int64(groups),
                                    dilation.c, Int64(dilation.count), $0)
        }
    }

    // MARK: Pooling

    public func maxPool1d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], ceilMode: Bool = false) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_max_pool1d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              dilation.c, Int64(dilation.count), ceilMode, $0)
        }
    }
    public func maxPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], ceilMode: Bool = false) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_max_pool2d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              dilation.c, Int64(dilation.count), ceilMode, $0)
        }
    }
    public func maxPool3d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], ceilMode: Bool = false) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_max_pool3d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              dilation.c, Int64(dilation.count), ceilMode, $0)
        }
    }
    public func avgPool1d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_avg_pool1d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              ceilMode, countIncludePad, $0)
        }
    }
    public func avgPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_avg_pool2d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              ceilMode, countIncludePad, $0)
        }
    }
    public func avgPool3d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true) throws(TensorError) -> Tensor {
        let stride = stride ?? kernel
        return try Tensor.make(#function) {
            ctorch_avg_pool3d(handle, kernel.c, Int64(kernel.count), stride.c, Int64(stride.count), padding.c, Int64(padding.count),
                              ceilMode, countIncludePad, $0)
        }
    }
    public func adaptiveAvgPool1d(_ size: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_adaptive_avg_pool1d(handle, size.c, Int64(size.count), $0) }
    }
    public func adaptiveAvgPool2d(_ size: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_adaptive_avg_pool2d(handle, size.c, Int64(size.count), $0) }
    }
    public func adaptiveAvgPool3d(_ size: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_adaptive_avg_pool3d(handle, size.c, Int64(size.count), $0) }
    }
    public func adaptiveMaxPool2d(_ size: [Int]) throws(TensorError) -> (values: Tensor, indices: Tensor) {
        try Tensor.make2(#function) { ctorch_adaptive_max_pool2d(handle, size.c, Int64(size.count), $0, $1) }
    }

    // MARK: Normalisation

    /// Batch normalisation over `N, C, …` input; in training the running statistics (when given) are updated in place.
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?, training: Bool,
        momentum: Double = 0.1, eps: Double = 1e-5
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_batch_norm(handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle, training, momentum, eps, $0)
        }
    }
    /// Group normalisation of `N, C, …` input over `groups` groups of channels.
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_group_norm(handle, Int64(groups), weight?.handle, bias?.handle, eps, $0) }
    }
    /// Layer normalisation over the trailing dimensions `normalizedShape`.
    public func layerNorm(_ normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_layer_norm(handle, normalizedShape.c, Int64(normalizedShape.count), weight?.handle, bias?.handle, eps, $0)
        }
    }
    /// Instance normalisation of `N, C, …` input (each sample and channel on its own).
    public func instanceNorm(
        weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil, runningVar: Tensor? = nil,
        useInputStats: Bool = true, momentum: Double = 0.1, eps: Double = 1e-5
    ) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_instance_norm(handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle, useInputStats,
                                 momentum, eps, $0)
        }
    }

    // MARK: Padding and resampling

    /// Pads the last dimensions: `widths` holds (before, after) pairs starting with the last dimension, as in PyTorch.
    public func pad(_ widths: [Int], mode: PaddingMode = .constant, value: Double = 0) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_pad(handle, widths.c, Int64(widths.count), mode.rawValue, value, mode == .constant, $0)
        }
    }

    /// Resamples the spatial dimensions (all after `N, C`) to `size`, or by `scale` (each output size is
    /// `floor(input * scale)`).
    public func interpolate(size: [Int]? = nil, scale: [Double]? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool = false) throws(TensorError) -> Tensor {
        let input = shape
        let spatial = input.count - 2
        guard (1...3).contains(spatial) else {
            throw TensorError(.invalidArgument, "interpolate needs 3-D, 4-D or 5-D input, got shape \(input)")
        }
        let target: [Int]
        if let size {
            target = size.count == 1 ? Array(repeating: size[0], count: spatial) : size
        } else if let scale {
            let factors = scale.count == 1 ? Array(repeating: scale[0], count: spatial) : scale
            guard factors.count == spatial else {
                throw TensorError(.invalidArgument, "\(factors.count) scale factors for \(spatial) spatial dimensions")
            }
            target = zip(input.suffix(spatial), factors).map { Int((Double($0) * $1).rounded(.down)) }
        } else {
            throw TensorError(.invalidArgument, "interpolate needs a size or a scale")
        }
        guard target.count == spatial else {
            throw TensorError(.invalidArgument, "\(target.count) output sizes for \(spatial) spatial dimensions")
        }
        let t = target.c
        let n = Int64(t.count)
        switch (mode, spatial) {
        case (.nearest, 1): return try Tensor.make(#function) { ctorch_upsample_nearest1d(handle, t, n, $0) }
        case (.nearest, 2): return try Tensor.make(#function) { ctorch_upsample_nearest2d(handle, t, n, $0) }
        case (.nearest, 3): return try Tensor.make(#function) { ctorch_upsample_nearest3d(handle, t, n, $0) }
        case (.linear, 1): return try Tensor.make(#function) { ctorch_upsample_linear1d(handle, t, n, alignCorners, $0) }
        case (.bilinear, 2): return try Tensor.make(#function) { ctorch_upsample_bilinear2d(handle, t, n, alignCorners, $0) }
        case (.bicubic, 2): return try Tensor.make(#function) { ctorch_upsample_bicubic2d(handle, t, n, alignCorners, $0) }
        case (.trilinear, 3): return try Tensor.make(#function) { ctorch_upsample_trilinear3d(handle, t, n, alignCorners, $0) }
        default:
            throw TensorError(.invalidArgument, "\(mode) interpolation does not apply to input of shape \(input)")
        }
    }

    /// Samples this `N, C, H, W` input at the normalised positions of `grid` (`N, Ho, Wo, 2`).
    public func gridSample(_ grid: Tensor, bilinear: Bool = true, zerosPadding: Bool = true, alignCorners: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_grid_sampler(handle, grid.handle, bilinear ? 0 : 1, zerosPadding ? 0 : 1, alignCorners, $0)
        }
    }
    /// The sampling grid of the affine transforms `theta` (`N, 2, 3`) for an output of `size` (`N, C, H, W`).
    public static func affineGrid(_ theta: Tensor, size: [Int], alignCorners: Bool = false) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_affine_grid(theta.handle, size.c, Int64(size.count), alignCorners, $0) }
    }

    // MARK: Dropout, embedding, recurrent cells

    /// Zeroes elements with probability `p` and scales the rest by `1/(1-p)` when `training`; otherwise returns the input.
    /// With a `generator`, the mask comes from it, so runs are reproducible.
    public func dropout(p: Double, training: Bool, generator: Generator? = nil) throws(TensorError) -> Tensor {
        guard training, p > 0 else { return try alias() }
        guard p < 1 else { return try self * 0 }
        guard let generator else {
            return try Tensor.make(#function) { ctorch_dropout(handle, p, training, $0) }
        }
        let mask = try withNoGrad { () throws(TensorError) -> Tensor in
            try Tensor.full(shape, value: 1 - p, dtype: dtype, device: device).bernoulli(generator: generator).div(1 - p)
        }
        return try self * mask
    }

    /// Rows of this `vocabulary, dim` weight at the int64 `indices`.
    public func embedding(_ indices: Tensor, paddingIndex: Int = -1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_embedding(handle, indices.handle, Int64(paddingIndex), $0) }
    }

    /// One GRU step for this `N, input` batch: the new hidden state.
    public func gruCell(hidden: Tensor, weightIH: Tensor, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_gru_cell(handle, hidden.handle, weightIH.handle, weightHH.handle, biasIH?.handle, biasHH?.handle, $0)
        }
    }

    /// One LSTM step for this `N, input` batch: the new hidden and cell states.
    public func lstmCell(
        hidden: Tensor, cell: Tensor, weightIH: Tensor, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?
    ) throws(TensorError) -> (hidden: Tensor, cell: Tensor) {
        try Tensor.make2(#function) {
            ctorch_lstm_cell(handle, hidden.handle, cell.handle, weightIH.handle, weightHH.handle, biasIH?.handle, biasHH?.handle, $0, $1)
        }
    }
}

// MARK: Losses

/// The mean (or sum) of squared differences.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_mse_loss(input.handle, target.handle, reduction.rawValue, $0) }
}

/// The mean (or sum) of absolute differences.
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_l1_loss(input.handle, target.handle, reduction.rawValue, $0) }
}

/// The Huber-like smooth L1 loss: quadratic below `beta`, linear above.
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Double = 1, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_smooth_l1_loss(input.handle, target.handle, reduction.rawValue, beta, $0) }
}

/// Binary cross-entropy of probabilities `input` against targets in [0, 1].
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_binary_cross_entropy(input.handle, target.handle, weight?.handle, reduction.rawValue, $0) }
}

/// Binary cross-entropy of logits (a sigmoid folded in, numerically stable) against targets in [0, 1].
public func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, positiveWeight: Tensor? = nil, reduction: LossReduction = .mean
) throws(TensorError) -> Tensor {
    try Tensor.make(#function) {
        ctorch_binary_cross_entropy_with_logits(logits.handle, target.handle, weight?.handle, positiveWeight?.handle,
                                                reduction.rawValue, $0)
    }
}

/// Cross-entropy of `N, classes, …` logits against int64 class indices (or class probabilities of the logits' shape).
public func crossEntropy(
    _ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100, labelSmoothing: Double = 0,
    reduction: LossReduction = .mean
) throws(TensorError) -> Tensor {
    try Tensor.make(#function) {
        ctorch_cross_entropy(logits.handle, target.handle, weight?.handle, reduction.rawValue, Int64(ignoreIndex), labelSmoothing, $0)
    }
}

/// Negative log-likelihood of log-probabilities against int64 class indices.
public func nllLoss(_ logProbabilities: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) {
        ctorch_nll_loss(logProbabilities.handle, target.handle, weight?.handle, reduction.rawValue, Int64(ignoreIndex), $0)
    }
}

/// libtorch's hinge embedding loss: `x` where the target is 1, `max(0, margin - x)` where it is -1.
public func hingeEmbeddingLoss(_ input: Tensor, _ target: Tensor, margin: Double = 1, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_hinge_embedding_loss(input.handle, target.handle, margin, reduction.rawValue, $0) }
}

/// The hinge loss of GAN discriminators (Lim & Ye; SAGAN): `mean(relu(1 - scores))` for real samples,
/// `mean(relu(1 + scores))` for generated ones.
public func hingeLoss(_ scores: Tensor, real: Bool) throws(TensorError) -> Tensor {
    try (real ? 1 - scores : scores + 1).relu().mean()
}

/// Kullback–Leibler divergence of log-probabilities `input` from `target`.
public func klDivergence(_ input: Tensor, _ target: Tensor, logTarget: Bool = false, reduction: LossReduction = .mean) throws(TensorError) -> Tensor {
    try Tensor.make(#function) { ctorch_kl_div(input.handle, target.handle, reduction.rawValue, logTarget, $0) }
}
