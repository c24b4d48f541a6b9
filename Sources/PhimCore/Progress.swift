/// A report of how far a long job has come.
public struct ProgressUpdate: Sendable, Equatable {
    /// What is being done (`"render"`, `"mix audio"`).
    public var stage: String
    /// Units done so far (frames, samples, steps).
    public var completed: Int
    /// Units in all, when known.
    public var total: Int?
    /// Seconds since the stage began.
    public var elapsed: Double

    public init(stage: String, completed: Int, total: Int?, elapsed: Double) {
        self.stage = stage
        self.completed = completed
        self.total = total
        self.elapsed = elapsed
    }

    /// The fraction done, when the total is known.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(completed) / Double(total))
    }

    /// Units per second so far.
    public var rate: Double { elapsed > 0 ? Double(completed) / elapsed : 0 }

    /// Seconds left at the rate so far, when the total is known.
    public var estimatedRemaining: Double? {
        guard let total, completed > 0, elapsed > 0 else { return nil }
        return Double(max(0, total - completed)) / rate
    }
}

/// Receives progress reports. Called from worker threads, so implementations must be thread-safe.
public typealias ProgressHandler = @Sendable (ProgressUpdate) -> Void

/// Monotonic seconds, for timing stages.
public enum MonotonicClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
