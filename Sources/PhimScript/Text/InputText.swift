import Foundation
import PhimCore

/// Reads the text a script is made from.
public enum InputText {
    /// The largest input accepted, in bytes (5 MB: a long book chapter is under 1 MB).
    public static let maxBytes = 5_000_000

    /// Reads an input file: it must exist, not be binary (NUL bytes), be valid UTF-8 (a byte-order mark is allowed
    /// and removed) and not be empty or whitespace-only.
    ///
    /// Line endings become `\n`.
    /// - Parameter url: a `.txt` or `.md` file.
    /// - Returns: the text in Unicode normalisation form C.
    /// - Throws: `PhimError` about the file's path: `.fileNotFound` when it does not exist, `.limitExceeded` beyond
    ///   ``maxBytes``, `.unreadableFile` when it cannot be read, is binary or is not UTF-8, `.invalidInput` when it is
    ///   a folder or has no text.
    public static func read(_ url: URL) throws(PhimError) -> String {
        let path = PhimError.Subject.file(url.displayPath)
        let data = try InputFile.read(url, subject: path, maxBytes: maxBytes)
        return try decode(data, subject: path)
    }

    /// Checks and decodes the bytes of a text input (see ``read(_:)``).
    /// - Parameter subject: names the input in errors.
    /// - Throws: `PhimError` as ``read(_:)`` does.
    public static func decode(_ data: Data, subject: PhimError.Subject) throws(PhimError) -> String {
        guard data.count <= maxBytes else {
            throw InputFile.tooLarge(data.count, maxBytes: maxBytes, subject: subject)
        }
        var bytes = [UInt8](data)
        if let encoding = TextEncodingMark.other(in: bytes) {
            throw PhimError(.unreadableFile, "is \(encoding) text; save it as UTF-8", subject: subject)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let nul = bytes.firstIndex(of: 0) {
            throw PhimError(.unreadableFile, "looks like a binary file (NUL byte at offset \(nul)), not text", subject: subject)
        }
        if let bad = firstInvalidUTF8Offset(bytes) {
            let offset = bytes.count < data.count ? bad + 3 : bad
            throw PhimError(
                .unreadableFile,
                "is not UTF-8 text (invalid byte 0x\(String(format: "%02X", bytes[bad])) at offset \(offset)); save it as UTF-8",
                subject: subject)
        }
        if bytes.isEmpty { throw PhimError(.invalidInput, "is empty", subject: subject) }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.allSatisfy({ $0.isWhitespace }) {
            throw PhimError(.invalidInput, "is empty (only whitespace)", subject: subject)
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").nfc
    }

    /// The offset of the first byte that starts no valid UTF-8 sequence (a stray continuation byte, a lead byte of a
    /// truncated or overlong sequence, a surrogate, a code point past U+10FFFF), or `nil` when all of `bytes` is valid.
    /// A Latin-1 `é` (0xE9) followed by ASCII is reported at the 0xE9.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF  // allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return index
            }
            for offset in 1..<length {
                guard index + offset < count else { return index }
                let byte = bytes[index + offset]
                let range: ClosedRange<UInt8> = offset == 1 ? lowest...highest : 0x80...0xBF
                if !range.contains(byte) { return index }
            }
            index += length
        }
        return nil
    }
}
