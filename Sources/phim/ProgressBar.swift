import Foundation
import PhimCore

/// What `phim` writes to stderr, so that a failed command's error is always its last line and the only line that is not
/// progress or a warning.
///
/// On a terminal, progress is one status line redrawn in place (`\r`) and erased before anything else is written.
/// Elsewhere (logs, CI, pipes) each progress line starts with `progress: `, warnings with `warning: ` and the error with
/// `phim: `, so scripts can tell them apart. `@unchecked Sendable`: every write is serialised by `lock`.
final class Console: @unchecked Sendable {
    static let shared = Console()

    let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var statusShown = false

    /// Progress: redrawn in place on a terminal, a `progress: ` line elsewhere.
    func progress(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            write("\r\u{1B}[K" + line)
            statusShown = true
        } else {
            write("progress: " + line + "\n")
        }
    }

    /// A line that stays: the summary of what was written, timings.
    func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        clearStatus()
        write(text + "\n")
    }

    /// A warning (`warning: …`), one line.
    func warning(_ text: String) {
        let body = text.hasPrefix("warning: ") ? String(text.dropFirst("warning: ".count)) : text
        line("warning: " + body.singleLine(limit: 400))
    }

    /// The error that ends the command, one line (`phim: …`).
    func error(_ text: String) {
        line("phim: " + text.singleLine(limit: 400))
    }

    /// Erases the status line (a progress bar whose work is done and need not stay).
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        clearStatus()
    }

    /// Keeps the last status line on screen (a finished progress bar) by ending it.
    func keepStatus() {
        lock.lock()
        defer { lock.unlock() }
        if statusShown { write("\n") }
        statusShown = false
    }

    private func clearStatus() {
        if statusShown { write("\r\u{1B}[K") }
        statusShown = false
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

/// Progress of a render: a bar with rate and ETA redrawn on a terminal, a `progress:` line every 10 % otherwise.
///
/// `@unchecked Sendable`: updates arrive from worker threads and are serialised by `lock`.
final class ProgressBar: @unchecked Sendable {
    let label: String
    /// What is counted (`frames`, `clips`, `steps`) and its rate's unit (`fps`, `clips/s`, `it/s`).
    let unit: String
    let rateUnit: String
    private let console = Console.shared
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var lastDecile = -1
    private var lastStage: String?

    init(label: String, unit: String = "frames", rateUnit: String = "fps") {
        self.label = label
        self.unit = unit
        self.rateUnit = rateUnit
    }

    var update: ProgressHandler {
        { [self] progress in self.draw(progress) }
    }

    private func draw(_ progress: ProgressUpdate) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = progress.fraction ?? 0
        // A new stage (a scan, then tracking, then cutting) starts its own count.
        if progress.stage != lastStage {
            if lastStage != nil { lastDecile = -1 }
            lastStage = progress.stage
        }
        let label = progress.stage.isEmpty || progress.stage == self.label ? self.label : "\(self.label) (\(progress.stage))"
        if console.isTerminal {
            let now = MonotonicClock.now()
            guard now - lastDraw > 0.1 || fraction >= 1 else { return }
            lastDraw = now
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let eta = progress.estimatedRemaining.map { " ETA \(Self.clock($0))" } ?? ""
            console.progress(String(format: "%@ %@ %3d%% %d/%d %.1f %@%@ ", label, bar, Int(fraction * 100), progress.completed,
                                    progress.total ?? 0, progress.rate, rateUnit, eta))
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            let eta = progress.estimatedRemaining.map { ", ETA \(Self.clock($0))" } ?? ""
            console.progress(String(format: "%@ %d%% (%d/%d %@, %.1f %@%@)", label, decile * 10, progress.completed,
                                    progress.total ?? 0, unit, progress.rate, rateUnit, eta))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
