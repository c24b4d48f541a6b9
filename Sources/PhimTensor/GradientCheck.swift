/// The largest disagreement a gradient check found.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// The largest `|analytic - numeric|` over all elements.
    public var maxAbsoluteError: Double
    /// The largest `|analytic - numeric| / max(1, |numeric|)`.
    public var maxRelativeError: Double
    /// The number of elements checked.
    public var elementCount: Int

    public var description: String {
        "max abs error \(maxAbsoluteError), max rel error \(maxRelativeError) over \(elementCount) elements"
    }

    /// `true` when every element agrees within `tolerance` (relative for large values, absolute for small).
    public func passes(tolerance: Double = 1e-4) -> Bool { elementCount > 0 && maxRelativeError <= tolerance }
}

/// Compares the gradients autograd computes for `function` with central finite differences, at float64
/// copies of `inputs` (which the function receives).
///
/// The function's output is reduced to a scalar with fixed random weights, so every output element takes part.
/// - Complexity: two evaluations of `function` per input element.
public func gradientCheck(
    _ inputs: [Tensor], epsilon: Double = 1e-6, _ function: ([Tensor]) throws -> Tensor
) throws -> GradientCheckResult {
    let points = try inputs.map { try $0.to(.float64).detach().clone().requiringGrad() }
    return try gradientCheck(inPlace: points, epsilon: epsilon) { try function(points) }
}

/// Compares autograd's gradients with central finite differences, perturbing `tensors` in place: float64,
/// contiguous CPU leaves that require gradients, such as the parameters of a module converted to float64.
/// - Complexity: two evaluations of `function` per element of `tensors`.
public func gradientCheck(
    inPlace tensors: [Tensor], epsilon: Double = 1e-6, _ function: () throws -> Tensor
) throws -> GradientCheckResult {
    for t in tensors where t.dtype != .float64 || !t.requiresGrad || !t.isLeaf {
        throw TensorError(.invalidArgument, "gradient checks need float64 leaves that require gradients, got \(t.dtype)")
    }
    let output = try function()
    let weights = try Tensor.randn(output.shape, generator: Generator(seed: 7), dtype: .float64)
    let objective = try (output.to(.float64) * weights).sum()
    let analytic = try Tensor.gradients(of: [objective], withRespectTo: tensors, allowUnused: true)

    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var elements = 0
    for (k, tensor) in tensors.enumerated() {
        let expected = try analytic[k].map { try $0.contiguous().toArray(Double.self) } ?? [Double](repeating: 0, count: tensor.count)
        for i in 0..<tensor.count {
            let original = try tensor.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] }
            func evaluate(_ value: Double) throws -> Double {
                try tensor.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = value }
                // With gradients on: the function may differentiate internally (gradient penalties).
                return try (function().to(.float64) * weights).sum().item()
            }
            let plus = try evaluate(original + epsilon)
            let minus = try evaluate(original - epsilon)
            try tensor.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = original }
            let numeric = (plus - minus) / (2 * epsilon)
            let error = Swift.abs(numeric - expected[i])
            maxAbsolute = Swift.max(maxAbsolute, error)
            maxRelative = Swift.max(maxRelative, error / Swift.max(1, Swift.abs(numeric)))
            elements += 1
        }
    }
    return GradientCheckResult(maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative, elementCount: elements)
}
