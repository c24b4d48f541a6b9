internal import CTorch

/// The element type of a tensor.
public enum DType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32, float16, bfloat16, float64, int64, int32, uint8, bool, int8, int16

    var code: Int32 {
        switch self {
        case .float32: Int32(CTORCH_FLOAT32)
        case .float16: Int32(CTORCH_FLOAT16)
        case .bfloat16: Int32(CTORCH_BFLOAT16)
        case .float64: Int32(CTORCH_FLOAT64)
        case .int64: Int32(CTORCH_INT64)
        case .int32: Int32(CTORCH_INT32)
        case .uint8: Int32(CTORCH_UINT8)
        case .bool: Int32(CTORCH_BOOL)
        case .int8: Int32(CTORCH_INT8)
        case .int16: Int32(CTORCH_INT16)
        }
    }

    init?(code: Int32) {
        guard let type = DType.allCases.first(where: { $0.code == code }) else { return nil }
        self = type
    }

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .uint8, .bool, .int8: 1
        }
    }

    /// `true` for the floating-point types, the only ones that can carry gradients.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        case .float64: "float64"
        case .int64: "int64"
        case .int32: "int32"
        case .uint8: "uint8"
        case .bool: "bool"
        case .int8: "int8"
        case .int16: "int16"
        }
    }
}

/// Where a tensor's memory lives.
public struct Device: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case cpu, cuda }
    public var kind: Kind
    public var index: Int

    public static let cpu = Device(kind: .cpu, index: 0)
    /// The `index`th CUDA device; usable only when ``Torch/isCUDAAvailable``.
    public static func cuda(_ index: Int = 0) -> Device { Device(kind: .cuda, index: index) }

    public init(kind: Kind, index: Int = 0) {
        self.kind = kind
        self.index = index
    }

    var typeCode: Int32 { kind == .cpu ? Int32(CTORCH_CPU) : Int32(CTORCH_CUDA) }
    var indexCode: Int32 { Int32(index) }

    public var description: String { kind == .cpu ? "cpu" : "cuda:\(index)" }
}

/// Swift element types a tensor can be built from and read into.
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}
extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
#if !(os(macOS) && arch(x86_64))
extension Float16: TensorElement { public static var dtype: DType { .float16 } }
#endif
