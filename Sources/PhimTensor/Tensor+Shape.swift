internal import CTorch

/// One entry of a tensor subscript: `t[0, 1..<3, .all, .newAxis]`.
public enum TensorIndex: ExpressibleByIntegerLiteral, Sendable {
    /// One position; the dimension disappears. Negative counts from the end.
    case at(Int)
    /// Positions `start..<end` every `step`; either bound may be absent.
    case range(start: Int?, end: Int?, step: Int)
    /// Every position of the dimension.
    case all
    /// A new dimension of size 1.
    case newAxis
    /// As many `.all` as needed to index every remaining dimension.
    case ellipsis

    public init(integerLiteral value: Int) { self = .at(value) }

    public static func range(_ range: Range<Int>, step: Int = 1) -> TensorIndex {
        .range(start: range.lowerBound, end: range.upperBound, step: step)
    }
    public static func range(_ range: ClosedRange<Int>, step: Int = 1) -> TensorIndex {
        .range(start: range.lowerBound, end: range.upperBound + 1, step: step)
    }
    public static func range(_ range: PartialRangeFrom<Int>, step: Int = 1) -> TensorIndex {
        .range(start: range.lowerBound, end: nil, step: step)
    }
    public static func range(_ range: PartialRangeUpTo<Int>, step: Int = 1) -> TensorIndex {
        .range(start: nil, end: range.upperBound, step: step)
    }
}

extension Tensor {
    /// A view (or copy, when strides do not allow a view) with the same elements in `shape`; one size may be -1.
    public func reshape(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_reshape(handle, shape.c, Int64(shape.count), $0) }
    }
    /// A view with the same elements in `shape`; fails when the strides do not allow one.
    public func view(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_view(handle, shape.c, Int64(shape.count), $0) }
    }
    /// Dimensions `start...end` merged into one.
    public func flatten(start: Int = 0, end: Int = -1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_flatten(handle, Int64(start), Int64(end), $0) }
    }
    /// All dimensions of size 1 removed.
    public func squeeze() throws(TensorError) -> Tensor { try unary(#function, ctorch_squeeze) }
    /// Dimension `dim` removed when its size is 1.
    public func squeeze(dim: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_squeeze_dim(handle, Int64(dim), $0) }
    }
    /// A new dimension of size 1 at `dim`.
    public func unsqueeze(dim: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_unsqueeze(handle, Int64(dim), $0) }
    }
    /// The dimensions reordered: dimension `i` of the result is `dims[i]` of this tensor.
    public func permute(_ dims: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_permute(handle, dims.c, Int64(dims.count), $0) }
    }
    /// Dimensions `dim0` and `dim1` swapped.
    public func transpose(_ dim0: Int, _ dim1: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_transpose(handle, Int64(dim0), Int64(dim1), $0) }
    }
    /// A view repeating dimensions of size 1 to `shape` (-1 keeps a size).
    public func expand(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_expand(handle, shape.c, Int64(shape.count), $0) }
    }
    public func expand(as other: Tensor) throws(TensorError) -> Tensor { try expand(other.shape) }
    /// The tensor tiled `counts[i]` times along dimension `i`.
    public func repeated(_ counts: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_repeat(handle, counts.c, Int64(counts.count), $0) }
    }
    public func flip(dims: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_flip(handle, dims.c, Int64(dims.count), $0) }
    }
    public func roll(shifts: [Int], dims: [Int]) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_roll(handle, shifts.c, Int64(shifts.count), dims.c, Int64(dims.count), $0) }
    }
    /// The view of `length` positions from `start` along `dim`.
    public func narrow(dim: Int, start: Int, length: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_narrow(handle, Int64(dim), Int64(start), Int64(length), $0) }
    }
    /// The view at position `index` of `dim`, without that dimension.
    public func select(dim: Int, index: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_select(handle, Int64(dim), Int64(index), $0) }
    }
    /// The view of positions `start..<end` every `step` along `dim`.
    public func slice(dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) {
            ctorch_slice(handle, Int64(dim), Int64(start ?? 0), start != nil, Int64(end ?? 0), end != nil, Int64(step), $0)
        }
    }
    /// The positions `index` (an int64 vector) of `dim`, copied.
    public func indexSelect(dim: Int, index: Tensor) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_index_select(handle, Int64(dim), index.handle, $0) }
    }
    /// Advanced indexing along the first dimension with an int64 or bool tensor.
    public func index(_ index: Tensor) throws(TensorError) -> Tensor { try binary(index, #function, ctorch_index_tensor) }
    public func gather(dim: Int, index: Tensor) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_gather(handle, Int64(dim), index.handle, $0) }
    }
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_scatter_add(handle, Int64(dim), index.handle, source.handle, $0) }
    }
    /// `value` where `mask` is true, this tensor's element elsewhere.
    public func maskedFill(_ mask: Tensor, value: Double) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_masked_fill(handle, mask.handle, value, $0) }
    }
    /// The elements where `mask` is true, as a vector.
    public func maskedSelect(_ mask: Tensor) throws(TensorError) -> Tensor { try binary(mask, #function, ctorch_masked_select) }
    /// The indices of the non-zero elements, one row each.
    public func nonzero() throws(TensorError) -> Tensor { try unary(#function, ctorch_nonzero) }
    public func tril(diagonal: Int = 0) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_tril(handle, Int64(diagonal), $0) }
    }
    public func triu(diagonal: Int = 0) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_triu(handle, Int64(diagonal), $0) }
    }
    /// One-hot vectors (int64) of `classes` entries for the int64 class indices in this tensor.
    public func oneHot(classes: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_one_hot(handle, Int64(classes), $0) }
    }

    /// The tensors joined along an existing dimension.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws(TensorError) -> Tensor {
        let handles = tensors.map { Optional($0.handle) }
        return try make(#function) { ctorch_cat(handles, Int64(handles.count), Int64(dim), $0) }
    }
    /// The tensors joined along a new dimension.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws(TensorError) -> Tensor {
        let handles = tensors.map { Optional($0.handle) }
        return try make(#function) { ctorch_stack(handles, Int64(handles.count), Int64(dim), $0) }
    }
    /// Views of `size` positions each along `dim` (the last may be shorter).
    public func split(size: Int, dim: Int = 0) throws(TensorError) -> [Tensor] {
        try Tensor.makeList(#function) { ctorch_split(handle, Int64(size), Int64(dim), $0, $1) }
    }
    /// Views of the given sizes along `dim`.
    public func split(sizes: [Int], dim: Int = 0) throws(TensorError) -> [Tensor] {
        try Tensor.makeList(#function) { ctorch_split_with_sizes(handle, sizes.c, Int64(sizes.count), Int64(dim), $0, $1) }
    }
    /// `chunks` views of (nearly) equal size along `dim`.
    public func chunk(_ chunks: Int, dim: Int = 0) throws(TensorError) -> [Tensor] {
        try Tensor.makeList(#function) { ctorch_chunk(handle, Int64(chunks), Int64(dim), $0, $1) }
    }
    /// The views at each position of `dim`, without that dimension.
    public func unbind(dim: Int = 0) throws(TensorError) -> [Tensor] {
        try Tensor.makeList(#function) { ctorch_unbind(handle, Int64(dim), $0, $1) }
    }

    /// Basic indexing, as in NumPy: `t[0]`, `t[.all, .range(1..<3)]`, `t[.ellipsis, 0]`, `t[.newAxis]`.
    /// The result is a view.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get throws(TensorError) { try indexed(indices) }
    }

    /// The view that `indices` select; see the subscript.
    public func indexed(_ indices: [TensorIndex]) throws(TensorError) -> Tensor {
        let consuming = indices.filter {
            switch $0 {
            case .newAxis, .ellipsis: false
            default: true
            }
        }.count
        let ellipses = indices.filter { if case .ellipsis = $0 { true } else { false } }.count
        guard ellipses <= 1 else { throw TensorError(.index, "an index may hold at most one ellipsis") }
        guard consuming <= rank else {
            throw TensorError(.index, "\(consuming) indices for a tensor of rank \(rank)")
        }
        var result = try alias()
        var dim = 0
        for index in indices {
            switch index {
            case .at(let position):
                result = try result.select(dim: dim, index: position)
            case .range(let start, let end, let step):
                result = try result.slice(dim: dim, start: start, end: end, step: step)
                dim += 1
            case .all:
                dim += 1
            case .newAxis:
                result = try result.unsqueeze(dim: dim)
                dim += 1
            case .ellipsis:
                dim += rank - consuming
            }
        }
        return result
    }
}
