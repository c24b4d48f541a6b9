internal import CTorch

/// An error from the tensor library: libtorch's own message (a shape mismatch, a bad dtype, an index
/// out of range) or a check PhimTensor makes before calling it.
public struct TensorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, from the C++ exception type libtorch threw.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        fileprivate init(name: String) { self.name = name }

        /// A general libtorch error (`c10::Error`): most shape and dtype mismatches.
        public static let libtorch = Code(name: "libtorch error")
        /// An index or dimension out of range (`c10::IndexError`).
        public static let index = Code(name: "index error")
        /// A bad value (`c10::ValueError`).
        public static let value = Code(name: "value error")
        /// A dtype that an op does not accept (`c10::TypeError`).
        public static let type = Code(name: "type error")
        /// An op without a kernel for these arguments (`c10::NotImplementedError`).
        public static let notImplemented = Code(name: "not implemented")
        /// Memory ran out.
        public static let outOfMemory = Code(name: "out of memory")
        /// A distributed collective or its rendezvous failed.
        public static let distributed = Code(name: "distributed error")
        /// An argument PhimTensor rejected before calling libtorch.
        public static let invalidArgument = Code(name: "invalid argument")

        public var description: String { name }

        init(status: Int32) {
            switch Int(status) {
            case Int(CTORCH_INDEX_ERROR): self = .index
            case Int(CTORCH_VALUE_ERROR): self = .value
            case Int(CTORCH_TYPE_ERROR): self = .type
            case Int(CTORCH_NOT_IMPLEMENTED): self = .notImplemented
            case Int(CTORCH_OUT_OF_MEMORY): self = .outOfMemory
            case Int(CTORCH_DISTRIBUTED_ERROR): self = .distributed
            case Int(CTORCH_INVALID_ARGUMENT): self = .invalidArgument
            default: self = .libtorch
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// libtorch's message, or PhimTensor's.
    public var message: String
    /// The PhimTensor function that failed (`conv2d(_:bias:stride:padding:dilation:groups:)`).
    public var function: String

    public init(_ code: Code, _ message: String, function: String = #function) {
        self.code = code
        self.message = message
        self.function = function
    }

    /// `function: message`.
    public var description: String { "\(function): \(message)" }

    /// The error libtorch left on this thread for a call that returned `status`.
    static func last(_ status: Int32, _ function: String) -> TensorError {
        TensorError(Code(status: status), String(cString: ctorch_last_error()), function: function)
    }
}

/// Runs one CTorch call and turns a failing status into a `TensorError` naming `function`.
@inline(__always)
func torchCall(_ function: String, _ body: () -> Int32) throws(TensorError) {
    let status = body()
    if status != 0 { throw TensorError.last(status, function) }
}

extension Array where Element == Int {
    /// The values as C's `int64_t`, for CTorch's list arguments.
    @inline(__always) var c: [Int64] { map { Int64($0) } }
}
