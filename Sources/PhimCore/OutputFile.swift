import Foundation

/// An output written to a temporary file beside its destination and renamed into place only when complete,
/// so that a failed or interrupted run never leaves a half-written file where the user asked for one.
///
/// Not `Sendable`: one writer owns it. Call ``commit()`` when done; if the value dies uncommitted, the
/// temporary file is removed.
public final class OutputFile {
    /// Where the finished file goes.
    public let destination: URL
    /// Where the data is written meanwhile (same folder, so the final rename is atomic).
    public let temporary: URL
    private var finished = false

    /// - Parameter destination: the path the user asked for.
    /// - Throws: `PhimError` if the destination's folder does not exist or is not writable, or the path is a folder.
    public init(_ destination: URL) throws(PhimError) {
        let folder = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PhimError(.invalidInput, "folder '\(folder.relativePath.isEmpty ? "." : folder.relativePath)' does not exist", subject: destination.displayPath)
        }
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PhimError(.invalidInput, "is a folder, not a file", subject: destination.displayPath)
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw PhimError(.writeFailed, "folder '\(folder.path)' is not writable", subject: destination.displayPath)
        }
        self.destination = destination
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(token).part")
    }

    /// Moves the temporary file to the destination, replacing what was there.
    /// - Throws: `PhimError` with `.writeFailed` if the rename fails.
    public func commit() throws(PhimError) {
        guard !finished else { return }
        finished = true
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PhimError(.writeFailed, "cannot move the finished file into place: \(reason)", subject: destination.displayPath)
        }
    }

    /// Removes the temporary file; the destination is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(at: temporary)
    }

    deinit { discard() }
}
