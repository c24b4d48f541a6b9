import PhimTensor

/// Spectral normalisation (Miyato et al., 2018): the wrapped layer's weight is divided by its largest
/// singular value, estimated by power iteration, which keeps a GAN discriminator 1-Lipschitz per layer.
///
/// The trained parameter is ``weightOriginal``; the wrapped layer's `weight` is recomputed on every call
/// and is not a parameter. `u` and `v` (the singular-vector estimates) are buffers, so a checkpoint
/// restores them. In training each call runs `powerIterations` steps and updates them; in evaluation
/// they are used as they are.
public final class SpectralNorm: Module, UnaryLayer {
    public let layer: any WeightedLayer
    public var weightOriginal: Tensor
    @Buffer public var u: Tensor
    @Buffer public var v: Tensor
    public let powerIterations: Int
    public let eps: Double

    /// Wraps `layer`, taking over its weight.
    public init(_ layer: any WeightedLayer, powerIterations: Int = 1, eps: Double = 1e-12, generator: Generator? = nil) throws(TensorError) {
        guard powerIterations >= 1 else { throw TensorError(.invalidArgument, "spectral norm needs at least one power iteration") }
        self.layer = layer
        self.powerIterations = powerIterations
        self.eps = eps
        weightOriginal = layer.weight
        let matrix = try SpectralNorm.matrix(layer.weight, dim: layer.outputFeatureDimension)
        let shape = matrix.shape
        u = try withNoGrad { () throws(TensorError) -> Tensor in
            try SpectralNorm.normalize(Tensor.randn([shape[0]], generator: generator, dtype: matrix.dtype), eps: eps)
        }
        v = try withNoGrad { () throws(TensorError) -> Tensor in
            try SpectralNorm.normalize(Tensor.randn([shape[1]], generator: generator, dtype: matrix.dtype), eps: eps)
        }
        super.init()
        layer.computedTensorNames.insert("weight")
    }

    /// The weight as a matrix with output features as rows.
    static func matrix(_ weight: Tensor, dim: Int) throws(TensorError) -> Tensor {
        let w = dim == 0 ? weight : try weight.transpose(0, dim)
        return try w.reshape([w.size(0), -1])
    }

    static func normalize(_ x: Tensor, eps: Double) throws(TensorError) -> Tensor {
        try x / x.norm().clamp(min: eps)
    }

    /// The current estimate of the weight's largest singular value (differentiable with respect to the weight).
    public func sigma() throws(TensorError) -> Tensor {
        let w = try SpectralNorm.matrix(weightOriginal, dim: layer.outputFeatureDimension)
        if isTraining {
            try withNoGrad { () throws(TensorError) in
                let wd = try w.detach()
                for _ in 0..<powerIterations {
                    try v.copy(from: SpectralNorm.normalize(wd.transpose(0, 1).mv(u), eps: eps))
                    try u.copy(from: SpectralNorm.normalize(wd.mv(v), eps: eps))
                }
            }
        }
        // Clones, because the buffers change in place on the next call while this graph may still be alive.
        return try u.clone().dot(w.mv(v.clone()))
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        layer.weight = try weightOriginal / sigma()
        return try layer(input)
    }
}
