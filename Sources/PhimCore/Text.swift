import Foundation

extension String {
    /// The text in Unicode normalisation form C, so that a Vietnamese letter typed as base + combining marks
    /// (`e` + U+0302 + U+0301) and the precomposed letter (`ế`) shape, wrap and compare alike.
    public var nfc: String { precomposedStringWithCanonicalMapping }

    /// The text as a message may echo it: in single quotes, control and bidirectional-override characters escaped
    /// (`\n`, `\t`, `\u{1B}`), and at most `limit` characters of it (then `…` and the full length).
    ///
    /// Use it for every value a message repeats from the user's input, so that a value with newlines, terminal escapes
    /// or three megabytes of text still gives one short, harmless line.
    /// - Complexity: O(`limit`), whatever the length of the text.
    public func quoted(limit: Int = 60) -> String {
        var result = "'"
        var shown = 0
        var truncated = false
        for scalar in unicodeScalars {
            if shown >= limit {
                truncated = true
                break
            }
            result += scalar.escapedForMessage
            shown += 1
        }
        result += "'"
        if truncated {
            let total = unicodeScalars.count
            result = String(result.dropLast()) + "…' (\(total) characters)"
        }
        return result
    }

    /// The text made safe to print as (part of) one line: control and bidirectional-override characters escaped,
    /// and at most `limit` characters (the end replaced by `…`).
    /// - Complexity: O(`limit`).
    public func singleLine(limit: Int) -> String {
        var result = ""
        var shown = 0
        for scalar in unicodeScalars {
            if shown >= limit {
                result += "…"
                break
            }
            result += scalar.escapedForMessage
            shown += 1
        }
        return result
    }
}

extension Unicode.Scalar {
    /// Whether printing the scalar could break a one-line message or the terminal: C0/C1 controls, DEL, line and
    /// paragraph separators, and the bidirectional formatting characters that reorder what follows them.
    var isUnsafeInMessage: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// The scalar itself, or an escape (`\n`, `\u{1B}`) when it is unsafe in a message.
    var escapedForMessage: String {
        guard isUnsafeInMessage else { return String(Character(self)) }
        switch self {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return "\\u{" + String(value, radix: 16, uppercase: true) + "}"
        }
    }
}

extension URL {
    /// The path as the user wrote it (relative paths stay relative), for messages.
    public var displayPath: String { isFileURL ? relativePath : absoluteString }
}

/// Byte-order marks of text encodings other than UTF-8.
public enum TextEncodingMark {
    /// `UTF-32LE`, `UTF-32BE`, `UTF-16LE` or `UTF-16BE` when `bytes` start with that encoding's byte-order mark
    /// (UTF-32's are checked first: UTF-32LE's mark begins with UTF-16LE's), nil otherwise.
    public static func other(in bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32LE" }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32BE" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        return nil
    }
}
