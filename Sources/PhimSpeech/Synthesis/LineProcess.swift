import Foundation
import PhimCore

/// A speech engine's program kept running for many requests (Piper's Python worker, Festival in pipe mode), talked to
/// in lines over a socket pair that is its standard input and output.
///
/// It runs in a fresh temporary folder (its working directory, where its scripts and waveforms go), with its standard
/// error in a file there. A socket rather than pipes: a program that died shows up as the end of the stream and a
/// write to it fails with an error instead of SIGPIPE. Every wait has a deadline. ``stop()`` (or phim being stopped by
/// a signal) kills the program and removes the folder.
///
/// Not thread-safe: its owner serialises requests.
final class LineProcess {
    /// The folder the program runs in.
    let folder: URL
    private let process: Process
    private let socket: Int32
    private var registrations: [TemporaryFiles.Token]
    private var buffer = Data()
    private var stopped = false
    /// Builds the error for a failure from a message that says what happened.
    private let failure: (String) -> PhimError

    /// The longest line read.
    static let maxLineBytes = 16 << 20

    /// Starts `executable` with `arguments` (passed as they are, never through a shell) in a fresh folder named
    /// `prefix-…` holding `files` (name → contents).
    /// - Parameters:
    ///   - ownTemporaryFolder: the program's `TMPDIR` is its folder, so whatever its libraries leave there goes with it.
    /// - Throws: the error from `failure` when the folder, the socket or the program cannot be made or started.
    init(_ executable: URL, arguments: [String], prefix: String, files: [String: String] = [:], ownTemporaryFolder: Bool = false,
         failure: @escaping (String) -> PhimError) throws(PhimError) {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("\(prefix)-\(UInt64.random(in: 0...UInt64.max))")
        let errors = folder.appendingPathComponent("stderr.txt")
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, contents) in files { try Data(contents.utf8).write(to: folder.appendingPathComponent(name)) }
            try Data().write(to: errors)
        } catch {
            try? manager.removeItem(at: folder)
            throw failure("cannot be prepared: \(error.localizedDescription)")
        }
        let folderRegistration = TemporaryFiles.shared.add(folder)
        var sockets: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sockets) == 0 else {
            try? manager.removeItem(at: folder)
            TemporaryFiles.shared.remove(folderRegistration)
            throw failure("cannot be connected: socketpair failed (errno \(errno))")
        }
        _ = fcntl(sockets[0], F_SETFD, FD_CLOEXEC)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if ownTemporaryFolder {
            var environment = ProcessInfo.processInfo.environment
            environment["TMPDIR"] = folder.path
            process.environment = environment
        }
        let child = FileHandle(fileDescriptor: sockets[1], closeOnDealloc: false)
        process.standardInput = child
        process.standardOutput = child
        do {
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
        } catch {
            close(sockets[0])
            close(sockets[1])
            try? manager.removeItem(at: folder)
            TemporaryFiles.shared.remove(folderRegistration)
            throw failure("cannot be started with \(executable.path): \(error.localizedDescription)")
        }
        close(sockets[1])
        let pid = process.processIdentifier
        self.folder = folder
        self.process = process
        socket = sockets[0]
        registrations = [folderRegistration, TemporaryFiles.shared.add(cleanup: { kill(pid, SIGKILL) })]
        self.failure = failure
    }

    deinit { stop() }

    /// The program's process identifier.
    var processIdentifier: Int32 { process.processIdentifier }

    /// A file in ``folder``.
    func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Writes all of `text` before `deadline` (a ``MonotonicClock`` time; `limit` is the seconds it stands for, for the
    /// message).
    func send(_ text: String, deadline: Double, limit: Double) throws(PhimError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            guard try wait(for: POLLOUT, deadline: deadline, late: "did not take its input within \(String(format: "%g", limit)) s") else {
                continue
            }
            let sent = bytes.withUnsafeBufferPointer { buffer in
                Glibc.send(socket, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR || errno == EAGAIN { continue }
            guard sent > 0 else { throw failure("stopped before it took its input" + lastErrorDetail()) }
            offset += sent
        }
    }

    /// Reads one line (without its line break) before `deadline` (`limit` is the seconds it stands for, for the message).
    func readLine(deadline: Double, limit: Double) throws(PhimError) -> String {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer = Data(buffer[(newline + 1)...])
                return line
            }
            guard buffer.count <= Self.maxLineBytes else { throw failure("wrote a line longer than \(Self.maxLineBytes >> 20) MiB") }
            guard try wait(for: POLLIN, deadline: deadline, late: "did not answer within \(String(format: "%g", limit)) s") else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(socket, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure("stopped" + lastErrorDetail()) }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Waits up to a minute, and never past `deadline`, for the socket to be ready for `events`.
    /// - Returns: whether it is ready (false: look again).
    /// - Throws: the error from ``failure`` with `late` when the deadline has passed.
    private func wait(for events: Int32, deadline: Double, late: @autoclosure () -> String) throws(PhimError) -> Bool {
        let remaining = deadline - MonotonicClock.now()
        guard remaining > 0 else { throw failure(late()) }
        var poller = pollfd(fd: socket, events: Int16(events), revents: 0)
        return poll(&poller, 1, Int32(min(remaining * 1000, 60_000).rounded(.up))) > 0
    }

    /// Kills the program and removes the folder (once).
    func stop() {
        guard !stopped else { return }
        stopped = true
        close(socket)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
        for registration in registrations { TemporaryFiles.shared.remove(registration) }
    }

    /// How many bytes the program has written to its standard error so far.
    func errorOutputSize() -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: file("stderr.txt").path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// `: ` and the last non-empty line the program wrote to its standard error (trimmed, at most 200 characters), or
    /// nothing when it wrote none.
    /// - Parameter offset: look only at what it wrote after this many bytes.
    func lastErrorDetail(since offset: UInt64 = 0) -> String {
        var text = ""
        if let handle = try? FileHandle(forReadingFrom: file("stderr.txt")) {
            try? handle.seek(toOffset: offset)
            text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
            try? handle.close()
        }
        let line = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let trimmed = String(line.trimmingCharacters(in: .whitespaces).prefix(200))
        return trimmed.isEmpty ? "" : ": \(trimmed)"
    }
}
