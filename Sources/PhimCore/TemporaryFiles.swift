import Foundation

/// The temporary files and folders Phim has made and not yet moved into place or removed, so that a command stopped by
/// a signal (a second Ctrl-C, SIGTERM, SIGHUP) can remove them before it exits.
///
/// ``OutputFile`` registers its `.part` file; other scratch files and folders register themselves. `@unchecked Sendable`:
/// the set is guarded by a lock.
public final class TemporaryFiles: @unchecked Sendable {
    /// The process's registry.
    public static let shared = TemporaryFiles()

    private let lock = NSLock()
    private var paths: [UInt64: String] = [:]
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var next: UInt64 = 0

    /// A registration; pass it to ``remove(_:)`` when the file has been moved into place or removed.
    public struct Token: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    /// Records `url` (a file or a folder) as temporary.
    public func add(_ url: URL) -> Token {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        paths[next] = url.path
        return Token(id: next)
    }

    /// Records a clean-up to run if the process is stopped by a signal (putting back a folder moved aside).
    public func add(cleanup: @escaping @Sendable () -> Void) -> Token {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        actions[next] = cleanup
        return Token(id: next)
    }

    /// Forgets a registration (the file was renamed into place or removed).
    public func remove(_ token: Token) {
        lock.lock()
        defer { lock.unlock() }
        paths[token.id] = nil
        actions[token.id] = nil
    }

    /// The paths registered now.
    public var registered: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(paths.values)
    }

    /// Removes every registered file and folder, then runs the registered clean-ups, newest first. For a process
    /// about to exit on a signal.
    public func removeAll() {
        lock.lock()
        let all = Array(paths.values)
        let cleanups = actions.sorted { $0.key > $1.key }.map(\.value)
        paths = [:]
        actions = [:]
        lock.unlock()
        for path in all { try? FileManager.default.removeItem(atPath: path) }
        for cleanup in cleanups { cleanup() }
    }
}
