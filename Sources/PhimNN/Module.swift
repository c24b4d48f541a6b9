import PhimTensor

/// Marks a module's tensor as a buffer: state that is saved and loaded with the module but not trained
/// (batch-norm running statistics, power-iteration vectors).
@propertyWrapper
public struct Buffer {
    public var wrappedValue: Tensor
    public init(wrappedValue: Tensor) {
        self.wrappedValue = wrappedValue
    }
}

/// A layer or model: a class whose stored `Tensor` properties are its parameters, `@Buffer` tensors its
/// buffers, and `Module` properties (alone, optional or in arrays) its children.
///
/// Parameters are found by reflection and named by their path, PyTorch-style: `encoder.layers.0.weight`.
/// Subclasses declare tensors and layers as stored properties and implement `callAsFunction`.
///
/// Modules are not `Sendable` (they hold tensors); train one on one thread at a time.
open class Module {
    /// `true` in training mode (dropout active, batch statistics used and updated).
    public private(set) var isTraining = true

    /// Names of tensor properties that are computed from other parameters (see ``SpectralNorm``), and so
    /// are neither parameters nor saved.
    public var computedTensorNames: Set<String> = []

    public init() {}

    /// The direct children and own tensors, in declaration order.
    func reflectedMembers() -> [(name: String, member: Member)] {
        var chains: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror, current.subjectType != Module.self {
            chains.append(current)
            mirror = current.superclassMirror
        }
        var members: [(String, Member)] = []
        for current in chains.reversed() {
            for child in current.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                if let tensor = child.value as? Tensor {
                    if !computedTensorNames.contains(label) { members.append((label, .parameter(tensor))) }
                } else if let buffer = child.value as? Buffer {
                    members.append((label, .buffer(buffer.wrappedValue)))
                } else if let module = child.value as? Module {
                    members.append((label, .child(module)))
                } else if let modules = child.value as? [Module] {
                    for (i, module) in modules.enumerated() { members.append(("\(label).\(i)", .child(module))) }
                } else if let tensors = child.value as? [Tensor] {
                    for (i, tensor) in tensors.enumerated() { members.append(("\(label).\(i)", .parameter(tensor))) }
                } else if let values = child.value as? [Any] {
                    for (i, value) in values.enumerated() {
                        if let module = value as? Module { members.append(("\(label).\(i)", .child(module))) }
                    }
                }
            }
        }
        return members
    }

    enum Member {
        case parameter(Tensor)
        case buffer(Tensor)
        case child(Module)
    }

    /// The direct child modules with their names. Override to name children differently (``Sequential`` does).
    open func namedChildren() -> [(String, Module)] {
        reflectedMembers().compactMap { if case .child(let m) = $0.member { ($0.name, m) } else { nil } }
    }

    /// This module's own parameters (not its children's).
    open func ownParameters() -> [(String, Tensor)] {
        reflectedMembers().compactMap { if case .parameter(let t) = $0.member { ($0.name, t) } else { nil } }
    }

    /// This module's own buffers (not its children's).
    open func ownBuffers() -> [(String, Tensor)] {
        reflectedMembers().compactMap { if case .buffer(let t) = $0.member { ($0.name, t) } else { nil } }
    }

    /// Every parameter of this module and its descendants, named by path.
    public func namedParameters() -> [(String, Tensor)] {
        collect(prefix: "") { $0.ownParameters() }
    }

    /// Every buffer of this module and its descendants, named by path.
    public func namedBuffers() -> [(String, Tensor)] {
        collect(prefix: "") { $0.ownBuffers() }
    }

    /// Every parameter, in the order of ``namedParameters()``.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Parameters and buffers: everything a checkpoint saves, named by path.
    public func stateDict() -> [(String, Tensor)] { namedParameters() + namedBuffers() }

    /// The total number of parameter elements.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    private func collect(prefix: String, _ own: (Module) -> [(String, Tensor)]) -> [(String, Tensor)] {
        var result = own(self).map { (prefix + $0.0, $0.1) }
        for (name, child) in namedChildren() {
            result += child.collect(prefix: prefix + name + ".", own)
        }
        return result
    }

    /// Every module in the tree, this one first.
    public func modules() -> [Module] {
        [self] + namedChildren().flatMap { $0.1.modules() }
    }

    /// Switches this module and its descendants to training (`true`) or evaluation mode.
    public func train(_ training: Bool = true) {
        for module in modules() { module.isTraining = training }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Removes the gradients of all parameters.
    public func zeroGrad() throws(TensorError) {
        for p in parameters() { try p.setGrad(nil) }
    }

    /// Converts every parameter and buffer to `dtype` in place (the tensors keep their identity).
    public func convert(to dtype: DType) throws(TensorError) {
        try withNoGrad { () throws(TensorError) in
            for (_, tensor) in stateDict() where tensor.dtype != dtype {
                try tensor.setData(tensor.detach().to(dtype))
            }
        }
    }

    /// Moves every parameter and buffer to `device` in place (the tensors keep their identity).
    public func move(to device: Device) throws(TensorError) {
        try withNoGrad { () throws(TensorError) in
            for (_, tensor) in stateDict() where tensor.device != device {
                try tensor.setData(tensor.detach().to(device))
            }
        }
    }

    /// Copies values into the parameters and buffers of the same names, in place (so optimizers holding
    /// the parameters keep working).
    /// - Parameter strict: fail when a name is missing on either side.
    /// - Throws: `TensorError` on a missing name (when strict) or a shape mismatch.
    public func load(stateDict values: [String: Tensor], strict: Bool = true) throws(TensorError) {
        let own = stateDict()
        if strict {
            let names = Set(own.map(\.0))
            if let extra = values.keys.sorted().first(where: { !names.contains($0) }) {
                throw TensorError(.invalidArgument, "the state has '\(extra)', which the module does not")
            }
        }
        try withNoGrad { () throws(TensorError) in
            for (name, tensor) in own {
                guard let value = values[name] else {
                    if strict { throw TensorError(.invalidArgument, "the state lacks '\(name)'") }
                    continue
                }
                guard value.shape == tensor.shape else {
                    throw TensorError(.invalidArgument, "'\(name)' has shape \(value.shape) in the state, \(tensor.shape) in the module")
                }
                try tensor.copy(from: value)
            }
        }
    }
}

/// A module that maps one tensor to one tensor; such layers compose in a ``Sequential``.
public protocol UnaryLayer: Module {
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// A layer with a `weight` that wrappers such as ``SpectralNorm`` may replace.
public protocol WeightedLayer: UnaryLayer {
    var weight: Tensor { get set }
    /// The dimension of `weight` that indexes output features (0 for convolutions, 1 for transposed ones).
    var outputFeatureDimension: Int { get }
}

extension WeightedLayer {
    public var outputFeatureDimension: Int { 0 }
}

/// Layers applied one after another.
public final class Sequential: Module, UnaryLayer {
    public let layers: [any UnaryLayer]

    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
    }

    public convenience init(_ layers: any UnaryLayer...) {
        self.init(layers)
    }

    /// Children are named by position, as in PyTorch: `0.weight`, `1.running_mean`.
    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        for layer in layers { x = try layer(x) }
        return x
    }
}
