import Foundation

/// A folder of outputs (a dataset, a training run's samples) built in a temporary folder beside its destination
/// and moved there whole by ``commit()``: a failure or Ctrl-C leaves nothing where the user asked for the folder.
///
/// The destination must not exist, or be an empty folder; Phim never merges into or replaces a folder that holds
/// anything. Not `Sendable`.
public final class OutputFolder {
    /// Where the finished folder goes.
    public let destination: URL
    /// Where the files are written meanwhile (same parent, so the final rename is atomic).
    public let temporary: URL
    private var finished = false
    private let registration: TemporaryFiles.Token

    /// - Throws: `PhimError` naming `destination` if its parent folder does not exist or is not writable, the name
    ///   is too long, or something other than an empty folder is there.
    public init(_ destination: URL) throws(PhimError) {
        let subject = PhimError.Subject.file(destination.displayPath)
        try Self.check(destination)
        let target = destination.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        temporary = parent.appendingPathComponent(OutputFile.temporaryName(for: target.lastPathComponent, token: token))
        guard mkdir(temporary.path, 0o755) == 0 else {
            throw PhimError(.writeFailed, "cannot create a folder beside it: \(String(cString: strerror(errno)))", subject: subject)
        }
        self.destination = target
        registration = TemporaryFiles.shared.add(temporary)
    }

    /// Checks that a folder can be made at `destination` (commands call it before starting work).
    /// - Throws: `PhimError` naming `destination`, as ``init(_:)`` does.
    public static func check(_ destination: URL) throws(PhimError) {
        let subject = PhimError.Subject.file(destination.displayPath)
        let target = destination.standardizedFileURL
        let name = target.lastPathComponent
        guard !name.isEmpty, name != "/", name != ".", name != ".." else {
            throw PhimError(.invalidInput, "is not a folder name Phim can create", subject: subject)
        }
        guard name.utf8.count <= OutputFile.maxNameBytes else {
            throw PhimError(.invalidInput, "the folder name is too long (\(name.utf8.count) bytes; at most \(OutputFile.maxNameBytes))",
                            subject: subject)
        }
        let parent = target.deletingLastPathComponent()
        var info = stat()
        guard stat(parent.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            let shown = destination.deletingLastPathComponent().relativePath
            throw PhimError(.invalidInput, "folder \((shown.isEmpty ? "." : shown).quoted()) does not exist", subject: subject)
        }
        guard access(parent.path, W_OK) == 0 else {
            throw PhimError(.writeFailed, "folder \(parent.path.quoted()) is not writable", subject: subject)
        }
        try checkEmptyOrAbsent(target, subject: subject)
    }

    private static func checkEmptyOrAbsent(_ target: URL, subject: PhimError.Subject) throws(PhimError) {
        var info = stat()
        guard lstat(target.path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PhimError(.invalidInput, "is \(InputFile.kindName(info.st_mode)), not a folder; choose a new folder name",
                            subject: subject)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? ["?"]
        guard entries.isEmpty else {
            throw PhimError(.invalidInput, "is a folder that is not empty; Phim writes only into a new or empty folder",
                            subject: subject)
        }
    }

    /// A path inside the temporary folder.
    public func file(_ relativePath: String) -> URL { temporary.appendingPathComponent(relativePath) }

    /// Moves the temporary folder to the destination (removing an empty folder there first).
    /// - Throws: `PhimError` if something other than an empty folder appeared at the destination meanwhile, or the
    ///   rename fails; the temporary folder is then removed.
    public func commit() throws(PhimError) {
        guard !finished else { return }
        finished = true
        defer { TemporaryFiles.shared.remove(registration) }
        let subject = PhimError.Subject.file(destination.displayPath)
        do throws(PhimError) {
            try Self.checkEmptyOrAbsent(destination, subject: subject)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        var info = stat()
        if lstat(destination.path, &info) == 0 { rmdir(destination.path) }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PhimError(.writeFailed, "cannot move the finished folder into place: \(reason)", subject: subject)
        }
    }

    /// Removes the temporary folder; the destination is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(at: temporary)
        TemporaryFiles.shared.remove(registration)
    }

    deinit { discard() }
}
