import Foundation
import PhimCore
import PhimTensor

/// The safetensors format (Hugging Face), Phim's checkpoint format: an 8-byte little-endian header
/// length N, N bytes of JSON naming each tensor's dtype, shape and byte range, then the tensors' bytes.
///
/// Reading checks every number in the header against the file before allocating anything: the header
/// must fit in the file and in ``maxHeaderSize``; every tensor's range must lie inside the data, match
/// its dtype and shape exactly, and the ranges must cover the data without overlaps or holes.
/// A file that fails a check is a `PhimError` naming the file (`.unreadableFile`, or `.limitExceeded`).
public enum Safetensors {
    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderSize = 100_000_000

    /// One tensor as the header describes it.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Byte range within the data section (after the header).
        public var range: Range<Int>
    }

    /// A parsed and validated header.
    public struct Header: Sendable {
        /// The tensors, in the order of their bytes in the file.
        public var entries: [Entry]
        /// The free-form `__metadata__` map.
        public var metadata: [String: String]
        /// Where the data section starts in the file.
        public var dataOffset: Int
    }

    static let dtypeNames: [(DType, String)] = [
        (.float32, "F32"), (.float16, "F16"), (.bfloat16, "BF16"), (.float64, "F64"), (.int64, "I64"),
        (.int32, "I32"), (.uint8, "U8"), (.bool, "BOOL"), (.int8, "I8"), (.int16, "I16"),
    ]

    /// The safetensors name of `dtype` (`F32`, `BF16`, …).
    public static func name(of dtype: DType) -> String { dtypeNames.first { $0.0 == dtype }!.1 }

    // MARK: Reading

    /// Reads and validates the header of the file at `path`.
    public static func readHeader(path: String) throws(PhimError) -> Header {
        try SafetensorsFile(path: path).header
    }

    /// Reads every tensor (in file order) and the metadata.
    public static func read(path: String) throws(PhimError) -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let file = try SafetensorsFile(path: path)
        var tensors: [(String, Tensor)] = []
        for entry in file.header.entries {
            tensors.append((entry.name, try file.tensor(entry)))
        }
        return (tensors, file.header.metadata)
    }

    /// Parses and validates header JSON, given the size of the data section that follows it.
    public static func parseHeader(_ json: Data, dataSize: Int, subject: String) throws(PhimError) -> (entries: [Entry], metadata: [String: String]) {
        func bad(_ message: String) -> PhimError { PhimError(.unreadableFile, "not a valid safetensors file: \(message)", subject: subject) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw bad("the header is not JSON")
        }
        guard let root = object as? [String: Any] else { throw bad("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in root {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (key, text) in map {
                    guard let text = text as? String else { throw bad("__metadata__.\(key) is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw bad("'\(name)' is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw bad("'\(name)' has no dtype") }
            guard let dtype = dtypeNames.first(where: { $0.1 == dtypeName })?.0 else {
                throw PhimError(.unsupported, "tensor '\(name)' has dtype \(dtypeName), which Phim does not read", subject: subject)
            }
            guard let shapeValues = info["shape"] as? [Any], shapeValues.count <= 64 else { throw bad("'\(name)' has no valid shape") }
            var shape: [Int] = []
            var elements = 1
            for dimension in shapeValues {
                guard let size = exactInt(dimension), size >= 0 else { throw bad("'\(name)' has a negative or non-integer size") }
                shape.append(size)
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { throw bad("'\(name)' has a shape too large to address") }
                elements = product
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = exactInt(offsets[0]), let end = exactInt(offsets[1]) else {
                throw bad("'\(name)' has no valid data_offsets")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw bad("'\(name)' has data_offsets [\(begin), \(end)] outside the \(dataSize) bytes of data")
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, bytes == end - begin else {
                throw bad("'\(name)' has \(end - begin) bytes for \(elements) elements of \(dtype)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, range: begin..<end))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        var position = 0
        for entry in entries {
            if entry.range.lowerBound < position { throw bad("the bytes of '\(entry.name)' overlap another tensor's") }
            if entry.range.lowerBound > position { throw bad("the data has a hole before '\(entry.name)'") }
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

    // MARK: Writing

    /// Writes `tensors` (names must be unique) and `metadata` to `path`, through a temporary file renamed when complete.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to path: String) throws(PhimError) {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__", seen.insert(name).inserted else {
                throw PhimError(.invalidInput, "the tensor name '\(name)' is reserved or repeated", subject: path)
            }
        }
        // Contiguous CPU copies, in name order.
        let ordered = tensors.sorted { $0.0 < $1.0 }
        var prepared: [(String, Tensor)] = []
        do {
            for (name, tensor) in ordered {
                let cpu = try withNoGrad { () throws(TensorError) -> Tensor in try tensor.detach().to(.cpu).contiguous() }
                prepared.append((name, cpu))
            }
        } catch {
            throw PhimError(.operationFailed, "cannot read a tensor to save: \(error)", subject: path, underlying: error)
        }
        var json = "{"
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            json += "},"
        }
        var offset = 0
        var fields: [String] = []
        for (name, tensor) in prepared {
            let size = tensor.count * tensor.dtype.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(name)):{\"dtype\":\"\(Self.name(of: tensor.dtype))\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        json += fields.joined(separator: ",") + "}"
        if json.hasSuffix(",}") { json.removeLast(2); json += "}" }
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad with spaces so the data is 8-byte aligned

        let output = try OutputFile(URL(fileURLWithPath: path))
        do {
            guard FileManager.default.createFile(atPath: output.temporary.path, contents: nil) else {
                throw PhimError(.writeFailed, "cannot create '\(output.temporary.path)'", subject: path)
            }
            let handle = try FileHandle(forWritingTo: output.temporary)
            defer { try? handle.close() }
            var length = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: Data(header))
            for (_, tensor) in prepared where tensor.count > 0 {
                let data = try tensor.withUnsafeMutableBytes { Data($0) }
                try handle.write(contentsOf: data)
            }
        } catch {
            output.discard()
            throw PhimError(.writeFailed, "cannot write the checkpoint: \(error)", subject: path, underlying: error)
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

/// An open safetensors file whose header has been validated.
final class SafetensorsFile {
    let path: String
    let descriptor: Int32
    let header: Safetensors.Header

    init(path: String) throws(PhimError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code: PhimError.Code = errno == ENOENT ? .fileNotFound : .unreadableFile
            throw PhimError(code, errno == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(errno)))", subject: path)
        }
        descriptor = fd
        do throws(PhimError) {
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw PhimError(.unreadableFile, "not a regular file", subject: path)
            }
            let fileSize = Int(info.st_size)
            guard fileSize >= 8 else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: \(fileSize) bytes is shorter than the 8-byte header length", subject: path)
            }
            var lengthBytes = [UInt8](repeating: 0, count: 8)
            try SafetensorsFile.readFully(fd, into: &lengthBytes, at: 0, path: path)
            let length = lengthBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
            guard length <= UInt64(Safetensors.maxHeaderSize) else {
                throw PhimError(.limitExceeded, "the safetensors header claims \(length) bytes, more than the \(Safetensors.maxHeaderSize) allowed", subject: path)
            }
            guard Int(length) <= fileSize - 8 else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: the header claims \(length) bytes but the file is truncated at \(fileSize)", subject: path)
            }
            guard length >= 2 else { throw PhimError(.unreadableFile, "not a valid safetensors file: empty header", subject: path) }
            var json = [UInt8](repeating: 0, count: Int(length))
            try SafetensorsFile.readFully(fd, into: &json, at: 8, path: path)
            guard json.first == UInt8(ascii: "{") else {
                throw PhimError(.unreadableFile, "not a valid safetensors file: the header does not start with '{'", subject: path)
            }
            let dataOffset = 8 + Int(length)
            let parsed = try Safetensors.parseHeader(Data(json), dataSize: fileSize - dataOffset, subject: path)
            header = Safetensors.Header(entries: parsed.entries, metadata: parsed.metadata, dataOffset: dataOffset)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(PhimError) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw PhimError(.unreadableFile, "the file ended or failed while reading \(buffer.count) bytes at \(offset)", subject: path)
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

    /// Reads one tensor's bytes straight into a new tensor.
    func tensor(_ entry: Safetensors.Entry) throws(PhimError) -> Tensor {
        do {
            let tensor = try Tensor.empty(entry.shape, dtype: entry.dtype)
            if entry.range.count > 0 {
                try tensor.withUnsafeMutableBytes { buffer in
                    try SafetensorsFile.readFully(descriptor, into: buffer, at: header.dataOffset + entry.range.lowerBound, path: path)
                }
            }
            return tensor
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.operationFailed, "cannot create tensor '\(entry.name)': \(error)", subject: path)
        }
    }
}
