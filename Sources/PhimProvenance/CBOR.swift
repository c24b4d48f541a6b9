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

    public static func int(_ value: Int) -> CBOR { value >= 0 ? .unsigned(UInt64(value)) : .negative(Int64(value)) }

    /// A map with text keys, in the order given.
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
