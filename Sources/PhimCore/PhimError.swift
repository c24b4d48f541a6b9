import Foundation

/// The one error type Phim's libraries throw.
///
/// A `PhimError` says what went wrong in words a user can act on, and names what it is about:
/// a file (`intro.mp4`), a field of a project (`clips[2].layers[0].path`) or an option (`--duration`).
/// Its ``description`` is the single line the CLI prints.
public struct PhimError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. The CLI maps it to an exit status (see ``isInvalidInput``).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, machine-readable name (`invalid_input`, `file_not_found`…) for JSON, HTTP and logs; it never
        /// changes once released.
        public let identifier: String
        fileprivate let invalidInput: Bool

        /// The input (a project, an option, a field) is wrong.
        public static let invalidInput = Code(identifier: "invalid_input", invalidInput: true)
        /// A file the input names does not exist.
        public static let fileNotFound = Code(identifier: "file_not_found", invalidInput: true)
        /// A file exists but cannot be read, or is not what it claims to be.
        public static let unreadableFile = Code(identifier: "unreadable_file", invalidInput: true)
        /// Media that FFmpeg cannot decode, truncated or corrupt data.
        public static let corruptMedia = Code(identifier: "corrupt_media", invalidInput: true)
        /// A size, duration or count beyond what Phim accepts.
        public static let limitExceeded = Code(identifier: "limit_exceeded", invalidInput: true)
        /// Something the input asks for that this build does not support.
        public static let unsupported = Code(identifier: "unsupported", invalidInput: true)
        /// A failure while working: encoding, writing, a library call.
        public static let operationFailed = Code(identifier: "operation_failed", invalidInput: false)
        /// Writing an output failed (disk full, permissions).
        public static let writeFailed = Code(identifier: "write_failed", invalidInput: false)
        /// The work was cancelled.
        public static let cancelled = Code(identifier: "cancelled", invalidInput: false)

        /// Every code, for front ends that list them.
        public static let all: [Code] = [.invalidInput, .fileNotFound, .unreadableFile, .corruptMedia, .limitExceeded, .unsupported,
                                          .operationFailed, .writeFailed, .cancelled]

        public var description: String { identifier.replacingOccurrences(of: "_", with: " ") }
    }

    /// What an error is about. Each front end names it in its own words: the CLI prints a file's path, a field's
    /// path (`clips[2].layers[0].path`) and an option as its flag (`--duration`); a server can answer with a JSON
    /// pointer (`/clips/2/layers/0/path`) or its own parameter names.
    public enum Subject: Sendable, Hashable, CustomStringConvertible {
        /// A file, by the path the user gave.
        case file(String)
        /// A field of a project file, as a path: `clips[2].layers[0].path`, `output.crf`.
        case field(String)
        /// A setting of a command, by its name without dashes: `duration`, `tts-command`.
        case option(String)
        /// Something else the input named (a font, a voice, a filter description), as written.
        case value(String)

        /// A file subject for a URL, shown as the user wrote it.
        public static func file(_ url: URL) -> Subject { .file(url.displayPath) }

        /// The CLI's words: the path, the field path, `--option`, or the value.
        public var description: String {
            switch self {
            case .file(let path): path
            case .field(let path): path
            case .option(let name): "--" + name
            case .value(let text): text
            }
        }

        /// A field's path as a JSON pointer (RFC 6901): `clips[2].layers[0].path` → `/clips/2/layers/0/path`;
        /// `nil` for other subjects.
        public var jsonPointer: String? {
            guard case .field(let path) = self else { return nil }
            var pointer = ""
            var token = ""
            func flush() {
                pointer += "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                token = ""
            }
            var inIndex = false
            for character in path {
                switch character {
                case "." where !inIndex:
                    if !token.isEmpty { flush() }
                case "[" where !inIndex:
                    if !token.isEmpty { flush() }
                    inIndex = true
                case "]" where inIndex:
                    flush()
                    inIndex = false
                default:
                    token.append(character)
                }
            }
            if !token.isEmpty { flush() }
            return pointer
        }

        /// The kind as a stable name (`file`, `field`, `option`, `value`), for JSON.
        public var kind: String {
            switch self {
            case .file: "file"
            case .field: "field"
            case .option: "option"
            case .value: "value"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, as a user should read it.
    public var message: String
    /// What the error is about: a file, a project field or an option.
    public var subject: Subject?
    /// The error this one wraps, if any.
    public var underlying: (any Error & Sendable)?
    /// Where in Phim the error was raised (`function` at `file:line`), for bug reports.
    public var location: String

    public init(
        _ code: Code, _ message: String, subject: Subject? = nil, underlying: (any Error & Sendable)? = nil,
        function: String = #function, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.subject = subject
        self.underlying = underlying
        self.location = "\(function) at \(file):\(line)"
    }

    /// `true` when the user's input is at fault (exit status 2); `false` for failures while working (1).
    public var isInvalidInput: Bool { code.invalidInput }

    /// The longest ``description``, in characters: a subject of at most 120 characters and a message of at most 260, each with `…` when cut.
    public static let maxDescriptionLength = 384

    /// One line, `subject: message`, however the two were built: control characters are escaped and each part is
    /// shortened (``maxDescriptionLength``), so an error that echoes hostile input still prints as one short line.
    public var description: String {
        let text = message.singleLine(limit: 260)
        let name = subject?.description ?? ""
        if !name.isEmpty { return "\(name.singleLine(limit: 120)): \(text)" }
        return text
    }

    /// The same error about another subject, for callers that know better what the failure concerns
    /// (a decoder knows the file; the renderer knows the project field that named it).
    public func about(_ newSubject: Subject) -> PhimError {
        var copy = self
        if let subject, !subject.description.isEmpty, subject != newSubject {
            copy.message = "'\(subject.description)': \(message)"
        }
        copy.subject = newSubject
        return copy
    }
}

extension PhimError {
    /// `error` itself when it is a `PhimError`; otherwise an `.operationFailed` error that says what was being done,
    /// for the few places where a library outside Phim (Foundation, libtorch's wrapper) throws.
    public init(wrapping error: any Error, _ doing: String? = nil, subject: Subject? = nil,
                function: String = #function, file: String = #fileID, line: Int = #line) {
        if let error = error as? PhimError {
            self = error
        } else {
            let reason = (error as? any CustomStringConvertible)?.description ?? "\(error)"
            self.init(.operationFailed, doing.map { "\($0): \(reason)" } ?? reason, subject: subject,
                      underlying: error as (any Error & Sendable), function: function, file: file, line: line)
        }
    }
}
