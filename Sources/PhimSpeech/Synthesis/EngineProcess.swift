import Foundation
import PhimCore

/// One run of a speech engine's program (Festival, a `--tts-command` shell): in a fresh temporary folder that is its
/// working directory and is removed afterwards, with its standard input, output and errors in files there, stopped
/// when it runs past a timeout. If phim is stopped by a signal meanwhile, the program's process group and the folder
/// go too.
///
/// Files rather than pipes: nothing can block on a full pipe, and a program that ignores its input cannot break one.
struct EngineProcess {
    /// What a finished run left.
    struct Output {
        /// Everything the program wrote to its standard output.
        var standardOutput: String
        /// The last non-empty line it wrote to its standard error, trimmed (empty when it wrote none).
        var lastErrorLine: String
    }

    /// The folder the program runs in; write its input files here before ``run(_:arguments:input:keepsOutput:timeout:)``.
    let folder: URL
    /// Builds the error for a failure, from a message that says what happened ("exited with status 3: …").
    let failure: (String) -> PhimError

    /// Makes a fresh temporary folder, runs `body` with a process that runs there, and removes the folder.
    /// - Parameters:
    ///   - prefix: the start of the folder's name (`phim-festival`).
    ///   - failure: turns a message into the error to throw, naming the engine.
    /// - Throws: what `body` throws; the error from `failure` when the folder cannot be made.
    static func withFolder<T>(prefix: String, failure: @escaping (String) -> PhimError,
                              _ body: (EngineProcess) throws(PhimError) -> T) throws(PhimError) -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UInt64.random(in: 0...UInt64.max))")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot prepare the command: \(error.localizedDescription)")
        }
        let registration = TemporaryFiles.shared.add(folder)
        defer {
            try? FileManager.default.removeItem(at: folder)
            TemporaryFiles.shared.remove(registration)
        }
        return try body(EngineProcess(folder: folder, failure: failure))
    }

    /// A file in ``folder``.
    func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Runs `executable` with `arguments` (passed as they are, never through a shell) and waits for it.
    /// - Parameters:
    ///   - input: written to the program's standard input.
    ///   - keepsOutput: whether to keep what it writes to standard output (otherwise it goes to `/dev/null`).
    ///   - timeout: seconds it may run; then its process group gets SIGTERM, and SIGKILL 2 s later.
    /// - Returns: its output, when it exited with status 0.
    /// - Throws: the error from ``failure`` when it cannot start, runs too long, is stopped by a signal or exits with
    ///   another status (the message then ends with its last line on standard error).
    func run(_ executable: URL, arguments: [String], input: String, keepsOutput: Bool = true,
             timeout: Double) throws(PhimError) -> Output {
        let inputFile = file("stdin.txt"), outputFile = file("stdout.txt"), errorFile = file("stderr.txt")
        let process = Process()
        do {
            try Data(input.utf8).write(to: inputFile)
            try Data().write(to: outputFile)
            try Data().write(to: errorFile)
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = folder
            process.standardInput = try FileHandle(forReadingFrom: inputFile)
            process.standardOutput = keepsOutput ? try FileHandle(forWritingTo: outputFile) : FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: errorFile)
        } catch {
            throw failure("cannot prepare the command: \(error.localizedDescription)")
        }
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch {
            throw failure("cannot run \(executable.path): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let folder = self.folder
        let cleanup = TemporaryFiles.shared.add {
            if getpgid(pid) == pid { kill(-pid, SIGKILL) } else { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(at: folder)
        }
        defer { TemporaryFiles.shared.remove(cleanup) }
        if finished.wait(timeout: .now() + max(0, timeout)) == .timedOut {
            // Stop the whole process group when the program leads one (Foundation starts it so on Linux): a shell may
            // wait for its running child before acting on the signal.
            if getpgid(pid) == pid { kill(-pid, SIGTERM) } else { process.terminate() }
            if finished.wait(timeout: .now() + 2) == .timedOut {
                if getpgid(pid) == pid { kill(-pid, SIGKILL) } else { kill(pid, SIGKILL) }
                finished.wait()
            }
            throw failure("did not finish within \(String(format: "%g", timeout)) s")
        }
        let lastError = (try? String(contentsOf: errorFile, encoding: .utf8))?
            .split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
            .map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let detail = lastError.isEmpty ? "" : ": \(lastError)"
        guard process.terminationReason == .exit else {
            throw failure("was stopped by signal \(process.terminationStatus)\(detail)")
        }
        guard process.terminationStatus == 0 else {
            throw failure("exited with status \(process.terminationStatus)\(detail)")
        }
        let output = (try? Data(contentsOf: outputFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Output(standardOutput: output, lastErrorLine: lastError)
    }
}
