import Foundation
import PhimCore

/// Logistic regression on standardised features, with a temperature fitted afterwards on held-out data so that its
/// probabilities mean what they say (Guo et al. 2017). The baseline detector's model; small enough to train in plain
/// Swift in a second.
public struct LinearDetector: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var scale: [Float]
    public var weights: [Float]
    public var bias: Float
    /// Logits are divided by it before the sigmoid (1: as trained).
    public var temperature: Float = 1

    /// The raw logit (before the temperature) of one feature vector: above 0 leans generated.
    public func logit(_ features: [Float]) -> Float {
        var sum = bias
        for k in weights.indices { sum += weights[k] * (features[k] - mean[k]) / scale[k] }
        return sum
    }

    /// The calibrated probability that `logit` comes from a generated or altered picture.
    public func probability(logit: Float) -> Double { 1 / (1 + exp(-Double(logit / temperature))) }

    /// Fits weights by full-batch gradient descent (Adam steps) on the mean log loss plus `l2`·‖w‖², each class
    /// weighted to count equally.
    /// - Precondition: both labels occur, all vectors have the same length.
    public static func train(_ features: [[Float]], labels: [Bool], l2: Float = 1e-3, steps: Int = 1_500) -> LinearDetector {
        let n = features.count, d = features.first?.count ?? 0
        var mean = [Float](repeating: 0, count: d), scale = [Float](repeating: 0, count: d)
        for x in features { for k in 0..<d { mean[k] += x[k] / Float(n) } }
        for x in features { for k in 0..<d { scale[k] += (x[k] - mean[k]) * (x[k] - mean[k]) / Float(n) } }
        scale = scale.map { max($0.squareRoot(), 1e-6) }
        let z = features.map { x in (0..<d).map { (x[$0] - mean[$0]) / scale[$0] } }
        let positives = labels.filter { $0 }.count
        let weightOf: [Float] = labels.map { $0 ? Float(n) / Float(2 * max(positives, 1)) : Float(n) / Float(2 * max(n - positives, 1)) }
        var w = [Float](repeating: 0, count: d), b: Float = 0
        var m = [Float](repeating: 0, count: d + 1), v = [Float](repeating: 0, count: d + 1)
        let rate: Float = 0.05, beta1: Float = 0.9, beta2: Float = 0.999
        for step in 1...max(1, steps) {
            var gradient = [Float](repeating: 0, count: d + 1)
            for i in 0..<n {
                var s = b
                for k in 0..<d { s += w[k] * z[i][k] }
                let error = (1 / (1 + exp(-s)) - (labels[i] ? 1 : 0)) * weightOf[i] / Float(n)
                for k in 0..<d { gradient[k] += error * z[i][k] }
                gradient[d] += error
            }
            for k in 0..<d { gradient[k] += 2 * l2 * w[k] }
            let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
            for k in 0...d {
                m[k] = beta1 * m[k] + (1 - beta1) * gradient[k]
                v[k] = beta2 * v[k] + (1 - beta2) * gradient[k] * gradient[k]
                let delta = rate * (m[k] / c1) / ((v[k] / c2).squareRoot() + 1e-8)
                if k < d { w[k] -= delta } else { b -= delta }
            }
        }
        return LinearDetector(mean: mean, scale: scale, weights: w, bias: b)
    }

    /// The temperature that minimises the log loss of `logits` against `labels` (golden-section search over
    /// 0.05…20), as the detector's own.
    public mutating func calibrate(logits: [Float], labels: [Bool]) {
        func loss(_ t: Double) -> Double {
            var total = 0.0
            for (logit, label) in zip(logits, labels) {
                let s = Double(logit) / t
                // log(1 + e^-s) for a positive, log(1 + e^s) for a negative, computed stably.
                let signed = label ? -s : s
                total += max(signed, 0) + log1p(exp(-abs(signed)))
            }
            return total / Double(max(logits.count, 1))
        }
        var low = log(0.05), high = log(20.0)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<60 {
            let a = high - ratio * (high - low), b = low + ratio * (high - low)
            if loss(exp(a)) < loss(exp(b)) { high = b } else { low = a }
        }
        temperature = Float(exp((low + high) / 2))
    }
}
