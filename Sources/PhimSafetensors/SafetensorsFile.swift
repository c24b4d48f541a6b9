import Foundation
import PhimCore

// The safetensors format (Hugging Face), Phim's checkpoint format, without libtorch: an 8-byte
// little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte range,
// then the tensors' bytes. PhimNN turns these bytes into tensors; `phim model info` reads them
// directly, so the CLI does not load libtorch for it.

/// The element types of a safetensors file that Phim reads and writes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32", float16 = "F16", bfloat16 = "BF16", float64 = "F64"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }
}

/// One tensor as a header describes it.
public struct SafetensorsEntry: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Byte range within the data section (after the header).
    public var range: Range<Int>

    public init(name: String, dtype: SafetensorsDType, shape: [Int], range: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.range = range
    }

    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A parsed and validated header.
public struct SafetensorsHeader: Sendable {
    /// The tensors, in the order of their bytes in the file.
    public var entries: [SafetensorsEntry]
    /// The free-form `__metadata__` map.
    public var metadata: [String: String]
    /// Where the data section starts in the file.
    public var dataOffset: Int
}

/// An open safetensors file whose header has been validated.
///
/// Opening checks every number in the header against the file before allocating anything: the header
/// must fit in the file and in ``maxHeaderSize``; every tensor's range must lie inside the data and match
/// its dtype and shape exactly, and the ranges must cover the data without overlaps or holes. A file that
/// fails a check is a `PhimError` naming the file (`.unreadableFile`, `.unsupported` or `.limitExceeded`).
///
/// Not `Sendable`: it owns a file descriptor; read from one thread at a time.
public final class SafetensorsFile {
    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderSize = 100_000_000

    public let path: String
    public let header: SafetensorsHeader
    private let descriptor: Int32

    public init(path: String) throws(PhimError) {
        self.path = path
        // Without blocking: a FIFO with no writer would otherwise hang `open` for ever (the type is checked next).
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let missing = errno == ENOENT
            throw PhimError(missing ? .fileNotFound : .unreadableFile,
                            missing ? "no such file" : "cannot open: \(String(cString: strerror(errno)))", subject: .file(path))
        }
        descriptor = fd
        do throws(PhimError) {
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw PhimError(.unreadableFile, "is \(InputFile.kindName(info.st_mode)), not a regular file", subject: .file(path))
            }
            let fileSize = Int(info.st_size)
            guard fileSize >= 8 else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: \(fileSize) bytes is shorter than the 8-byte header length", subject: .file(path))
            }
            var lengthBytes = [UInt8](repeating: 0, count: 8)
            try SafetensorsFile.readFully(fd, into: &lengthBytes, at: 0, path: path)
            let length = lengthBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
            guard length <= UInt64(SafetensorsFile.maxHeaderSize) else {
                throw PhimError(.limitExceeded, "the safetensors header claims \(length) bytes, more than the \(SafetensorsFile.maxHeaderSize) allowed", subject: .file(path))
            }
            guard Int(length) <= fileSize - 8 else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: the header claims \(length) bytes but the file is truncated at \(fileSize)", subject: .file(path))
            }
            guard length >= 2 else { throw PhimError(.unreadableFile, "not a valid safetensors file: empty header", subject: .file(path)) }
            var json = [UInt8](repeating: 0, count: Int(length))
            try SafetensorsFile.readFully(fd, into: &json, at: 8, path: path)
            guard json.first == UInt8(ascii: "{") else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: the header does not start with '{'", subject: .file(path))
            }
            let dataOffset = 8 + Int(length)
            let parsed = try SafetensorsFile.parseHeader(Data(json), dataSize: fileSize - dataOffset, subject: .file(path))
            header = SafetensorsHeader(entries: parsed.entries, metadata: parsed.metadata, dataOffset: dataOffset)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// Reads the bytes of `entry` into `buffer`, which must hold exactly `entry.range.count` bytes.
    public func read(_ entry: SafetensorsEntry, into buffer: UnsafeMutableRawBufferPointer) throws(PhimError) {
        guard buffer.count == entry.range.count else {
            throw PhimError(.invalidInput, "a buffer of \(buffer.count) bytes for the \(entry.range.count) of \(entry.name.quoted())", subject: .file(path))
        }
        guard buffer.count > 0 else { return }
        try SafetensorsFile.readFully(descriptor, into: buffer, at: header.dataOffset + entry.range.lowerBound, path: path)
    }

    /// The sum of `entry`'s elements as a `Double` (booleans count as 0 and 1), read in chunks.
    public func sum(of entry: SafetensorsEntry) throws(PhimError) -> Double {
        let chunkElements = 1 << 16
        let size = entry.dtype.byteCount
        var total = 0.0
        var buffer = [UInt8](repeating: 0, count: Swift.min(entry.range.count, chunkElements * size))
        var offset = 0
        while offset < entry.range.count {
            let n = Swift.min(buffer.count, entry.range.count - offset)
            var failure: PhimError?
            buffer.withUnsafeMutableBytes { raw in
                do throws(PhimError) {
                    try SafetensorsFile.readFully(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<n]),
                                                  at: header.dataOffset + entry.range.lowerBound + offset, path: path)
                } catch { failure = error }
            }
            if let failure { throw failure }
            total += buffer.withUnsafeBytes { SafetensorsFile.sum(UnsafeRawBufferPointer(rebasing: $0[0..<n]), entry.dtype) }
            offset += n
        }
        return total
    }

    static func sum(_ bytes: UnsafeRawBufferPointer, _ dtype: SafetensorsDType) -> Double {
        let count = bytes.count / dtype.byteCount
        var total = 0.0
        for i in 0..<count {
            let at = i * dtype.byteCount
            switch dtype {
            case .float32: total += Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))))
            case .float64: total += Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
            case .float16: total += Double(halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
            case .bfloat16:
                total += Double(Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))) << 16))
            case .int64: total += Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
            case .int32: total += Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            case .int16: total += Double(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
            case .int8: total += Double(bytes.load(fromByteOffset: at, as: Int8.self))
            case .uint8: total += Double(bytes[at])
            case .bool: total += bytes[at] == 0 ? 0 : 1
            }
        }
        return total
    }

    /// IEEE half-precision bits to a Float (exact), without relying on the platform's Float16.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1f)
        let fraction = Float(bits & 0x3ff)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(PhimError) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw PhimError(.unreadableFile, "the file ended or failed while reading \(buffer.count) bytes at \(offset)", subject: .file(path))
            }
            done += n
        }
    }

    static func readFully(_ fd: Int32, into bytes: inout [UInt8], at offset: Int, path: String) throws(PhimError) {
        var failure: PhimError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(PhimError) { try readFully(fd, into: buffer, at: offset, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    // MARK: Header

    /// Parses and validates header JSON, given the size of the data section that follows it.
    public static func parseHeader(_ json: Data, dataSize: Int, subject: PhimError.Subject) throws(PhimError) -> (entries: [SafetensorsEntry], metadata: [String: String]) {
        func bad(_ message: String) -> PhimError { PhimError(.unreadableFile, "not a valid safetensors file: \(message)", subject: subject) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw bad("the header is not JSON")
        }
        guard let root = object as? [String: Any] else { throw bad("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in root {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (key, text) in map {
                    guard let text = text as? String else { throw bad("__metadata__.\(key) is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw bad("\(name.quoted()) is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw bad("\(name.quoted()) has no dtype") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw PhimError(.unsupported, "tensor \(name.quoted()) has dtype \(dtypeName), which Phim does not read", subject: subject)
            }
            guard let shapeValues = info["shape"] as? [Any], shapeValues.count <= 64 else { throw bad("\(name.quoted()) has no valid shape") }
            var shape: [Int] = []
            var elements = 1
            for dimension in shapeValues {
                guard let size = exactInt(dimension), size >= 0 else { throw bad("\(name.quoted()) has a negative or non-integer size") }
                shape.append(size)
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { throw bad("\(name.quoted()) has a shape too large to address") }
                elements = product
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = exactInt(offsets[0]), let end = exactInt(offsets[1]) else {
                throw bad("\(name.quoted()) has no valid data_offsets")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw bad("\(name.quoted()) has data_offsets [\(begin), \(end)] outside the \(dataSize) bytes of data")
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, bytes == end - begin else {
                throw bad("\(name.quoted()) has \(end - begin) bytes for \(elements) elements of \(dtype.rawValue)")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, range: begin..<end))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        var position = 0
        for entry in entries {
            if entry.range.lowerBound < position { throw bad("the bytes of \(entry.name.quoted()) overlap another tensor's") }
            if entry.range.lowerBound > position { throw bad("the data has a hole before \(entry.name.quoted())") }
            position = entry.range.upperBound
        }
        guard position == dataSize else { throw bad("\(dataSize - position) bytes of data belong to no tensor") }
        return (entries, metadata)
    }

    /// The value as an Int when it is an integral JSON number that fits (not a boolean, not a fraction).
    static func exactInt(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, type(of: number) != booleanType else { return nil }
        return value as? Int  // nil for fractions and for values beyond Int
    }

    private static let booleanType = type(of: NSNumber(value: true))
}

// MARK: Writing

/// Writes a safetensors file: tensors in the given order, each written by a closure that receives its
/// share of the output, through a temporary file renamed when complete.
public enum SafetensorsWriter {
    /// One tensor to write: its `write` closure must hand over exactly `shape`·`dtype.byteCount` bytes.
    public struct Item {
        public var name: String
        public var dtype: SafetensorsDType
        public var shape: [Int]
        public var write: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void

        public init(name: String, dtype: SafetensorsDType, shape: [Int],
                    write: @escaping (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.write = write
        }
    }

    public static func write(_ items: [Item], metadata: [String: String] = [:], to path: String) throws(PhimError) {
        var seen = Set<String>()
        for item in items {
            guard item.name != "__metadata__", seen.insert(item.name).inserted else {
                throw PhimError(.invalidInput, "the tensor name \(item.name.quoted()) is reserved or repeated", subject: .file(path))
            }
        }
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            fields.append("\"__metadata__\":{" + metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",") + "}")
        }
        var offset = 0
        for item in items {
            let size = item.shape.reduce(1, *) * item.dtype.byteCount
            let shape = item.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(item.name)):{\"dtype\":\"\(item.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        json += fields.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // spaces, so the data starts 8-byte aligned

        let output = try OutputFile(URL(fileURLWithPath: path))
        do {
            guard FileManager.default.createFile(atPath: output.temporary.path, contents: nil) else {
                throw PhimError(.writeFailed, "cannot create \(output.temporary.path.quoted())", subject: .file(path))
            }
            let handle = try FileHandle(forWritingTo: output.temporary)
            defer { try? handle.close() }
            var length = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: Data(header))
            for item in items {
                var written = 0
                try item.write { bytes in
                    written += bytes.count
                    try handle.write(contentsOf: Data(bytes))
                }
                let expected = item.shape.reduce(1, *) * item.dtype.byteCount
                guard written == expected else {
                    throw PhimError(.operationFailed, "\(item.name.quoted()) gave \(written) bytes instead of \(expected)", subject: .file(path))
                }
            }
        } catch let error as PhimError {
            output.discard()
            throw error
        } catch {
            output.discard()
            throw PhimError(.writeFailed, "cannot write the file: \(error)", subject: .file(path), underlying: error)
        }
        try output.commit()
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
