internal import CTorch

extension Tensor {
    /// A tensor holding a copy of `values`, shaped `shape` (a vector when `shape` is nil).
    /// - Throws: when `shape` does not hold `values.count` elements.
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) throws(TensorError) {
        let shape = shape ?? [values.count]
        var out: OpaquePointer?
        let dims = shape.c
        let status = values.withUnsafeBytes { bytes in
            ctorch_tensor_from_bytes(bytes.baseAddress, bytes.count, dims, Int64(dims.count), T.dtype.code, &out)
        }
        guard status == 0, let out else { throw TensorError.last(status, "init(_:shape:)") }
        self.init(handle: out)
    }

    /// A tensor holding a copy of `bytes`, which are elements of `dtype` in row-major order.
    /// - Throws: when `bytes` is not exactly the size `shape` and `dtype` need.
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws(TensorError) {
        var out: OpaquePointer?
        let dims = shape.c
        let status = ctorch_tensor_from_bytes(bytes.baseAddress, bytes.count, dims, Int64(dims.count), dtype.code, &out)
        guard status == 0, let out else { throw TensorError.last(status, "init(bytes:shape:dtype:)") }
        self.init(handle: out)
    }

    /// A zero-dimensional tensor holding `value`.
    public convenience init(scalar value: Double, dtype: DType = .float32) throws(TensorError) {
        var out: OpaquePointer?
        let cpu = Device.cpu
        let status = ctorch_full(nil, 0, value, dtype.code, cpu.typeCode, cpu.indexCode, &out)
        guard status == 0, let out else { throw TensorError.last(status, "init(scalar:dtype:)") }
        self.init(handle: out)
    }

    /// A new handle to the same tensor (same storage, same autograd identity).
    func alias() throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_alias(handle, $0) }
    }

    /// An uninitialised tensor.
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_empty(shape.c, Int64(shape.count), dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_zeros(shape.c, Int64(shape.count), dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_ones(shape.c, Int64(shape.count), dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) {
            ctorch_full(shape.c, Int64(shape.count), value, dtype.code, device.typeCode, device.indexCode, $0)
        }
    }

    /// The values `start, start + step, …` below `end`.
    public static func arange(
        _ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32, device: Device = .cpu
    ) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_arange(start, end, step, dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// `count` evenly spaced values from `start` to `end`, both included.
    public static func linspace(
        _ start: Double, _ end: Double, count: Int, dtype: DType = .float32, device: Device = .cpu
    ) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_linspace(start, end, Int64(count), dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// The `n`×`n` identity matrix.
    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_eye(Int64(n), dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// Uniform random values in [0, 1), drawn from `generator` (the default generator when nil).
    public static func rand(
        _ shape: [Int], generator: Generator? = nil, dtype: DType = .float32, device: Device = .cpu
    ) throws(TensorError) -> Tensor {
        try make(#function) {
            ctorch_rand(shape.c, Int64(shape.count), generator?.handle, dtype.code, device.typeCode, device.indexCode, $0)
        }
    }

    /// Standard normal random values, drawn from `generator` (the default generator when nil).
    public static func randn(
        _ shape: [Int], generator: Generator? = nil, dtype: DType = .float32, device: Device = .cpu
    ) throws(TensorError) -> Tensor {
        try make(#function) {
            ctorch_randn(shape.c, Int64(shape.count), generator?.handle, dtype.code, device.typeCode, device.indexCode, $0)
        }
    }

    /// Uniform random integers in `low..<high`.
    public static func randint(
        _ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil, dtype: DType = .int64, device: Device = .cpu
    ) throws(TensorError) -> Tensor {
        try make(#function) {
            ctorch_randint(Int64(low), Int64(high), shape.c, Int64(shape.count), generator?.handle, dtype.code,
                           device.typeCode, device.indexCode, $0)
        }
    }

    /// A random permutation of `0..<n`.
    public static func randperm(_ n: Int, generator: Generator? = nil, dtype: DType = .int64, device: Device = .cpu) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_randperm(Int64(n), generator?.handle, dtype.code, device.typeCode, device.indexCode, $0) }
    }

    /// Zeros of this tensor's shape, dtype and device.
    public func zerosLike() throws(TensorError) -> Tensor { try Tensor.make(#function) { ctorch_zeros_like(handle, $0) } }
    /// Ones of this tensor's shape, dtype and device.
    public func onesLike() throws(TensorError) -> Tensor { try Tensor.make(#function) { ctorch_ones_like(handle, $0) } }
    /// `value` in this tensor's shape, dtype and device.
    public func fullLike(_ value: Double) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_full_like(handle, value, $0) }
    }
    /// Uniform random values in [0, 1) of this tensor's shape, dtype and device.
    public func randLike(generator: Generator? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_rand_like(handle, generator?.handle, $0) }
    }
    /// Standard normal random values of this tensor's shape, dtype and device.
    public func randnLike(generator: Generator? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_randn_like(handle, generator?.handle, $0) }
    }
    /// Ones with the probabilities in this tensor, zeros otherwise.
    public func bernoulli(generator: Generator? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_bernoulli(handle, generator?.handle, $0) }
    }

    // MARK: Conversion

    /// This tensor's elements converted to `dtype` (this tensor itself when it already has that dtype).
    public func to(_ dtype: DType) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_to_dtype(handle, dtype.code, $0) }
    }

    /// This tensor on `device` (this tensor itself when it is already there).
    public func to(_ device: Device) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_to_device(handle, device.typeCode, device.indexCode, $0) }
    }

    /// A copy with its own storage (recorded by autograd).
    public func clone() throws(TensorError) -> Tensor { try Tensor.make(#function) { ctorch_clone(handle, $0) } }

    /// This tensor with a dense row-major layout (itself when it already has one).
    public func contiguous() throws(TensorError) -> Tensor { try Tensor.make(#function) { ctorch_contiguous(handle, $0) } }
}
