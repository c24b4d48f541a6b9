import Foundation
import PhimCore
import Testing
@testable import PhimNN
@testable import PhimTensor

@Suite struct SafetensorsTests {
    /// One tensor of every dtype, with values that survive the dtype exactly.
    func sampleTensors() throws -> [(String, Tensor)] {
        let base = try Tensor([0, 1, -2, 3.5, 4, -0.25] as [Float], shape: [2, 3])
        return try [
            ("a.float32", base),
            ("b.float16", base.to(.float16)),
            ("c.bfloat16", base.to(.bfloat16)),
            ("d.float64", base.to(.float64).mul(1e100)),
            ("e.int64", Tensor([Int64.min, -1, Int64.max] as [Int64])),
            ("f.int32", Tensor([Int32.min, 7] as [Int32])),
            ("g.uint8", Tensor([0, 200, 255] as [UInt8], shape: [1, 3, 1])),
            ("h.bool", Tensor([true, false, false, true])),
            ("i.scalar", Tensor(scalar: 2.5)),
            ("j.empty", Tensor.zeros([0, 4])),
        ]
    }

    @Test func roundTripsEveryDtypeAndTheMetadata() throws {
        let path = temporaryPath("all.safetensors")
        let tensors = try sampleTensors()
        try Safetensors.write(tensors, metadata: ["format": "pt", "note": "Xin chào \"quoted\"\n"], to: path)
        let (read, metadata) = try Safetensors.read(path: path)
        #expect(metadata == ["format": "pt", "note": "Xin chào \"quoted\"\n"])
        #expect(read.map(\.0) == tensors.map(\.0))
        for ((name, a), (_, b)) in zip(tensors, read) {
            #expect(a.dtype == b.dtype && a.shape == b.shape, "\(name)")
            #expect(try a.isEqual(to: b), "\(name)")
        }
        // The data section starts 8-byte aligned.
        #expect(try Safetensors.readHeader(path: path).dataOffset % 8 == 0)
    }

    @Test(.enabled(if: PythonSafetensors.isAvailable, "needs Python's safetensors and numpy from PyPI, which pip could not install"))
    func pythonReadsPhimsFilesAndPhimReadsPythons() throws {
        let ours = temporaryPath("phim.safetensors")
        try Safetensors.write(try sampleTensors(), metadata: ["who": "phim"], to: ours)
        // NumPy has no bfloat16: that tensor is checked from its raw bytes (the top half of a float32).
        let check = try PythonSafetensors.execute("""
        from safetensors import safe_open
        import json, struct
        import numpy as np
        raw = open("\(ours)", "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        with safe_open("\(ours)", framework="np") as f:
            print(f.metadata()["who"])
            for k in sorted(f.keys()):
                if header[k]["dtype"] == "BF16":
                    a, b = header[k]["data_offsets"]
                    bits = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<u2").astype(np.uint32) << 16
                    t = bits.view(np.float32).reshape(header[k]["shape"])
                    print(k, "bfloat16", list(t.shape), repr(float(t.astype(np.float64).sum())))
                    continue
                t = f.get_tensor(k)
                print(k, t.dtype, list(t.shape), repr(float(t.astype(np.float64).sum())) if t.dtype != np.int64 else int(t.astype(object).sum()))
        """)
        #expect(check.status == 0, "\(check.error)")
        #expect(check.output == """
        phim
        a.float32 float32 [2, 3] 6.25
        b.float16 float16 [2, 3] 6.25
        c.bfloat16 bfloat16 [2, 3] 6.25
        d.float64 float64 [2, 3] 6.25e+100
        e.int64 int64 [3] -2
        f.int32 int32 [2] -2147483641.0
        g.uint8 uint8 [1, 3, 1] 455.0
        h.bool bool [4] 2.0
        i.scalar float32 [] 2.5
        j.empty float32 [0, 4] 0.0

        """)

        let theirs = temporaryPath("python.safetensors")
        let write = try PythonSafetensors.execute("""
        from safetensors.numpy import save_file
        import numpy as np
        save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "h": np.array([1.5, -2], dtype=np.float16),
                   "i": np.array([[1, 2], [3, 4]], dtype=np.int32), "b": np.array([True, False]),
                   "d": np.array([1e-300], dtype=np.float64), "u": np.array([9], dtype=np.uint8),
                   "l": np.array([-5], dtype=np.int64)}, "\(theirs)", metadata={"from": "python"})
        """)
        #expect(write.status == 0, "\(write.error)")
        let (tensors, metadata) = try Safetensors.read(path: theirs)
        let byName = Dictionary(uniqueKeysWithValues: tensors)
        #expect(metadata == ["from": "python"])
        #expect(try byName["w"]!.toArray(Float.self) == [0, 1, 2, 3, 4, 5] && byName["w"]!.shape == [2, 3])
        #expect(try byName["h"]!.dtype == .float16 && byName["h"]!.toArray(Float.self) == [1.5, -2])
        #expect(try byName["i"]!.toArray(Int32.self) == [1, 2, 3, 4])
        #expect(try byName["b"]!.toArray(Bool.self) == [true, false])
        #expect(try byName["d"]!.toArray(Double.self) == [1e-300])
        #expect(try byName["u"]!.toArray(UInt8.self) == [9])
        #expect(try byName["l"]!.toArray(Int64.self) == [-5])
    }
}

@Suite struct ModelInfoCommandTests {
    var phim: String { productsFolder.appendingPathComponent("phim").path }

    @Test func listsEveryTensorAsTextAndJSON() throws {
        let path = temporaryPath("info.safetensors")
        try Safetensors.write([
            ("conv.weight", try Tensor([1, 2, 3, 4.5] as [Float], shape: [1, 1, 2, 2])),
            ("conv.bias", try Tensor([0.25] as [Double])),
            ("steps", try Tensor([3, 4] as [Int64])),
        ], to: path)
        let json = try run(phim, ["model", "info", path, "--json"])
        #expect(json.status == 0, "\(json.error)")
        #expect(json.output == """
        {"tensors": [{"name": "conv.bias", "dtype": "F64", "shape": [1], "sum": 0.25}, \
        {"name": "conv.weight", "dtype": "F32", "shape": [1, 1, 2, 2], "sum": 10.5}, \
        {"name": "steps", "dtype": "I64", "shape": [2], "sum": 7.0}], "parameters": 7}

        """)
        let text = try run(phim, ["model", "info", path])
        #expect(text.status == 0)
        #expect(text.output == """
        name         dtype  shape         sum
        conv.bias    F64    [1]           0.25
        conv.weight  F32    [1, 1, 2, 2]  10.5
        steps        I64    [2]           7.0
        3 tensors, 7 parameters

        """)
    }

    @Test func sumsAgreeWithLibtorchInEveryDtype() throws {
        let path = temporaryPath("sums.safetensors")
        let base = try Tensor.randn([3, 5], generator: Generator(seed: 8))
        let tensors: [(String, Tensor)] = try DType.allCases.map { dtype in
            let values = dtype.isFloatingPoint ? base : try base.mul(40).to(dtype == .bool ? .float32 : .float64).round()
            return ("t.\(dtype)", try values.to(dtype))
        }
        try Safetensors.write(tensors, to: path)
        let result = try run(phim, ["model", "info", path, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let rows = try #require(document["tensors"] as? [[String: Any]])
        #expect(rows.count == DType.allCases.count)
        #expect(document["parameters"] as? Int == 15 * DType.allCases.count)
        for (name, tensor) in tensors {
            let row = try #require(rows.first { $0["name"] as? String == name })
            let expected = try tensor.sum(dtype: .float64).item()
            let sum = try #require(row["sum"] as? Double)
            #expect(Swift.abs(sum - expected) <= 1e-9 * Swift.max(1, Swift.abs(expected)), "\(name): \(sum) vs \(expected)")
            #expect(row["dtype"] as? String == Safetensors.name(of: tensor.dtype))
            #expect(row["shape"] as? [Int] == [3, 5])
        }
    }

    @Test func badFilesExitWithStatusTwo() throws {
        let huge = temporaryPath("huge.safetensors")
        var length = UInt64(1 << 42).littleEndian
        try Data(bytes: &length, count: 8).write(to: URL(fileURLWithPath: huge))
        let result = try run(phim, ["model", "info", huge])
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("phim: \(huge): "))
        #expect(result.output.isEmpty)
        let missing = try run(phim, ["model", "info", temporaryPath("absent.safetensors"), "--json"])
        #expect(missing.status == 2)
        #expect(missing.error.contains("no such file"))
    }
}
