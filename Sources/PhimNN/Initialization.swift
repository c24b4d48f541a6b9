import PhimTensor

/// Weight initialisers, drawing from libtorch's default generator unless a generator is given.
public enum Initialization {
    /// PyTorch's default for linear and convolution layers: uniform in ±1/√fanIn (Kaiming uniform with a = √5).
    public static func defaultUniform(_ shape: [Int], fanIn: Int, generator: Generator? = nil) throws(TensorError) -> Tensor {
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        return try uniform(shape, -bound, bound, generator: generator)
    }

    /// Uniform in `low..<high`.
    public static func uniform(_ shape: [Int], _ low: Double, _ high: Double, generator: Generator? = nil) throws(TensorError) -> Tensor {
        let t = try Tensor.empty(shape)
        try t.uniformInPlace(low, high, generator: generator)
        return try t.requiringGrad()
    }

    /// Normal with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws(TensorError) -> Tensor {
        let t = try Tensor.empty(shape)
        try t.normalInPlace(mean: mean, std: std, generator: generator)
        return try t.requiringGrad()
    }

    /// A trainable tensor of `value`.
    public static func constant(_ shape: [Int], _ value: Double) throws(TensorError) -> Tensor {
        try Tensor.full(shape, value: value).requiringGrad()
    }
}
