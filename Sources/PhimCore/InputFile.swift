import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files the user names as inputs, opened safely: only regular files, without ever blocking on a FIFO or a device,
/// and never read past a size limit.
///
/// Every error names `subject` (a file path, a project field or an option) and says what is wrong in words a user can
/// act on: `no such file 'a.mp4'`, `'/dev/zero' is not a regular file (a character device)`.
public enum InputFile {
    /// Checks that `url` names an existing, readable regular file (symbolic links are followed).
    /// - Parameters:
    ///   - subject: what errors are about.
    ///   - written: the path as the user wrote it, repeated in messages when the subject is not the path itself.
    /// - Returns: the file's size in bytes.
    /// - Throws: `PhimError`: `.fileNotFound`, or `.unreadableFile` for a folder, anything that is not a regular file,
    ///   or a file that cannot be read.
    @discardableResult
    public static func check(_ url: URL, subject: PhimError.Subject, written: String? = nil) throws(PhimError) -> Int {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw openError(errno, subject: subject, written: written) }
        try checkType(info, subject: subject, written: written)
        guard access(url.path, R_OK) == 0 else {
            throw PhimError(.unreadableFile, "\(prefix(written))cannot be read (permission denied)", subject: subject)
        }
        return Int(info.st_size)
    }

    /// Reads a whole regular file of at most `maxBytes`.
    ///
    /// The file is opened without blocking (a FIFO with no writer cannot hang it) and checked after opening, so a file
    /// swapped for something else between a check and the read is still refused.
    /// - Parameters:
    ///   - subject: what errors are about.
    ///   - written: the path as the user wrote it, for messages whose subject is a field or an option.
    ///   - maxBytes: the largest file accepted.
    /// - Throws: `PhimError` as ``check(_:subject:written:)`` does, and `.limitExceeded` past `maxBytes`.
    /// - Complexity: O(size of the file), at most `maxBytes`.
    public static func read(_ url: URL, subject: PhimError.Subject, written: String? = nil, maxBytes: Int) throws(PhimError) -> Data {
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw openError(errno, subject: subject, written: written) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw PhimError(.unreadableFile, "\(prefix(written))cannot be read: \(String(cString: strerror(errno)))", subject: subject)
        }
        try checkType(info, subject: subject, written: written)
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw tooLarge(size, maxBytes: maxBytes, subject: subject, written: written) }
        var data = Data(count: size)
        var filled = 0
        while filled < size {
            let count = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PhimError(.unreadableFile, "\(prefix(written))cannot be read: \(String(cString: strerror(errno)))",
                                subject: subject)
            }
            if count == 0 { break }  // the file shrank while being read
            filled += count
        }
        data.count = filled
        return data
    }

    /// The error for a file of `size` bytes over `maxBytes`.
    public static func tooLarge(_ size: Int, maxBytes: Int, subject: PhimError.Subject, written: String? = nil) -> PhimError {
        PhimError(.limitExceeded, "\(prefix(written))is too large (\(byteCount(size)); at most \(byteCount(maxBytes)))",
                  subject: subject)
    }

    /// `12.3 MB`, `512 KB`, `80 bytes`.
    public static func byteCount(_ bytes: Int) -> String {
        if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1_000_000) }
        if bytes >= 10_000 { return "\(bytes / 1000) KB" }
        return "\(bytes) bytes"
    }

    /// What kind of file `mode` describes, for messages (`a FIFO`, `a character device`).
    public static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a file"
        }
    }

    private static func checkType(_ info: stat, subject: PhimError.Subject, written: String?) throws(PhimError) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw PhimError(.unreadableFile, "\(prefix(written))is a folder, not a file", subject: subject)
        default:
            throw PhimError(.unreadableFile, "\(prefix(written))is not a regular file (\(kindName(info.st_mode)))", subject: subject)
        }
    }

    private static func openError(_ code: Int32, subject: PhimError.Subject, written: String?) -> PhimError {
        if code == ENOENT || code == ENOTDIR {
            return PhimError(.fileNotFound, written.map { "no such file \($0.quoted())" } ?? "no such file", subject: subject)
        }
        if code == ENAMETOOLONG { return PhimError(.invalidInput, "\(prefix(written))the file name is too long", subject: subject) }
        return PhimError(.unreadableFile, "\(prefix(written))cannot be opened: \(String(cString: strerror(code)))", subject: subject)
    }

    private static func prefix(_ written: String?) -> String { written.map { "\($0.quoted()) " } ?? "" }
}
