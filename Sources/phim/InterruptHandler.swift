import Dispatch
import Foundation
import PhimCore

/// Turns Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed) into a call, so long commands stop cleanly (no
/// half-written output, scratch files removed) instead of dying mid-write. A second signal exits at once with status
/// 130, after removing every temporary file still registered in ``TemporaryFiles``.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    init(_ onInterrupt: @escaping @Sendable () -> Void) {
        // One count for all three signals: Ctrl-C followed by SIGTERM is a second signal too.
        let count = SignalCount()
        for signalNumber in Self.signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            // The handler holds its source (for `data`); ``stop()`` removes the handler, which breaks the cycle.
            source.setEventHandler {
                // Signals that arrive together are delivered as one event: `data` says how many there were.
                if count.add(max(1, Int(source.data))) > 1 {
                    TemporaryFiles.shared.removeAll()
                    // `_exit`, not `exit`: the work's own threads may be failing at this moment (their speech command
                    // was just killed) and calling `exit(1)`; two `exit` calls race, and the status could come out 1.
                    _exit(130)
                }
                Console.shared.progress("stopping…")
                onInterrupt()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops handling signals once the command's work is over. They stay ignored: the command only has to exit, and a
    /// Ctrl-C that lands between the output being committed and the exit must not turn a finished, complete video into
    /// a run killed by a signal (the fuzz harness caught one, 1 case in 10,000).
    func stop() {
        for source in sources {
            source.setEventHandler(handler: nil)
            source.cancel()
        }
        sources = []
        for signalNumber in Self.signals { signal(signalNumber, SIG_IGN) }
    }
}

/// How many signals have arrived. `@unchecked Sendable`: guarded by a lock.
private final class SignalCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func add(_ signals: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += signals
        return value
    }
}
