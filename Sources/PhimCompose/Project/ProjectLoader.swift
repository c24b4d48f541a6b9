import Foundation
import PhimCore

/// The syntaxes a project file may be written in.
public enum ProjectFormat: String, Sendable, CaseIterable {
    case json
    case yaml

    /// The format a file name's extension names (`.json`, `.yaml`, `.yml`, any case), or `nil`.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "json": self = .json
        case "yaml", "yml": self = .yaml
        default: return nil
        }
    }

    /// The format of a file: by its extension, otherwise JSON if the first non-blank character is `{`, else YAML.
    public static func detect(fileName: String, data: Data) -> ProjectFormat {
        if let format = ProjectFormat(fileExtension: URL(fileURLWithPath: fileName).pathExtension) { return format }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF]
        return data.first(where: { !blank.contains($0) }) == UInt8(ascii: "{") ? .json : .yaml
    }
}

/// Loads project files: JSON or YAML, strictly checked, with every error naming the file or the field.
///
/// ```swift
/// let project = try ProjectLoader.load(from: URL(fileURLWithPath: "Examples/demo.json"))
/// ```
public enum ProjectLoader {
    /// The largest project file accepted, in bytes.
    public static let maxFileSize = 8 << 20

    /// Reads, parses and checks a project file; relative paths in it resolve against its folder.
    ///
    /// - Parameter url: the project file (`.json`, `.yaml` or `.yml`; other names are sniffed).
    /// - Returns: a project whose media files all existed and were readable (they are not decoded).
    /// - Throws: `PhimError`: `.fileNotFound` or `.unreadableFile` (the project file or a media file it names),
    ///   `.invalidInput` (syntax, with line and column; a field's type or value, naming its path) or
    ///   `.limitExceeded` (a size, rate, duration or file size over ``Limits``).
    public static func load(from url: URL) throws(PhimError) -> Project {
        let name = url.relativePath
        let data = try InputFile.read(url, subject: .file(name), maxBytes: maxFileSize)
        let baseDirectory = url.absoluteURL.deletingLastPathComponent().standardizedFileURL
        return try decode(data, format: ProjectFormat.detect(fileName: name, data: data), baseDirectory: baseDirectory,
                          fileName: name)
    }

    /// Parses and checks a project held in memory.
    ///
    /// - Parameters:
    ///   - data: the file's bytes, UTF-8 (a byte-order mark is allowed).
    ///   - format: JSON or YAML (see ``ProjectFormat/detect(fileName:data:)``).
    ///   - baseDirectory: the folder relative media paths resolve against.
    ///   - fileName: how syntax errors name the file.
    /// - Throws: `PhimError` as ``load(from:)`` does.
    public static func decode(_ data: Data, format: ProjectFormat, baseDirectory: URL, fileName: String)
        throws(PhimError) -> Project
    {
        guard data.count <= maxFileSize else {
            throw PhimError(.limitExceeded, "project files may be at most \(maxFileSize >> 20) MiB", subject: .file(fileName))
        }
        let text = try decodeText(data, fileName: fileName)
        guard !text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            throw PhimError(.invalidInput, "the file is empty", subject: .file(fileName))
        }
        let root: SourceNode
        switch format {
        case .json:
            var parser = JSONSourceParser(bytes: Array(text.utf8), fileName: fileName)
            root = try parser.parseDocument()
        case .yaml:
            guard let node = try YAMLSourceParser.parse(text, fileName: fileName) else {
                throw PhimError(.invalidInput, "the file has no content, only comments", subject: .file(fileName))
            }
            root = node
        }
        let reader = ProjectReader(baseDirectory: baseDirectory.standardizedFileURL, fileName: fileName)
        let project = try reader.read(root)
        _ = try TimelineResolver.resolve(project)
        return project
    }

    /// The bytes as UTF-8 text without a byte-order mark, or an error naming the file and the first bad byte.
    private static func decodeText(_ data: Data, fileName: String) throws(PhimError) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let encoding = TextEncodingMark.other(in: bytes) {
            throw PhimError(.unreadableFile, "is \(encoding) text; save it as UTF-8", subject: .file(fileName))
        }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                let location = TextLocation(of: offset, in: bytes)
                let byte = String(bytes[offset], radix: 16, uppercase: true)
                throw PhimError(.unreadableFile,
                                "is not UTF-8 text (byte 0x\(byte.count == 1 ? "0" + byte : byte) at line \(location.line), column \(location.column))",
                                subject: .file(fileName))
            }
        }
    }
}
