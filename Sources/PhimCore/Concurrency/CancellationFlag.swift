import Foundation

/// A flag long-running work checks between steps, set from another thread (a signal handler's queue, a server
/// request) to stop it cleanly: outputs are discarded, scratch files removed.
///
/// `@unchecked Sendable`: the flag is guarded by a lock.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Throws `PhimError` `.cancelled` once the flag is set.
    public func check() throws(PhimError) {
        if isCancelled { throw PhimError(.cancelled, "cancelled") }
    }
}
