internal import CTorch

/// An n-dimensional array of numbers on a device, backed by a libtorch tensor.
///
/// A `Tensor` owns one libtorch handle and frees it in `deinit`. Several `Tensor`s may share storage
/// (views such as ``reshape(_:)`` or ``transpose(_:_:)``, and the result of ``detach()``); libtorch
/// reference-counts the storage. Operations return new tensors; the few that write into a tensor say
/// `InPlace` in their names.
///
/// Every operation that libtorch can reject (a shape mismatch, a dtype it does not accept, an index
/// out of range) throws a ``TensorError`` carrying libtorch's message.
///
/// `Tensor` is not `Sendable`: libtorch tensors may be read from several threads, but writes and
/// autograd state are not synchronised, so hand a tensor to another thread only when this one is done with it.
public final class Tensor {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ctorch_tensor_free(handle)
    }

    /// Runs a CTorch call that writes one new tensor handle, and wraps it.
    @inline(__always)
    static func make(_ function: String, _ body: (UnsafeMutablePointer<OpaquePointer?>) -> Int32) throws(TensorError) -> Tensor {
        var out: OpaquePointer?
        let status = body(&out)
        guard status == 0, let out else { throw TensorError.last(status == 0 ? 1 : status, function) }
        return Tensor(handle: out)
    }

    /// Runs a CTorch call that writes two new tensor handles.
    @inline(__always)
    static func make2(
        _ function: String, _ body: (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    ) throws(TensorError) -> (Tensor, Tensor) {
        var a: OpaquePointer?
        var b: OpaquePointer?
        let status = body(&a, &b)
        guard status == 0, let a, let b else { throw TensorError.last(status == 0 ? 1 : status, function) }
        return (Tensor(handle: a), Tensor(handle: b))
    }

    /// Runs a CTorch call that writes a malloc'ed array of new handles.
    static func makeList(
        _ function: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>, UnsafeMutablePointer<Int64>) -> Int32
    ) throws(TensorError) -> [Tensor] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        var count: Int64 = 0
        let status = body(&list, &count)
        guard status == 0, let list else { throw TensorError.last(status == 0 ? 1 : status, function) }
        defer { ctorch_handles_free(list) }
        return (0..<Int(count)).map { Tensor(handle: list[$0]!) }
    }

    // MARK: Properties

    /// The number of dimensions.
    public var rank: Int {
        var value: Int64 = 0
        _ = ctorch_tensor_dim(handle, &value)
        return Int(value)
    }

    /// The size of each dimension.
    public var shape: [Int] {
        let n = rank
        var sizes = [Int64](repeating: 0, count: n)
        _ = ctorch_tensor_sizes(handle, &sizes, Int64(n))
        return sizes.map { Int($0) }
    }

    /// The distance in elements between neighbours along each dimension.
    public var strides: [Int] {
        let n = rank
        var values = [Int64](repeating: 0, count: n)
        _ = ctorch_tensor_strides(handle, &values, Int64(n))
        return values.map { Int($0) }
    }

    /// The number of elements.
    public var count: Int {
        var value: Int64 = 0
        _ = ctorch_tensor_numel(handle, &value)
        return Int(value)
    }

    /// The element type.
    public var dtype: DType {
        var code: Int32 = 0
        _ = ctorch_tensor_dtype(handle, &code)
        return DType(code: code) ?? .float32
    }

    /// The device that holds the elements.
    public var device: Device {
        var type: Int32 = 0
        var index: Int32 = 0
        _ = ctorch_tensor_device(handle, &type, &index)
        return Device(kind: type == CTORCH_CUDA ? .cuda : .cpu, index: Int(index))
    }

    /// `true` when the elements are laid out densely in row-major order.
    public var isContiguous: Bool {
        var value = false
        _ = ctorch_tensor_is_contiguous(handle, &value)
        return value
    }

    /// The size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) throws(TensorError) -> Int {
        let shape = self.shape
        let d = dim < 0 ? dim + shape.count : dim
        guard shape.indices.contains(d) else {
            throw TensorError(.index, "dimension \(dim) is out of range for a tensor of rank \(shape.count)")
        }
        return shape[d]
    }

    // MARK: Reading elements

    /// The only element, as a `Double`.
    /// - Throws: when the tensor does not hold exactly one element.
    public func item() throws(TensorError) -> Double {
        var value = 0.0
        try torchCall(#function) { ctorch_item_double(handle, &value) }
        return value
    }

    /// The only element, as an `Int`.
    public func itemInt() throws(TensorError) -> Int {
        var value: Int64 = 0
        try torchCall(#function) { ctorch_item_int64(handle, &value) }
        return Int(value)
    }

    /// All elements in row-major order, converted to `T`'s dtype first when they differ.
    /// - Complexity: O(n); copies the elements.
    public func toArray<T: TensorElement>(_ type: T.Type = T.self) throws(TensorError) -> [T] {
        let source = dtype == T.dtype ? self : try to(T.dtype)
        let n = source.count
        var status: Int32 = 0
        let values = withExtendedLifetime(source) {
            [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                status = ctorch_tensor_copy_bytes(source.handle, buffer.baseAddress, n * MemoryLayout<T>.stride)
                initialized = status == 0 ? n : 0
            }
        }
        if status != 0 { throw TensorError.last(status, #function) }
        return values
    }

    /// Copies the elements, in row-major order and this tensor's dtype, into `buffer`, which must hold exactly
    /// `count * dtype.byteCount` bytes.
    public func copyBytes(to buffer: UnsafeMutableRawBufferPointer) throws(TensorError) {
        try torchCall(#function) { ctorch_tensor_copy_bytes(handle, buffer.baseAddress, buffer.count) }
    }

    /// Calls `body` with the elements of this contiguous CPU tensor, which it may change in place.
    /// - Throws: when the tensor is not contiguous, not on the CPU, or not of `T`'s dtype.
    public func withUnsafeMutableBufferPointer<T: TensorElement, R>(
        as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) throws -> R {
        guard dtype == T.dtype else {
            throw TensorError(.type, "the tensor holds \(dtype), not \(T.dtype)")
        }
        guard isContiguous else { throw TensorError(.invalidArgument, "the tensor is not contiguous") }
        var pointer: UnsafeMutableRawPointer?
        try torchCall(#function) { ctorch_tensor_data(handle, &pointer) }
        let buffer = UnsafeMutableBufferPointer(start: pointer?.assumingMemoryBound(to: T.self), count: count)
        return try withExtendedLifetime(self) { try body(buffer) }
    }
}

extension Tensor {
    /// Calls `body` with the raw bytes of this contiguous CPU tensor (any dtype), which it may change in place.
    /// - Throws: when the tensor is not contiguous or not on the CPU.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        guard isContiguous else { throw TensorError(.invalidArgument, "the tensor is not contiguous") }
        var pointer: UnsafeMutableRawPointer?
        try torchCall(#function) { ctorch_tensor_data(handle, &pointer) }
        let buffer = UnsafeMutableRawBufferPointer(start: pointer, count: count * dtype.byteCount)
        return try withExtendedLifetime(self) { try body(buffer) }
    }
}

extension Tensor: CustomStringConvertible {
    /// libtorch's printout of the elements, dtype and shape.
    public var description: String {
        var text: UnsafeMutablePointer<CChar>?
        guard ctorch_tensor_description(handle, &text) == 0, let text else { return "Tensor(\(shape), \(dtype))" }
        defer { ctorch_string_free(text) }
        return String(cString: text)
    }
}
