internal import CTorch

// Element-wise maths. Binary operations broadcast their operands (NumPy rules).

extension Tensor {
    @inline(__always)
    func unary(_ function: String, _ op: (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32) throws(TensorError) -> Tensor {
        try Tensor.make(function) { op(handle, $0) }
    }

    @inline(__always)
    func binary(
        _ other: Tensor, _ function: String,
        _ op: (OpaquePointer?, OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    ) throws(TensorError) -> Tensor {
        try Tensor.make(function) { op(handle, other.handle, $0) }
    }

    @inline(__always)
    func scalar(_ value: Double, _ function: String, _ op: (OpaquePointer?, Double, UnsafeMutablePointer<OpaquePointer?>?) -> Int32) throws(TensorError) -> Tensor {
        try Tensor.make(function) { op(handle, value, $0) }
    }

    /// `self + alpha * other`.
    public func add(_ other: Tensor, alpha: Double = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_add(handle, other.handle, alpha, $0) }
    }
    /// `self - alpha * other`.
    public func sub(_ other: Tensor, alpha: Double = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_sub(handle, other.handle, alpha, $0) }
    }
    public func mul(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_mul) }
    public func div(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_div) }
    public func add(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_add_scalar) }
    public func sub(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_sub_scalar) }
    public func mul(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_mul_scalar) }
    public func div(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_div_scalar) }
    /// `self ** exponent`.
    public func pow(_ exponent: Double) throws(TensorError) -> Tensor { try scalar(exponent, #function, ctorch_pow_scalar) }
    /// `self ** exponent`, element by element.
    public func pow(_ exponent: Tensor) throws(TensorError) -> Tensor { try binary(exponent, #function, ctorch_pow) }
    /// The larger of each pair of elements.
    public func maximum(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_maximum) }
    /// The smaller of each pair of elements.
    public func minimum(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_minimum) }
    /// The remainder of division by `value`, with the sign of `value` (Python's `%`).
    public func remainder(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_remainder_scalar) }
    public func atan2(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_atan2) }
    /// `self + weight * (end - self)`.
    public func lerp(_ end: Tensor, weight: Double) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_lerp(handle, end.handle, weight, $0) }
    }

    // MARK: Comparison (bool results)

    public func eq(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_eq) }
    public func ne(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_ne) }
    public func lt(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_lt) }
    public func le(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_le) }
    public func gt(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_gt) }
    public func ge(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_ge) }
    public func eq(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_eq_scalar) }
    public func ne(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_ne_scalar) }
    public func lt(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_lt_scalar) }
    public func le(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_le_scalar) }
    public func gt(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_gt_scalar) }
    public func ge(_ value: Double) throws(TensorError) -> Tensor { try scalar(value, #function, ctorch_ge_scalar) }
    public func logicalAnd(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_logical_and) }
    public func logicalOr(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_logical_or) }
    public func logicalXor(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_logical_xor) }
    public func logicalNot() throws(TensorError) -> Tensor { try unary(#function, ctorch_logical_not) }

    /// Elements of `x` where `condition` is true and of `y` elsewhere (all three broadcast).
    public static func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) throws(TensorError) -> Tensor {
        try make(#function) { ctorch_where(condition.handle, x.handle, y.handle, $0) }
    }

    /// Elements limited to `min...max` (either bound may be absent).
    public func clamp(min: Double? = nil, max: Double? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_clamp(handle, min ?? 0, min != nil, max ?? 0, max != nil, $0) }
    }

    // MARK: Unary

    public func neg() throws(TensorError) -> Tensor { try unary(#function, ctorch_neg) }
    public func abs() throws(TensorError) -> Tensor { try unary(#function, ctorch_abs) }
    public func exp() throws(TensorError) -> Tensor { try unary(#function, ctorch_exp) }
    public func expm1() throws(TensorError) -> Tensor { try unary(#function, ctorch_expm1) }
    public func log() throws(TensorError) -> Tensor { try unary(#function, ctorch_log) }
    public func log2() throws(TensorError) -> Tensor { try unary(#function, ctorch_log2) }
    public func log1p() throws(TensorError) -> Tensor { try unary(#function, ctorch_log1p) }
    public func sqrt() throws(TensorError) -> Tensor { try unary(#function, ctorch_sqrt) }
    public func rsqrt() throws(TensorError) -> Tensor { try unary(#function, ctorch_rsqrt) }
    public func square() throws(TensorError) -> Tensor { try unary(#function, ctorch_square) }
    public func reciprocal() throws(TensorError) -> Tensor { try unary(#function, ctorch_reciprocal) }
    public func sin() throws(TensorError) -> Tensor { try unary(#function, ctorch_sin) }
    public func cos() throws(TensorError) -> Tensor { try unary(#function, ctorch_cos) }
    public func tan() throws(TensorError) -> Tensor { try unary(#function, ctorch_tan) }
    public func tanh() throws(TensorError) -> Tensor { try unary(#function, ctorch_tanh) }
    public func erf() throws(TensorError) -> Tensor { try unary(#function, ctorch_erf) }
    public func sign() throws(TensorError) -> Tensor { try unary(#function, ctorch_sign) }
    public func floor() throws(TensorError) -> Tensor { try unary(#function, ctorch_floor) }
    public func ceil() throws(TensorError) -> Tensor { try unary(#function, ctorch_ceil) }
    public func round() throws(TensorError) -> Tensor { try unary(#function, ctorch_round) }
    public func isNaN() throws(TensorError) -> Tensor { try unary(#function, ctorch_isnan) }
    public func isFinite() throws(TensorError) -> Tensor { try unary(#function, ctorch_isfinite) }

    // MARK: Activations

    public func sigmoid() throws(TensorError) -> Tensor { try unary(#function, ctorch_sigmoid) }
    public func relu() throws(TensorError) -> Tensor { try unary(#function, ctorch_relu) }
    public func leakyRelu(slope: Double = 0.01) throws(TensorError) -> Tensor { try scalar(slope, #function, ctorch_leaky_relu) }
    public func elu(alpha: Double = 1) throws(TensorError) -> Tensor { try scalar(alpha, #function, ctorch_elu) }
    public func selu() throws(TensorError) -> Tensor { try unary(#function, ctorch_selu) }
    /// The Gaussian error linear unit; `tanhApproximation` uses the tanh formula.
    public func gelu(tanhApproximation: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_gelu(handle, tanhApproximation ? "tanh" : "none", $0) }
    }
    public func silu() throws(TensorError) -> Tensor { try unary(#function, ctorch_silu) }
    public func mish() throws(TensorError) -> Tensor { try unary(#function, ctorch_mish) }
    public func softplus(beta: Double = 1, threshold: Double = 20) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_softplus(handle, beta, threshold, $0) }
    }
    public func hardtanh(min: Double = -1, max: Double = 1) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_hardtanh(handle, min, max, $0) }
    }
    public func logSigmoid() throws(TensorError) -> Tensor { try unary(#function, ctorch_log_sigmoid) }
    public func softmax(dim: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_softmax(handle, Int64(dim), $0) }
    }
    public func logSoftmax(dim: Int) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_log_softmax(handle, Int64(dim), $0) }
    }

    // MARK: Linear algebra

    /// The matrix product with NumPy's rules for vectors and batches.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_matmul) }
    /// The product of two matrices.
    public func mm(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_mm) }
    /// The product of two batches of matrices.
    public func bmm(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_bmm) }
    /// The product of a matrix and a vector.
    public func mv(_ vector: Tensor) throws(TensorError) -> Tensor { try binary(vector, #function, ctorch_mv) }
    public func dot(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_dot) }
    public func outer(_ other: Tensor) throws(TensorError) -> Tensor { try binary(other, #function, ctorch_outer) }
    /// `self · weightᵀ + bias`.
    public func linear(weight: Tensor, bias: Tensor? = nil) throws(TensorError) -> Tensor {
        try Tensor.make(#function) { ctorch_linear(handle, weight.handle, bias?.handle, $0) }
    }
    /// Einstein summation over `operands`, e.g. `"bij,bjk->bik"`.
    public static func einsum(_ equation: String, _ operands: [Tensor]) throws(TensorError) -> Tensor {
        let handles = operands.map { Optional($0.handle) }
        return try make(#function) { ctorch_einsum(equation, handles, Int64(handles.count), $0) }
    }
}

// MARK: Operators

extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.add(rhs) }
    public static func - (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.sub(rhs) }
    public static func * (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.mul(rhs) }
    public static func / (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.div(rhs) }
    public static func + (lhs: Tensor, rhs: Double) throws(TensorError) -> Tensor { try lhs.add(rhs) }
    public static func - (lhs: Tensor, rhs: Double) throws(TensorError) -> Tensor { try lhs.sub(rhs) }
    public static func * (lhs: Tensor, rhs: Double) throws(TensorError) -> Tensor { try lhs.mul(rhs) }
    public static func / (lhs: Tensor, rhs: Double) throws(TensorError) -> Tensor { try lhs.div(rhs) }
    public static func + (lhs: Double, rhs: Tensor) throws(TensorError) -> Tensor { try rhs.add(lhs) }
    public static func - (lhs: Double, rhs: Tensor) throws(TensorError) -> Tensor {
        try make("-(_:_:)") { ctorch_rsub_scalar(rhs.handle, lhs, $0) }
    }
    public static func * (lhs: Double, rhs: Tensor) throws(TensorError) -> Tensor { try rhs.mul(lhs) }
    public static func / (lhs: Double, rhs: Tensor) throws(TensorError) -> Tensor {
        try make("/(_:_:)") { ctorch_rdiv_scalar(rhs.handle, lhs, $0) }
    }
    public static prefix func - (operand: Tensor) throws(TensorError) -> Tensor { try operand.neg() }
}
