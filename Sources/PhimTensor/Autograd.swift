internal import CTorch

extension Tensor {
    /// `true` when autograd records operations on this tensor.
    public var requiresGrad: Bool {
        var value = false
        _ = ctorch_tensor_requires_grad(handle, &value)
        return value
    }

    /// Turns gradient recording for this tensor on or off, and returns it.
    /// - Throws: when asked to record gradients of a non-floating-point tensor, or of a non-leaf.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws(TensorError) -> Tensor {
        try torchCall(#function) { ctorch_tensor_set_requires_grad(handle, flag) }
        return self
    }

    /// `true` for tensors made by the user rather than by a recorded operation.
    public var isLeaf: Bool {
        var value = false
        _ = ctorch_tensor_is_leaf(handle, &value)
        return value
    }

    /// The gradient accumulated by ``backward(_:retainGraph:createGraph:)``, if any.
    public var grad: Tensor? {
        var out: OpaquePointer?
        guard ctorch_tensor_grad(handle, &out) == 0, let out else { return nil }
        return Tensor(handle: out)
    }

    /// Replaces the accumulated gradient (nil removes it).
    public func setGrad(_ gradient: Tensor?) throws(TensorError) {
        try torchCall(#function) { ctorch_tensor_set_grad(handle, gradient?.handle) }
    }

    /// Keeps the gradient of this non-leaf tensor after backward.
    public func retainGrad() throws(TensorError) {
        try torchCall(#function) { ctorch_tensor_retain_grad(handle) }
    }

    /// Back-propagates from this tensor, accumulating into the `grad` of every leaf that requires it.
    /// - Parameters:
    ///   - gradient: the gradient of some scalar with respect to this tensor; nil means 1 (one-element tensors only).
    ///   - retainGraph: keep the graph for another backward pass.
    ///   - createGraph: record the backward pass itself, for gradients of gradients.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws(TensorError) {
        try torchCall(#function) { ctorch_backward(handle, gradient?.handle, retainGraph, createGraph) }
    }

    /// A tensor sharing this one's storage, cut from the autograd graph.
    public func detach() throws(TensorError) -> Tensor { try unary(#function, ctorch_detach) }

    /// The gradients of `outputs` with respect to `inputs`, without touching any `grad`.
    ///
    /// With `createGraph`, the gradients are themselves differentiable: an R1 penalty is
    /// `gradients(of: [d.sum()], withRespectTo: [real], createGraph: true)[0]!.square().sum()`.
    /// - Returns: one gradient per input; nil for an input that `outputs` do not depend on (when `allowUnused`).
    public static func gradients(
        of outputs: [Tensor], withRespectTo inputs: [Tensor], outputGradients: [Tensor?]? = nil,
        retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false
    ) throws(TensorError) -> [Tensor?] {
        let outs = outputs.map { Optional($0.handle) }
        let ins = inputs.map { Optional($0.handle) }
        let grads = outputGradients?.map { $0?.handle }
        var results = [OpaquePointer?](repeating: nil, count: ins.count)
        let status: Int32
        if let grads {
            guard grads.count == outs.count else {
                throw TensorError(.invalidArgument, "\(grads.count) output gradients for \(outs.count) outputs")
            }
            status = ctorch_autograd_grad(outs, Int64(outs.count), grads, ins, Int64(ins.count), retainGraph ?? createGraph,
                                          createGraph, allowUnused, &results)
        } else {
            status = ctorch_autograd_grad(outs, Int64(outs.count), nil, ins, Int64(ins.count), retainGraph ?? createGraph,
                                          createGraph, allowUnused, &results)
        }
        if status != 0 { throw TensorError.last(status, "gradients(of:withRespectTo:)") }
        return results.map { $0.map { Tensor(handle: $0) } }
    }

    // MARK: In-place updates (optimizers, initialisers, running statistics)

    /// `self += alpha * other`.
    public func addInPlace(_ other: Tensor, alpha: Double = 1) throws(TensorError) {
        try torchCall(#function) { ctorch_add_(handle, other.handle, alpha) }
    }
    /// `self -= alpha * other`.
    public func subInPlace(_ other: Tensor, alpha: Double = 1) throws(TensorError) {
        try torchCall(#function) { ctorch_sub_(handle, other.handle, alpha) }
    }
    public func mulInPlace(_ other: Tensor) throws(TensorError) { try torchCall(#function) { ctorch_mul_(handle, other.handle) } }
    public func divInPlace(_ other: Tensor) throws(TensorError) { try torchCall(#function) { ctorch_div_(handle, other.handle) } }
    public func addInPlace(_ value: Double) throws(TensorError) { try torchCall(#function) { ctorch_add_scalar_(handle, value) } }
    public func mulInPlace(_ value: Double) throws(TensorError) { try torchCall(#function) { ctorch_mul_scalar_(handle, value) } }
    public func divInPlace(_ value: Double) throws(TensorError) { try torchCall(#function) { ctorch_div_scalar_(handle, value) } }
    /// `self += value * tensor1 * tensor2`.
    public func addcmulInPlace(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) throws(TensorError) {
        try torchCall(#function) { ctorch_addcmul_(handle, tensor1.handle, tensor2.handle, value) }
    }
    /// `self += value * tensor1 / tensor2`.
    public func addcdivInPlace(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) throws(TensorError) {
        try torchCall(#function) { ctorch_addcdiv_(handle, tensor1.handle, tensor2.handle, value) }
    }
    /// `self += weight * (end - self)`.
    public func lerpInPlace(_ end: Tensor, weight: Double) throws(TensorError) {
        try torchCall(#function) { ctorch_lerp_(handle, end.handle, weight) }
    }
    public func clampInPlace(min: Double? = nil, max: Double? = nil) throws(TensorError) {
        try torchCall(#function) { ctorch_clamp_(handle, min ?? 0, min != nil, max ?? 0, max != nil) }
    }
    /// Copies `source`'s elements (broadcast and converted) into this tensor.
    public func copy(from source: Tensor) throws(TensorError) {
        try torchCall(#function) { ctorch_copy_(handle, source.handle) }
    }
    public func zero() throws(TensorError) { try torchCall(#function) { ctorch_zero_(handle) } }
    public func fill(_ value: Double) throws(TensorError) { try torchCall(#function) { ctorch_fill_(handle, value) } }
    /// Overwrites the elements with normal random values.
    public func normalInPlace(mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws(TensorError) {
        try torchCall(#function) { ctorch_normal_(handle, mean, std, generator?.handle) }
    }
    /// Overwrites the elements with uniform random values in `low..<high`.
    public func uniformInPlace(_ low: Double, _ high: Double, generator: Generator? = nil) throws(TensorError) {
        try torchCall(#function) { ctorch_uniform_(handle, low, high, generator?.handle) }
    }

    /// Replaces this tensor's data (and so possibly its dtype, shape or device) while keeping its identity:
    /// every holder of this `Tensor`, including optimizers, sees the new data. Used to convert a model's parameters.
    public func setData(_ data: Tensor) throws(TensorError) {
        try torchCall(#function) { ctorch_set_data(handle, data.handle) }
    }

    /// Multiplies every tensor by `value` in place, in one libtorch call.
    public static func mulInPlace(_ tensors: [Tensor], _ value: Double) throws(TensorError) {
        let handles = tensors.map { Optional($0.handle) }
        try torchCall(#function) { ctorch_foreach_mul_scalar_(handles, Int64(handles.count), value) }
    }

    /// The `p`-norm of each tensor, in one libtorch call.
    public static func norms(_ tensors: [Tensor], p: Double = 2) throws(TensorError) -> [Tensor] {
        let handles = tensors.map { Optional($0.handle) }
        return try makeList(#function) { ctorch_foreach_norm(handles, Int64(handles.count), p, $0, $1) }
    }
}

/// `true` when this thread records operations for autograd.
public var isGradEnabled: Bool { ctorch_is_grad_enabled() }

/// Runs `body` with gradient recording on or off on this thread, then restores the previous state.
public func withGradEnabled<R, E: Error>(_ enabled: Bool, _ body: () throws(E) -> R) throws(E) -> R {
    var previous = true
    _ = ctorch_set_grad_enabled(enabled, &previous)
    defer { _ = ctorch_set_grad_enabled(previous, nil) }
    return try body()
}

/// Runs `body` without recording operations for autograd (evaluation, weight updates).
public func withNoGrad<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    try withGradEnabled(false, body)
}
