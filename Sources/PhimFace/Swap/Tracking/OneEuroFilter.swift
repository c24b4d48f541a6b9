import Foundation
import PhimCore

/// Casiez, Roussel and Vogel's 1€ filter: a low-pass filter whose cutoff rises with speed, so a still face is held
/// steady (low cutoff, jitter removed) and a moving one is followed without lag (high cutoff).
public struct OneEuroFilter: Sendable {
    /// The cutoff at rest, in Hz.
    public var minCutoff: Double
    /// How fast the cutoff rises with speed (per unit of the value per second).
    public var beta: Double
    /// The cutoff of the speed estimate, in Hz.
    public var derivativeCutoff: Double
    private var last: (value: Double, speed: Double, time: Double)?

    public init(minCutoff: Double = 1.0, beta: Double = 0.5, derivativeCutoff: Double = 1.0) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    /// The filtered value of a sample taken at `time` seconds.
    public mutating func filter(_ value: Double, at time: Double) -> Double {
        guard let previous = last, time > previous.time else {
            last = (value, 0, time)
            return value
        }
        let step = time - previous.time
        func smoothing(_ cutoff: Double) -> Double {
            let tau = 1 / (2 * Double.pi * cutoff)
            return 1 / (1 + tau / step)
        }
        let rawSpeed = (value - previous.value) / step
        let speed = previous.speed + smoothing(derivativeCutoff) * (rawSpeed - previous.speed)
        let cutoff = minCutoff + beta * abs(speed)
        let filtered = previous.value + smoothing(cutoff) * (value - previous.value)
        last = (filtered, speed, time)
        return filtered
    }
}

/// Smooths a face's landmarks over a run of frames: each coordinate goes through a 1€ filter forwards and then
/// backwards, which cancels the filter's lag (zero phase). Coordinates are measured in interocular distances so that
/// the same settings suit a face of any size.
public struct LandmarkSmoother: Sendable {
    public var minCutoff: Double
    public var beta: Double

    public init(minCutoff: Double = 1.5, beta: Double = 0.4) {
        self.minCutoff = minCutoff
        self.beta = beta
    }

    /// The smoothed landmarks of consecutive frames `rate` a second apart.
    public func smooth(_ run: [FaceLandmarks], rate: Double) -> [FaceLandmarks] {
        guard run.count >= 3 else { return run }
        let scale = max(run.map(\.interocularDistance).sorted()[run.count / 2], 1)
        var out = run
        for point in 0..<FaceLandmarks.count {
            for axis in 0..<2 {
                var values = run.map { (axis == 0 ? $0.points[point].x : $0.points[point].y) / scale }
                for pass in 0..<2 {
                    var filter = OneEuroFilter(minCutoff: minCutoff, beta: beta)
                    let order = pass == 0 ? Array(values.indices) : values.indices.reversed()
                    for (step, index) in order.enumerated() { values[index] = filter.filter(values[index], at: Double(step) / rate) }
                }
                for index in run.indices {
                    if axis == 0 { out[index].points[point].x = values[index] * scale } else { out[index].points[point].y = values[index] * scale }
                }
            }
        }
        return out
    }
}
