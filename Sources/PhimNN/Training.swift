import Foundation
import PhimTensor

/// Scales all gradients down so that their combined L2 norm is at most `maxNorm`.
/// - Returns: the combined norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws(TensorError) -> Double {
    let grads = parameters.compactMap(\.grad)
    guard !grads.isEmpty else { return 0 }
    let total = try withNoGrad { () throws(TensorError) -> Double in
        try Tensor.stack(Tensor.norms(grads)).norm().item()
    }
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 { try withNoGrad { () throws(TensorError) in try Tensor.mulInPlace(grads, coefficient) } }
    return total
}

/// Limits every gradient element to `-limit...limit`.
public func clipGradientValue(_ parameters: [Tensor], limit: Double) throws(TensorError) {
    try withNoGrad { () throws(TensorError) in
        for g in parameters.compactMap(\.grad) { try g.clampInPlace(min: -limit, max: limit) }
    }
}

/// A learning rate as a function of the step.
public protocol LearningRateSchedule: Sendable {
    func learningRate(atStep step: Int) -> Double
}

extension LearningRateSchedule {
    /// Sets `optimizer`'s learning rate for the step it is about to take.
    public func apply(to optimizer: any Optimizer) {
        optimizer.learningRate = learningRate(atStep: optimizer.stepCount)
    }
}

/// The base rate multiplied by `gamma` every `stepSize` steps.
public struct StepDecay: LearningRateSchedule {
    public var base: Double, stepSize: Int, gamma: Double
    public init(base: Double, stepSize: Int, gamma: Double = 0.1) {
        self.base = base; self.stepSize = stepSize; self.gamma = gamma
    }
    public func learningRate(atStep step: Int) -> Double { base * pow(gamma, Double(step / Swift.max(1, stepSize))) }
}

/// The base rate multiplied by `gamma` every step.
public struct ExponentialDecay: LearningRateSchedule {
    public var base: Double, gamma: Double
    public init(base: Double, gamma: Double) { self.base = base; self.gamma = gamma }
    public func learningRate(atStep step: Int) -> Double { base * pow(gamma, Double(step)) }
}

/// Half a cosine from the base rate down to `minimum` over `steps` steps, then `minimum`.
public struct CosineAnnealing: LearningRateSchedule {
    public var base: Double, minimum: Double, steps: Int
    public init(base: Double, minimum: Double = 0, steps: Int) { self.base = base; self.minimum = minimum; self.steps = steps }
    public func learningRate(atStep step: Int) -> Double {
        guard step < steps else { return minimum }
        return minimum + (base - minimum) * (1 + cos(Double.pi * Double(step) / Double(steps))) / 2
    }
}

/// A linear ramp from zero over `warmupSteps`, then `schedule` (counted from the end of the warm-up).
public struct LinearWarmup<Schedule: LearningRateSchedule>: LearningRateSchedule {
    public var warmupSteps: Int, schedule: Schedule
    public init(warmupSteps: Int, then schedule: Schedule) { self.warmupSteps = warmupSteps; self.schedule = schedule }
    public func learningRate(atStep step: Int) -> Double {
        if step < warmupSteps { return schedule.learningRate(atStep: 0) * Double(step + 1) / Double(warmupSteps) }
        return schedule.learningRate(atStep: step - warmupSteps)
    }
}

/// An exponential moving average of a model's parameters (and a copy of its buffers), the usual way to
/// get a smoother generator for sampling.
///
/// After each optimizer step call ``update()``; ``copy(to:)`` loads the averages into a model of the same
/// architecture. The averages are ordinary tensors, so ``stateDict()`` can go into a checkpoint.
public final class ExponentialMovingAverage {
    public let decay: Double
    public private(set) var updates = 0
    let source: Module
    let shadow: [(name: String, tensor: Tensor, isParameter: Bool)]

    public init(of model: Module, decay: Double = 0.999) throws(TensorError) {
        self.decay = decay
        source = model
        var copies: [(name: String, tensor: Tensor, isParameter: Bool)] = []
        try withNoGrad { () throws(TensorError) in
            for (name, p) in model.namedParameters() { copies.append((name, try p.detach().clone(), true)) }
            for (name, b) in model.namedBuffers() { copies.append((name, try b.detach().clone(), false)) }
        }
        shadow = copies
    }

    /// Moves each average towards the model's current value: `avg += (1 - decay) * (value - avg)`, with `decay`
    /// given for this update (a warm-up that lets the average leave the initial weights sooner) or ``decay``.
    public func update(decay stepDecay: Double? = nil) throws(TensorError) {
        let decay = stepDecay ?? self.decay
        let current = Dictionary(uniqueKeysWithValues: source.stateDict())
        try withNoGrad { () throws(TensorError) in
            for entry in shadow {
                guard let value = current[entry.name] else { continue }
                if entry.isParameter {
                    try entry.tensor.lerpInPlace(value, weight: 1 - decay)
                } else {
                    try entry.tensor.copy(from: value)
                }
            }
        }
        updates += 1
    }

    /// The averaged parameters and copied buffers, named as in the model.
    public func stateDict() -> [(String, Tensor)] { shadow.map { ($0.name, $0.tensor) } }

    /// Loads the averages into `model` (a model of the same architecture; may be the source itself).
    public func copy(to model: Module) throws(TensorError) {
        try model.load(stateDict: Dictionary(uniqueKeysWithValues: stateDict()))
    }

    /// Restores averages saved from ``stateDict()``.
    public func load(_ values: [String: Tensor]) throws(TensorError) {
        try withNoGrad { () throws(TensorError) in
            for entry in shadow {
                guard let value = values[entry.name] else {
                    throw TensorError(.invalidArgument, "the EMA state lacks '\(entry.name)'")
                }
                try entry.tensor.copy(from: value)
            }
        }
    }
}
