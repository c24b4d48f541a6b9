import Foundation
import PhimTensor

/// Updates parameters from their gradients.
///
/// Optimizers hold their parameters by name (``Module/namedParameters()``) so that their state can be
/// saved in a checkpoint under those names and restored into a new model.
public protocol Optimizer: AnyObject {
    /// The step size, changed by learning-rate schedules between steps.
    var learningRate: Double { get set }
    /// The number of ``step()`` calls so far.
    var stepCount: Int { get }
    /// Applies one update from the parameters' current gradients (parameters without one are skipped).
    func step() throws(TensorError)
    /// Removes the parameters' gradients.
    func zeroGrad() throws(TensorError)
    /// The optimizer's per-parameter tensors (`exp_avg.<parameter>`), and scalars as text.
    func state() throws(TensorError) -> (tensors: [(String, Tensor)], scalars: [String: String])
    /// Restores what ``state()`` returned.
    func load(tensors: [String: Tensor], scalars: [String: String]) throws(TensorError)
}

/// The bookkeeping every optimizer shares: its parameters and named state tensors.
open class OptimizerBase {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Double
    public internal(set) var stepCount = 0
    /// Per-parameter state tensors, by state name then parameter index (created lazily on the first step).
    var slots: [String: [Tensor?]] = [:]

    init(parameters: [(String, Tensor)], learningRate: Double) {
        self.parameters = parameters.map { (name: $0.0, tensor: $0.1) }
        self.learningRate = learningRate
    }

    public func zeroGrad() throws(TensorError) {
        for p in parameters { try p.tensor.setGrad(nil) }
    }

    /// The state tensor `name` of parameter `index`, created as zeros like the parameter.
    func slot(_ name: String, _ index: Int) throws(TensorError) -> Tensor {
        if slots[name] == nil { slots[name] = Array(repeating: nil, count: parameters.count) }
        if let existing = slots[name]![index] { return existing }
        let created = try withNoGrad { () throws(TensorError) -> Tensor in try parameters[index].tensor.detach().zerosLike() }
        slots[name]![index] = created
        return created
    }

    public func state() throws(TensorError) -> (tensors: [(String, Tensor)], scalars: [String: String]) {
        var tensors: [(String, Tensor)] = []
        for name in slots.keys.sorted() {
            for (i, value) in slots[name]!.enumerated() {
                if let value { tensors.append(("\(name).\(parameters[i].name)", value)) }
            }
        }
        return (tensors, ["step": String(stepCount), "learning_rate": String(learningRate)])
    }

    public func load(tensors: [String: Tensor], scalars: [String: String]) throws(TensorError) {
        guard let step = scalars["step"].flatMap(Int.init), let rate = scalars["learning_rate"].flatMap(Double.init) else {
            throw TensorError(.invalidArgument, "the optimizer state lacks its step or learning rate")
        }
        stepCount = step
        learningRate = rate
        slots = [:]
        let index = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($0.element.name, $0.offset) })
        for (key, value) in tensors {
            guard let dot = key.firstIndex(of: ".") else { continue }
            let slotName = String(key[..<dot])
            let parameterName = String(key[key.index(after: dot)...])
            guard let i = index[parameterName] else {
                throw TensorError(.invalidArgument, "the optimizer state names '\(parameterName)', which is not a parameter")
            }
            guard value.shape == parameters[i].tensor.shape else {
                throw TensorError(.invalidArgument, "optimizer state '\(key)' has shape \(value.shape), the parameter \(parameters[i].tensor.shape)")
            }
            if slots[slotName] == nil { slots[slotName] = Array(repeating: nil, count: parameters.count) }
            slots[slotName]![i] = try withNoGrad { () throws(TensorError) -> Tensor in try value.detach().clone() }
        }
    }
}

/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay.
public final class SGD: OptimizerBase, Optimizer {
    public var momentum: Double
    public var dampening: Double
    public var weightDecay: Double
    public var nesterov: Bool

    public init(_ parameters: [(String, Tensor)], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public func step() throws(TensorError) {
        try withNoGrad { () throws(TensorError) in
            for (i, p) in parameters.enumerated() {
                guard var g = p.tensor.grad else { continue }
                if weightDecay != 0 { g = try g.add(p.tensor, alpha: weightDecay) }
                if momentum != 0 {
                    let firstStep = slots["momentum_buffer"]?[i] == nil
                    let buffer = try slot("momentum_buffer", i)
                    if firstStep {
                        try buffer.copy(from: g)
                    } else {
                        try buffer.mulInPlace(momentum)
                        try buffer.addInPlace(g, alpha: 1 - dampening)
                    }
                    g = nesterov ? try g.add(buffer, alpha: momentum) : buffer
                }
                try p.tensor.addInPlace(g, alpha: -learningRate)
            }
        }
        stepCount += 1
    }
}

/// Adam (Kingma & Ba) with L2 weight decay, or AdamW's decoupled weight decay (Loshchilov & Hutter).
public class Adam: OptimizerBase, Optimizer {
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    let decoupledWeightDecay: Bool

    public init(_ parameters: [(String, Tensor)], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        decoupledWeightDecay = false
        super.init(parameters: parameters, learningRate: learningRate)
    }

    init(parameters: [(String, Tensor)], learningRate: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        decoupledWeightDecay = decoupled
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public func step() throws(TensorError) {
        let t = Double(stepCount + 1)
        let bias1 = 1 - pow(beta1, t)
        let bias2 = 1 - pow(beta2, t)
        let stepSize = learningRate / bias1
        let bias2Root = bias2.squareRoot()
        try withNoGrad { () throws(TensorError) in
            for (i, p) in parameters.enumerated() {
                guard var g = p.tensor.grad else { continue }
                if weightDecay != 0 {
                    if decoupledWeightDecay {
                        try p.tensor.mulInPlace(1 - learningRate * weightDecay)
                    } else {
                        g = try g.add(p.tensor, alpha: weightDecay)
                    }
                }
                let m = try slot("exp_avg", i)
                let v = try slot("exp_avg_sq", i)
                try m.lerpInPlace(g, weight: 1 - beta1)
                try v.mulInPlace(beta2)
                try v.addcmulInPlace(g, g, value: 1 - beta2)
                let denominator = try v.sqrt()
                try denominator.divInPlace(bias2Root)
                try denominator.addInPlace(eps)
                try p.tensor.addcdivInPlace(m, denominator, value: -stepSize)
            }
        }
        stepCount += 1
    }
}

/// Adam with decoupled weight decay.
public final class AdamW: Adam {
    public override init(_ parameters: [(String, Tensor)], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                   weightDecay: weightDecay, decoupled: true)
    }
}
