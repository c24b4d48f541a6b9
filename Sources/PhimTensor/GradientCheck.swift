/// The largest disagreement ``gradientCheck(_:epsilon:generator:_:)`` found.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// The largest `|analytic - numeric|` over all input elements.
    public var maxAbsoluteError: Double
    /// The largest `|analytic - numeric| / max(1, |numeric|)`.
    public var maxRelativeError: Double
    /// The number of input elements checked.
    public var elementCount: Int

    public var description: String {
        "max abs error \(maxAbsoluteError), max rel error \(maxRelativeError) over \(elementCount) elements"
    }

    /// `true` when every element agrees within `tolerance` (relative for large values, absolute for small).
    public func passes(tolerance: Double = 1e-4) -> Bool { maxRelativeError <= tolerance }
}

/// Compares the gradients autograd computes for `function` with central finite differences.
///
/// The inputs are converted to float64 copies that require gradients. The function's output is reduced
/// to a scalar with fixed random weights, so every output element takes part.
/// - Parameters:
///   - inputs: the points at which to check; small tensors (each element costs two evaluations).
///   - epsilon: the finite-difference step.
///   - function: the computation to check; it may build tensors but must use the inputs it is given.
/// - Complexity: two evaluations of `function` per input element.
public func gradientCheck(
    _ inputs: [Tensor], epsilon: Double = 1e-6, generator: Generator = Generator(seed: 7),
    _ function: ([Tensor]) throws -> Tensor
) throws -> GradientCheckResult {
    let points = try inputs.map { try $0.to(.float64).detach().clone().requiringGrad() }
    let output = try function(points)
    let weights = try Tensor.randn(output.shape, generator: generator, dtype: .float64)
    let scalarOf = { (out: Tensor) throws -> Double in try (out.to(.float64) * weights).sum().item() }

    let objective = try (output.to(.float64) * weights).sum()
    let analytic = try Tensor.gradients(of: [objective], withRespectTo: points, allowUnused: true)

    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var elements = 0
    for (k, point) in points.enumerated() {
        let expected = try analytic[k].map { try $0.contiguous().toArray(Double.self) }
            ?? [Double](repeating: 0, count: point.count)
        for i in 0..<point.count {
            let original = try withNoGrad { try point.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] } }
            func evaluate(_ value: Double) throws -> Double {
                try withNoGrad { try point.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] = value } }
                // With gradients on: the function may differentiate internally (gradient penalties).
                return try scalarOf(function(points))
            }
            let plus = try evaluate(original + epsilon)
            let minus = try evaluate(original - epsilon)
            _ = try evaluate(original)
            let numeric = (plus - minus) / (2 * epsilon)
            let error = Swift.abs(numeric - expected[i])
            maxAbsolute = Swift.max(maxAbsolute, error)
            maxRelative = Swift.max(maxRelative, error / Swift.max(1, Swift.abs(numeric)))
            elements += 1
        }
    }
    return GradientCheckResult(maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative, elementCount: elements)
}
