import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output written to a temporary file beside its destination and renamed into place only when complete,
/// so that a failed or interrupted run never leaves a half-written file where the user asked for one.
///
/// Only a regular file (or nothing) is ever replaced: a destination that is a device, a FIFO, a socket or a folder is
/// refused before any work, so `-o /dev/null` cannot swap the machine's `/dev/null` for a video. A destination that
/// is a symbolic link is followed: the file it points to is replaced and the link is kept.
///
/// Not `Sendable`: one writer owns it. Call ``commit()`` when done; if the value dies uncommitted, the
/// temporary file is removed. While it exists its temporary path is in ``TemporaryFiles/shared``, so a command
/// stopped by a signal removes it too.
public final class OutputFile {
    /// Where the finished file goes (symbolic links resolved).
    public let destination: URL
    /// The path as the caller gave it, for messages.
    public let requested: URL
    /// Where the data is written meanwhile (same folder, so the final rename is atomic).
    public let temporary: URL
    private var finished = false
    private let registration: TemporaryFiles.Token

    /// The longest file name most file systems accept, in bytes.
    public static let maxNameBytes = 255

    /// - Parameter destination: the path the user asked for.
    /// - Throws: `PhimError` if the destination's folder does not exist or is not writable, the name is too long, or
    ///   something other than a regular file is at the path.
    public init(_ destination: URL) throws(PhimError) {
        let resolved = try Self.checkDestination(destination)
        self.destination = resolved
        self.requested = destination
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.temporary = resolved.deletingLastPathComponent()
            .appendingPathComponent(Self.temporaryName(for: resolved.lastPathComponent, token: token))
        registration = TemporaryFiles.shared.add(temporary)
    }

    /// Checks that an output can be written at `destination`: its folder exists and is writable, its name is not too
    /// long, and nothing but a regular file is there. Commands call it for every output before starting work.
    /// - Returns: where the file will go: `destination`, or the file a symbolic link there points to.
    /// - Throws: `PhimError` naming `destination`.
    @discardableResult
    public static func checkDestination(_ destination: URL) throws(PhimError) -> URL {
        let subject = PhimError.Subject.file(destination.displayPath)
        var target = destination.standardizedFileURL
        // Follow symbolic links (a bounded number of them) to the file they name.
        var hops = 0
        while let linked = try? FileManager.default.destinationOfSymbolicLink(atPath: target.path) {
            hops += 1
            guard hops <= 16 else { throw PhimError(.invalidInput, "too many levels of symbolic links", subject: subject) }
            target = URL(fileURLWithPath: linked, relativeTo: target.deletingLastPathComponent()).standardizedFileURL
        }
        let name = target.lastPathComponent
        guard name.utf8.count <= maxNameBytes else {
            throw PhimError(.invalidInput, "the file name is too long (\(name.utf8.count) bytes; at most \(maxNameBytes))", subject: subject)
        }
        let folder = target.deletingLastPathComponent()
        var info = stat()
        guard stat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            let shown = destination.deletingLastPathComponent().relativePath
            throw PhimError(.invalidInput, "folder \((shown.isEmpty ? "." : shown).quoted()) does not exist", subject: subject)
        }
        if lstat(target.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw PhimError(.invalidInput, "is a folder, not a file", subject: subject)
            default:
                throw PhimError(.invalidInput, "is \(InputFile.kindName(info.st_mode)), not a regular file; Phim replaces only regular files",
                                subject: subject)
            }
        }
        guard access(folder.path, W_OK) == 0 else {
            throw PhimError(.writeFailed, "folder \(folder.path.quoted()) is not writable", subject: subject)
        }
        return target
    }

    /// `.NAME.TOKEN.part`, with NAME shortened (at a character boundary) so that the whole stays within
    /// ``maxNameBytes``.
    static func temporaryName(for name: String, token: String) -> String {
        let room = maxNameBytes - (1 + 1 + token.utf8.count + ".part".utf8.count)
        var kept = ""
        var bytes = 0
        for character in name {
            let size = character.utf8.count
            guard bytes + size <= room else { break }
            kept.append(character)
            bytes += size
        }
        return ".\(kept).\(token).part"
    }

    /// Writes `data` to `url` whole: to a temporary file beside it, renamed into place.
    /// - Throws: `PhimError` naming `url`, as ``init(_:)`` and ``commit()`` do, or when the data cannot be written.
    public static func write(_ data: Data, to url: URL) throws(PhimError) {
        let output = try OutputFile(url)
        do {
            try data.write(to: output.temporary)
        } catch {
            output.discard()
            throw PhimError(.writeFailed, "cannot write: \(error.localizedDescription)", subject: .file(url.displayPath))
        }
        try output.commit()
    }

    /// Moves the temporary file to the destination, replacing what was there.
    /// - Throws: `PhimError` with `.writeFailed` if the rename fails, or `.invalidInput` if something other than a
    ///   regular file appeared at the destination meanwhile.
    public func commit() throws(PhimError) {
        guard !finished else { return }
        finished = true
        defer { TemporaryFiles.shared.remove(registration) }
        var info = stat()
        if lstat(destination.path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            try? FileManager.default.removeItem(at: temporary)
            throw PhimError(.invalidInput, "is \(InputFile.kindName(info.st_mode)), not a regular file; Phim replaces only regular files",
                            subject: .file(requested.displayPath))
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PhimError(.writeFailed, "cannot move the finished file into place: \(reason)", subject: .file(requested.displayPath))
        }
    }

    /// Removes the temporary file; the destination is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(at: temporary)
        TemporaryFiles.shared.remove(registration)
    }

    deinit { discard() }
}
