import Foundation
import PhimCore

/// Progress on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every 10 % otherwise
/// (logs and CI stay readable).
///
/// `@unchecked Sendable`: updates arrive from worker threads and are serialised by `lock`.
final class ProgressBar: @unchecked Sendable {
    let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var lastDecile = -1
    private var drewBar = false

    init(label: String) { self.label = label }

    var update: ProgressHandler {
        { [self] progress in self.draw(progress) }
    }

    private func draw(_ progress: ProgressUpdate) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = progress.fraction ?? 0
        if isTerminal {
            let now = MonotonicClock.now()
            guard now - lastDraw > 0.1 || fraction >= 1 else { return }
            lastDraw = now
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let eta = progress.estimatedRemaining.map { " ETA \(Self.clock($0))" } ?? ""
            let line = String(format: "\r%@ %@ %3d%% %d/%d %.1f fps%@ ", label, bar, Int(fraction * 100), progress.completed,
                              progress.total ?? 0, progress.rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
            drewBar = true
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            let eta = progress.estimatedRemaining.map { ", ETA \(Self.clock($0))" } ?? ""
            FileHandle.standardError.write(Data(String(
                format: "%@: %d%% (%d/%d frames, %.1f fps%@)\n", label, decile * 10, progress.completed, progress.total ?? 0,
                progress.rate, eta).utf8))
        }
    }

    /// Ends the bar's line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
