import PhimCore

/// A strict RFC 8259 JSON parser that reports errors with line and column and keeps duplicate keys (the
/// reader rejects them with the field's path).
///
/// Foundation's `JSONSerialization` is not used because it loses the distinction between `true` and `1` on
/// Linux, accepts some non-standard input and reports positions inconsistently.
struct JSONSourceParser {
    /// The deepest nesting accepted, so that hostile input cannot exhaust the stack.
    static let maxDepth = 128

    private let bytes: [UInt8]
    private let fileName: String
    private var index = 0
    private var depth = 0

    /// - Parameters:
    ///   - bytes: valid UTF-8 without a byte-order mark.
    ///   - fileName: how errors name the file.
    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    /// Parses the whole input as one JSON value.
    /// - Throws: `PhimError` (`.invalidInput`) naming the file, line and column of the first syntax error.
    mutating func parseDocument() throws(PhimError) -> SourceNode {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("expected a value, found the end of the file") }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw syntaxError("unexpected \(describeCurrent()) after the end of the document") }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(PhimError) -> SourceNode {
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return SourceNode(.string(try parseString()))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return SourceNode(.number(try parseNumber()))
        case UInt8(ascii: "t"): try expectLiteral("true"); return SourceNode(.bool(true))
        case UInt8(ascii: "f"): try expectLiteral("false"); return SourceNode(.bool(false))
        case UInt8(ascii: "n"): try expectLiteral("null"); return SourceNode(.null)
        case UInt8(ascii: "'"): throw syntaxError("strings need double quotes, not single quotes")
        case UInt8(ascii: "/"): throw syntaxError("JSON does not allow comments")
        default: throw syntaxError("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func parseObject() throws(PhimError) -> SourceNode {
        try enterContainer()
        index += 1  // {
        var members: [SourceMember] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return SourceNode(.object(members))
        }
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw syntaxError("unterminated object, found the end of the file") }
            guard byte == UInt8(ascii: "\"") else {
                if byte == UInt8(ascii: "}") { throw syntaxError("trailing comma before '}'") }
                if byte == UInt8(ascii: "/") { throw syntaxError("JSON does not allow comments") }
                if byte == UInt8(ascii: "'") { throw syntaxError("field names need double quotes, not single quotes") }
                throw syntaxError("expected a field name in double quotes, found \(describeCurrent())")
            }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else {
                throw syntaxError("expected ':' after the field name \"\(key)\", found \(describeCurrent())")
            }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { throw syntaxError("expected a value, found the end of the file") }
            let value = try parseValue()
            members.append(SourceMember(key: key, value: value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return SourceNode(.object(members))
            case nil: throw syntaxError("unterminated object, found the end of the file")
            default: throw syntaxError("expected ',' or '}' after a field, found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray() throws(PhimError) -> SourceNode {
        try enterContainer()
        index += 1  // [
        var elements: [SourceNode] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return SourceNode(.array(elements))
        }
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw syntaxError("unterminated array, found the end of the file") }
            if byte == UInt8(ascii: "]") { throw syntaxError("trailing comma before ']'") }
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return SourceNode(.array(elements))
            case nil: throw syntaxError("unterminated array, found the end of the file")
            default: throw syntaxError("expected ',' or ']' after an element, found \(describeCurrent())")
            }
        }
    }

    private mutating func enterContainer() throws(PhimError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw PhimError(.limitExceeded, "nesting deeper than \(Self.maxDepth) levels at \(position(of: index))",
                            subject: .file(fileName))
        }
    }

    private mutating func parseString() throws(PhimError) -> String {
        let opening = index
        index += 1  // "
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else {
                index = opening
                throw syntaxError("unterminated string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw syntaxError("control character in a string (write a line break as \\n)")
            default:
                utf8.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(PhimError) {
        guard let byte = peek() else { throw syntaxError("unterminated string") }
        index += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            utf8.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else {
            index -= 2
            throw syntaxError("invalid escape '\\\(String(decoding: [byte], as: UTF8.self))' in a string")
        }
        var code = try parseHexQuad()
        if (0xD800...0xDBFF).contains(code) {
            guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw syntaxError("unpaired UTF-16 surrogate in a \\u escape")
            }
            index += 2
            let low = try parseHexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw syntaxError("unpaired UTF-16 surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw syntaxError("unpaired UTF-16 surrogate in a \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw syntaxError("invalid \\u escape") }
        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func parseHexQuad() throws(PhimError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw syntaxError("expected four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexValue(bytes[index]) else { throw syntaxError("expected four hex digits after \\u") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func parseNumber() throws(PhimError) -> Double {
        let start = index
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard isDigit(peek()) else { throw syntaxError("expected a digit after '-'") }
        if peek() == UInt8(ascii: "0") {
            index += 1
            if isDigit(peek()) { index = start; throw syntaxError("numbers may not start with a leading zero") }
        } else {
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw syntaxError("expected a digit after the decimal point") }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw syntaxError("expected a digit in the exponent") }
            while isDigit(peek()) { index += 1 }
        }
        let literal = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(literal), value.isFinite else {
            index = start
            throw syntaxError("the number \(literal) is out of range")
        }
        return value
    }

    private mutating func expectLiteral(_ word: String) throws(PhimError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw syntaxError("expected a value, found \(describeCurrent()) (strings need double quotes)")
        }
        index += expected.count
    }

    // MARK: Position and errors

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// `'x'` for the character at the cursor, or `the end of the file`.
    private func describeCurrent() -> String {
        guard index < bytes.count else { return "the end of the file" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let character = String(decoding: bytes[index..<end], as: UTF8.self)
        if let scalar = character.unicodeScalars.first, scalar.properties.isWhitespace || scalar.value < 0x20 {
            return "U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
        return "'\(character)'"
    }

    /// `line L, column C` (both from 1, columns in characters) of a byte offset.
    private func position(of offset: Int) -> String {
        let location = TextLocation(of: offset, in: bytes)
        return "line \(location.line), column \(location.column)"
    }

    private func syntaxError(_ problem: String) -> PhimError {
        PhimError(.invalidInput, "invalid JSON at \(position(of: index)): \(problem)", subject: .file(fileName))
    }
}

/// A line and column (both from 1; columns count Unicode scalars) in UTF-8 text.
struct TextLocation: Equatable {
    var line: Int
    var column: Int

    /// The location of byte `offset` in `bytes`.
    init(of offset: Int, in bytes: some Collection<UInt8>) {
        var line = 1, column = 1, position = 0
        for byte in bytes {
            if position >= offset { break }
            position += 1
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }
}
