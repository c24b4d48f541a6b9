import Dispatch
import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a call, so long commands stop cleanly (no half-written output,
/// scratch files removed) instead of dying mid-write. A second signal exits at once.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ onInterrupt: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            nonisolated(unsafe) var count = 0
            source.setEventHandler {
                count += 1
                if count > 1 { exit(130) }
                FileHandle.standardError.write(Data("\nphim: stopping…\n".utf8))
                onInterrupt()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func stop() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
