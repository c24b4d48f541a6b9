internal import CTorch

/// A pseudo-random number generator (libtorch's CPU Mersenne Twister) for reproducible random tensors.
///
/// Pass one to ``Tensor/rand(_:generator:dtype:device:)`` and friends to make a stream of random
/// numbers that no other code draws from; ``Generator/default`` is libtorch's global generator.
/// Its ``state()`` can be saved in a checkpoint and restored with ``setState(_:)``.
///
/// `@unchecked Sendable`: libtorch locks the generator's own mutex around every draw and every state
/// change, so one generator may be used from several threads (the order of draws is then unspecified).
public final class Generator: @unchecked Sendable {
    /// NULL for libtorch's default generator.
    let handle: OpaquePointer?

    /// libtorch's default CPU generator, used when no generator is given.
    public static let `default` = Generator(handle: nil)

    private init(handle: OpaquePointer?) {
        self.handle = handle
    }

    /// A new generator seeded with `seed`.
    public init(seed: UInt64) {
        var out: OpaquePointer?
        // Creating a CPU generator only allocates; it fails only when memory runs out.
        precondition(ctorch_generator_new(seed, &out) == 0, String(cString: ctorch_last_error()))
        handle = out
    }

    deinit {
        if let handle { ctorch_generator_free(handle) }
    }

    /// Restarts the generator's stream from `seed`.
    public func seed(_ seed: UInt64) throws(TensorError) {
        try torchCall(#function) { ctorch_generator_set_seed(handle, seed) }
    }

    /// The generator's complete state, as a `uint8` tensor.
    public func state() throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_generator_get_state(handle, $0) }
    }

    /// Restores a state that ``state()`` returned.
    public func setState(_ state: Tensor) throws(TensorError) {
        try torchCall(#function) { ctorch_generator_set_state(handle, state.handle) }
    }
}

/// Process-wide libtorch settings.
public enum Torch {
    /// libtorch's version, e.g. `1.13.0`.
    public static var version: String { String(cString: ctorch_version()) }

    /// The number of threads libtorch's operators use. libtorch starts with one per core.
    public static var threadCount: Int { Int(ctorch_get_num_threads()) }

    /// Sets the number of threads libtorch's operators use. Call it at start-up: with libtorch's OpenMP
    /// backend the setting reaches the calling thread and threads that have not yet run a libtorch op.
    /// - Throws: when `count` is below 1.
    public static func setThreadCount(_ count: Int) throws(TensorError) {
        try torchCall(#function) { ctorch_set_num_threads(Int64(count)) }
    }

    /// Seeds libtorch's default generator.
    public static func manualSeed(_ seed: UInt64) throws(TensorError) {
        try torchCall(#function) { ctorch_manual_seed(seed) }
    }

    /// `true` when the linked libtorch was built with CUDA and sees a GPU.
    public static var isCUDAAvailable: Bool { ctorch_cuda_is_available() }

    /// The number of CUDA devices libtorch sees.
    public static var cudaDeviceCount: Int { Int(ctorch_cuda_device_count()) }
}
