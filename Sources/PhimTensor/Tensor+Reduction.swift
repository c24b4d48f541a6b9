internal import CTorch

// Reductions. `dims` may be negative (counted from the end); `keepDims` keeps reduced dimensions with size 1.

extension Tensor {
    /// The sum of all elements, in `dtype` when given.
    public func sum(dtype: DType? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_sum_all(handle, dtype?.code ?? -1, $0) }
    }
    public func sum(dims: [Int], keepDims: Bool = false, dtype: DType? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_sum(handle, dims.c, Int64(dims.count), keepDims, dtype?.code ?? -1, $0) }
    }
    public func sum(dim: Int, keepDims: Bool = false) throws(TensorError) -> Tensor { try sum(dims: [dim], keepDims: keepDims) }

    public func mean() throws(TensorError) -> Tensor { try unary(#function, ctorch_mean_all) }
    public func mean(dims: [Int], keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_mean(handle, dims.c, Int64(dims.count), keepDims, $0) }
    }
    public func mean(dim: Int, keepDims: Bool = false) throws(TensorError) -> Tensor { try mean(dims: [dim], keepDims: keepDims) }

    public func prod() throws(TensorError) -> Tensor { try unary(#function, ctorch_prod_all) }
    public func prod(dim: Int, keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_prod(handle, Int64(dim), keepDims, $0) }
    }

    /// The largest element.
    public func max() throws(TensorError) -> Tensor { try unary(#function, ctorch_max_all) }
    /// The smallest element.
    public func min() throws(TensorError) -> Tensor { try unary(#function, ctorch_min_all) }
    /// The largest elements along `dim` and their indices.
    public func max(dim: Int, keepDims: Bool = false) throws(TensorError) -> (values: Tensor, indices: Tensor) {
        try Tensor.make2(#function) { ctorch_max_dim(handle, Int64(dim), keepDims, $0, $1) }
    }
    /// The smallest elements along `dim` and their indices.
    public func min(dim: Int, keepDims: Bool = false) throws(TensorError) -> (values: Tensor, indices: Tensor) {
        try Tensor.make2(#function) { ctorch_min_dim(handle, Int64(dim), keepDims, $0, $1) }
    }
    /// The index of the largest element (of the flattened tensor when `dim` is nil).
    public func argmax(dim: Int? = nil, keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_argmax(handle, Int64(dim ?? 0), dim != nil, keepDims, $0) }
    }
    public func argmin(dim: Int? = nil, keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_argmin(handle, Int64(dim ?? 0), dim != nil, keepDims, $0) }
    }

    /// The variance; `correction` 1 is the unbiased estimate, 0 the population variance.
    public func variance(correction: Int = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_var_all(handle, Int64(correction), $0) }
    }
    public func variance(dims: [Int], correction: Int = 1, keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_var(handle, dims.c, Int64(dims.count), Int64(correction), keepDims, $0) }
    }
    public func std(correction: Int = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_std_all(handle, Int64(correction), $0) }
    }
    public func std(dims: [Int], correction: Int = 1, keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_std(handle, dims.c, Int64(dims.count), Int64(correction), keepDims, $0) }
    }
    /// The `p`-norm of all elements.
    public func norm(p: Double = 2) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_norm_all(handle, p, $0) }
    }
    public func norm(p: Double = 2, dims: [Int], keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_norm(handle, p, dims.c, Int64(dims.count), keepDims, $0) }
    }
    /// `log(sum(exp(x)))` along `dims`, computed stably.
    public func logsumexp(dims: [Int], keepDims: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_logsumexp(handle, dims.c, Int64(dims.count), keepDims, $0) }
    }
    public func cumsum(dim: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_cumsum(handle, Int64(dim), $0) }
    }
    /// `true` (a bool tensor) when every element is non-zero.
    public func all() throws(TensorError) -> Tensor { try unary(#function, ctorch_all_all) }
    /// `true` (a bool tensor) when some element is non-zero.
    public func any() throws(TensorError) -> Tensor { try unary(#function, ctorch_any_all) }
    /// The `k` largest (or smallest) elements along `dim` and their indices.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws(TensorError) -> (values: Tensor, indices: Tensor) {
        try Tensor.make2(#function) { ctorch_topk(handle, Int64(k), Int64(dim), largest, sorted, $0, $1) }
    }
    public func sort(dim: Int = -1, descending: Bool = false) throws(TensorError) -> (values: Tensor, indices: Tensor) {
        try Tensor.make2(#function) { ctorch_sort(handle, Int64(dim), descending, $0, $1) }
    }
    /// `true` when both tensors have the same shape and elements.
    public func isEqual(to other: Tensor) throws(TensorError) -> Bool {
        var result = false
        try torchCall(#function) { ctorch_equal(handle, other.handle, &result) }
        return result
    }
    /// `true` when `|self - other| <= atol + rtol * |other|` everywhere.
    public func isClose(to other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNaN: Bool = false) throws(TensorError) -> Bool {
        var result = false
        try torchCall(#function) { ctorch_allclose(handle, other.handle, rtol, atol, equalNaN, &result) }
        return result
    }
}
