import Foundation
import PhimCore
import PhimSafetensors
import PhimTesting
import Testing

/// The safetensors reader and writer on their own, without libtorch: the bytes of every dtype round-trip, sums are
/// exact, and hostile or truncated files are one clear error naming the file.
@Suite struct SafetensorsFileTests {
    let folder = TemporaryFolder("phim-safetensors")

    /// An item whose bytes are `bytes`.
    func item(_ name: String, _ dtype: SafetensorsDType, _ shape: [Int], _ bytes: [UInt8]) -> SafetensorsWriter.Item {
        SafetensorsWriter.Item(name: name, dtype: dtype, shape: shape) { sink in try bytes.withUnsafeBytes { try sink($0) } }
    }

    func bytes<T>(of values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func everyDtypeRoundTripsByteForByte() throws {
        let path = folder.file("all.safetensors").path
        var written: [String: [UInt8]] = [:]
        var items: [SafetensorsWriter.Item] = []
        for (index, dtype) in SafetensorsDType.allCases.enumerated() {
            let shape = [2, index + 1]
            let data = (0..<(shape[0] * shape[1] * dtype.byteCount)).map { UInt8(truncatingIfNeeded: $0 * 37 + index) }
            let name = "t\(index).\(dtype.rawValue)"
            written[name] = dtype == .bool ? data.map { $0 & 1 } : data
            items.append(item(name, dtype, shape, written[name]!))
        }
        try SafetensorsWriter.write(items, metadata: ["format": "pt", "note": "Xin chào \"quoted\"\n"], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.header.metadata == ["format": "pt", "note": "Xin chào \"quoted\"\n"])
        #expect(file.header.entries.count == SafetensorsDType.allCases.count)
        for entry in file.header.entries {
            var buffer = [UInt8](repeating: 0, count: entry.range.count)
            try buffer.withUnsafeMutableBytes { try file.read(entry, into: $0) }
            #expect(buffer == written[entry.name], "\(entry.name)")
            #expect(entry.range.count == entry.elementCount * entry.dtype.byteCount)
        }
    }

    @Test func sumsAreExact() throws {
        let path = folder.file("sums.safetensors").path
        try SafetensorsWriter.write([
            item("f", .float32, [4], bytes(of: [1, 2.5, -4, 0.25] as [Float])),
            item("d", .float64, [2], bytes(of: [1e-300, 3] as [Double])),
            item("i", .int64, [3], bytes(of: [Int64(1) << 40, -5, 7] as [Int64])),
            item("u", .uint8, [3], [200, 255, 1]),
            item("b", .bool, [4], [1, 0, 1, 1]),
        ], to: path)
        let file = try SafetensorsFile(path: path)
        let sums = try Dictionary(uniqueKeysWithValues: file.header.entries.map { ($0.name, try file.sum(of: $0)) })
        #expect(sums == ["f": -0.25, "d": 3, "i": Double(Int64(1) << 40) + 2, "u": 456, "b": 3])
    }

    /// Writes `header` (JSON) with the given data bytes and a header length that may lie.
    func hostileFile(_ header: String, data: Int = 0, claimedLength: UInt64? = nil) throws -> String {
        let path = folder.file("hostile.safetensors").path
        var bytes = Data()
        var length = (claimedLength ?? UInt64(header.utf8.count)).littleEndian
        bytes.append(Data(bytes: &length, count: 8))
        bytes.append(Data(header.utf8))
        bytes.append(Data(repeating: 0, count: data))
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    static let hostileCases: [(String, String, Int, UInt64?, String)] = [
        ("offsets past the end", #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, 8, nil, "outside"),
        ("overlapping ranges", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, nil, "overlap"),
        ("a hole", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, nil, "hole"),
        ("unclaimed bytes", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 8, nil, "belong to no tensor"),
        ("a size that does not match the shape", #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, nil, "bytes for 3 elements"),
        ("a shape that overflows", #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#, 8, nil, "too large"),
        ("a negative size", #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, 0, nil, "negative"),
        ("an unknown dtype", #"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}"#, 1, nil, "dtype Q7"),
        ("a header that is not JSON", "{not json at all", 0, nil, "not JSON"),
        ("a header that is not an object", "[1, 2, 3]", 0, nil, "start with"),
        ("huge offsets", #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551616]}}"#, 1, nil, "data_offsets"),
        ("a header claiming terabytes", "{}", 0, 5_000_000_000_000, "more than the"),
        ("a header longer than the file", #"{"a":1}"#, 0, 4096, "truncated"),
        ("JSON nested too deeply", #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}", 0, nil, "not JSON"),
    ]

    @Test(arguments: hostileCases.indices)
    func hostileFilesAreClearErrors(_ index: Int) throws {
        let (name, header, data, claimed, fragment) = Self.hostileCases[index]
        let path = try hostileFile(header, data: data, claimedLength: claimed)
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("\(name): read without error")
        } catch {
            #expect(error.isInvalidInput, "\(name)")
            #expect(error.subject == .file(path))
            #expect(error.message.contains(fragment), "\(name): \(error.message)")
        }
    }

    @Test func truncatedFilesAreClearErrors() throws {
        let path = folder.file("whole.safetensors").path
        try SafetensorsWriter.write([item("w", .float32, [64], bytes(of: [Float](repeating: 1, count: 64)))], to: path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [0, 5, 8, 20, whole.count - 1] {
            let truncated = folder.file("cut-\(cut).safetensors").path
            try whole.prefix(cut).write(to: URL(fileURLWithPath: truncated))
            let error = #expect(throws: PhimError.self, "cut at \(cut)") { try SafetensorsFile(path: truncated) }
            #expect(error?.subject == .file(truncated))
        }
        #expect(throws: PhimError.self) { try SafetensorsFile(path: folder.file("missing.safetensors").path) }
    }

    @Test func repeatedOrReservedNamesAreRefused() throws {
        let path = folder.file("names.safetensors").path
        #expect(throws: PhimError.self) { try SafetensorsWriter.write([item("a", .uint8, [1], [1]), item("a", .uint8, [1], [2])], to: path) }
        #expect(throws: PhimError.self) { try SafetensorsWriter.write([item("__metadata__", .uint8, [1], [1])], to: path) }
        #expect(folder.contents.isEmpty)
    }
}
