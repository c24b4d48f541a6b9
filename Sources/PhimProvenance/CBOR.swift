import Foundation

/// A CBOR value (RFC 8949), as C2PA's claims, assertions and COSE signatures are written: definite lengths,
/// integers in their shortest form, maps with text keys in the order given (C2PA validators hash the bytes as
/// stored, so the order only has to be stable, and it is: the writer is deterministic).
public indirect enum CBOR: Sendable, Equatable {
    case unsigned(UInt64)
    case negative(Int64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    /// Keys and values in order.
    case map([(CBOR, CBOR)])
    case tagged(UInt64, CBOR)
    case bool(Bool)
    case null
    /// A floating-point number (read from other writers' manifests; Phim writes none).
    case float(Double)

    public static func int(_ value: Int) -> CBOR { value >= 0 ? .unsigned(UInt64(value)) : .negative(Int64(value)) }

    /// A map with text keys, in the order given.
    /// A map with text keys from a dictionary, in RFC 8949's deterministic order (shorter keys first, then bytewise).
    public static func object(_ members: [String: CBOR]) -> CBOR {
        let ordered = members.sorted { a, b in
            a.key.utf8.count != b.key.utf8.count ? a.key.utf8.count < b.key.utf8.count
                : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
        return .map(ordered.map { (.text($0.key), $0.value) })
    }

    public static func object(_ members: KeyValuePairs<String, CBOR>) -> CBOR {
        .map(members.map { (.text($0.key), $0.value) })
    }

    public static func == (lhs: CBOR, rhs: CBOR) -> Bool { lhs.encoded() == rhs.encoded() }

    /// The value's encoding.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let value):
            Self.head(0, value, into: &out)
        case .negative(let value):
            Self.head(1, UInt64(-1 - value), into: &out)
        case .bytes(let bytes):
            Self.head(2, UInt64(bytes.count), into: &out)
            out += bytes
        case .text(let text):
            let utf8 = Array(text.utf8)
            Self.head(3, UInt64(utf8.count), into: &out)
            out += utf8
        case .array(let items):
            Self.head(4, UInt64(items.count), into: &out)
            for item in items { item.encode(into: &out) }
        case .map(let pairs):
            Self.head(5, UInt64(pairs.count), into: &out)
            for (key, value) in pairs {
                key.encode(into: &out)
                value.encode(into: &out)
            }
        case .tagged(let tag, let value):
            Self.head(6, tag, into: &out)
            value.encode(into: &out)
        case .bool(let value):
            out.append(value ? 0xf5 : 0xf4)
        case .null:
            out.append(0xf6)
        case .float(let value):
            out.append(0xfb)
            out += BigEndian.bytes(value.bitPattern)
        }
    }

    /// A major type and its argument in the shortest form.
    static func head(_ major: UInt8, _ argument: UInt64, into out: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            out.append(type | UInt8(argument))
        case 24..<0x100:
            out += [type | 24, UInt8(argument)]
        case 0x100..<0x1_0000:
            out.append(type | 25)
            out += BigEndian.bytes(UInt16(argument))
        case 0x1_0000..<0x1_0000_0000:
            out.append(type | 26)
            out += BigEndian.bytes(UInt32(argument))
        default:
            out.append(type | 27)
            out += BigEndian.bytes(argument)
        }
    }
}

// MARK: Reading

extension CBOR {
    /// The value of `key` in a map with text keys.
    public subscript(key: String) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == .text(key) }?.1
    }

    /// The value of an integer `key` in a map (COSE headers).
    public subscript(intKey key: Int) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == .int(key) }?.1
    }

    public var text: String? { if case .text(let value) = self { value } else { nil } }
    public var byteString: [UInt8]? { if case .bytes(let value) = self { value } else { nil } }
    public var items: [CBOR]? { if case .array(let value) = self { value } else { nil } }
    public var integer: Int? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int.max) ? Int(value) : nil
        case .negative(let value): Int(value)
        default: nil
        }
    }

    /// Decodes one value that fills `bytes` exactly.
    /// - Throws: `CBORError` for truncated, malformed or over-deep input, or bytes left over.
    public static func decode(_ bytes: some Collection<UInt8>) throws(CBORError) -> CBOR {
        var reader = CBORReader(bytes: Array(bytes))
        let value = try reader.value(depth: 0)
        guard reader.index == reader.bytes.count else { throw CBORError("\(reader.bytes.count - reader.index) bytes after the value") }
        return value
    }
}

/// Why CBOR did not decode.
public struct CBORError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A bounds-checked CBOR reader: definite and indefinite lengths, nesting at most 64 deep, lengths checked against
/// the bytes left before anything is allocated.
struct CBORReader {
    let bytes: [UInt8]
    var index = 0
    static let maxDepth = 64

    mutating func byte() throws(CBORError) -> UInt8 {
        guard index < bytes.count else { throw CBORError("truncated") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func take(_ count: UInt64) throws(CBORError) -> [UInt8] {
        guard count <= UInt64(bytes.count - index) else { throw CBORError("a length of \(count) runs past the end") }
        defer { index += Int(count) }
        return Array(bytes[index..<index + Int(count)])
    }

    mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24: return UInt64(try byte())
        case 25: return try take(2).reduce(0) { $0 << 8 | UInt64($1) }
        case 26: return try take(4).reduce(0) { $0 << 8 | UInt64($1) }
        case 27: return try take(8).reduce(0) { $0 << 8 | UInt64($1) }
        default: throw CBORError("reserved additional information \(info)")
        }
    }

    mutating func value(depth: Int) throws(CBORError) -> CBOR {
        guard depth < Self.maxDepth else { throw CBORError("nested more than \(Self.maxDepth) deep") }
        let initial = try byte()
        let major = initial >> 5, info = initial & 0x1f
        if info == 31, [2, 3, 4, 5].contains(major) { return try indefinite(major, depth: depth) }
        switch major {
        case 0:
            return .unsigned(try argument(info))
        case 1:
            let value = try argument(info)
            guard value < UInt64(Int64.max) else { throw CBORError("negative integer out of range") }
            return .negative(-1 - Int64(value))
        case 2:
            return .bytes(try take(try argument(info)))
        case 3:
            guard let text = String(validating: try take(try argument(info)), as: UTF8.self) else { throw CBORError("text that is not UTF-8") }
            return .text(text)
        case 4:
            let count = try argument(info)
            guard count <= UInt64(bytes.count - index) else { throw CBORError("an array of \(count) items runs past the end") }
            var items: [CBOR] = []
            for _ in 0..<count { items.append(try value(depth: depth + 1)) }
            return .array(items)
        case 5:
            let count = try argument(info)
            guard count <= UInt64(bytes.count - index) / 2 else { throw CBORError("a map of \(count) pairs runs past the end") }
            var pairs: [(CBOR, CBOR)] = []
            for _ in 0..<count { pairs.append((try value(depth: depth + 1), try value(depth: depth + 1))) }
            return .map(pairs)
        case 6:
            return .tagged(try argument(info), try value(depth: depth + 1))
        default:
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22, 23: return .null
            case 25:
                let half = UInt16(try argument(25))
                return .float(Double(Float16(bitPattern: half)))
            case 26: return .float(Double(Float(bitPattern: UInt32(try argument(26)))))
            case 27: return .float(Double(bitPattern: try argument(27)))
            default: throw CBORError("unsupported simple value \(info)")
            }
        }
    }

    mutating func indefinite(_ major: UInt8, depth: Int) throws(CBORError) -> CBOR {
        var items: [CBOR] = []
        while true {
            guard index < bytes.count else { throw CBORError("truncated") }
            if bytes[index] == 0xff { index += 1; break }
            items.append(try value(depth: depth + 1))
        }
        switch major {
        case 2: return .bytes(items.flatMap { $0.byteString ?? [] })
        case 3: return .text(items.compactMap(\.text).joined())
        case 4: return .array(items)
        default:
            guard items.count % 2 == 0 else { throw CBORError("a map with an odd number of items") }
            return .map(stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) })
        }
    }
}

/// Big-endian integers, as BMFF, JUMBF and CBOR store them.
enum BigEndian {
    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: some Collection<UInt8>, at offset: Int) -> T {
        var value: T = 0
        var index = bytes.index(bytes.startIndex, offsetBy: offset)
        for _ in 0..<MemoryLayout<T>.size {
            value = value << 8 | T(bytes[index])
            index = bytes.index(after: index)
        }
        return value
    }

    static func write<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        for (index, byte) in Self.bytes(value).enumerated() { bytes[offset + index] = byte }
    }
}
