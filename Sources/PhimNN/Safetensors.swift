import PhimCore
@_exported import PhimSafetensors
import PhimTensor

/// Tensors in safetensors files, Phim's checkpoint format (the format itself is in `PhimSafetensors`).
///
/// Reading validates the whole header before allocating anything (see `SafetensorsFile`); each tensor's
/// bytes are then read straight into a new tensor. All of PhimTensor's dtypes are supported.
public enum Safetensors {
    /// The safetensors dtype of `dtype`.
    public static func format(of dtype: DType) -> SafetensorsDType {
        switch dtype {
        case .float32: .float32
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .float64: .float64
        case .int64: .int64
        case .int32: .int32
        case .int16: .int16
        case .int8: .int8
        case .uint8: .uint8
        case .bool: .bool
        }
    }

    /// The PhimTensor dtype of a safetensors dtype.
    public static func dtype(of format: SafetensorsDType) -> DType {
        DType.allCases.first { Self.format(of: $0) == format }!
    }

    /// The safetensors name of `dtype` (`F32`, `BF16`, …).
    public static func name(of dtype: DType) -> String { format(of: dtype).rawValue }

    /// Reads and validates the header of the file at `path`.
    public static func readHeader(path: String) throws(PhimError) -> SafetensorsHeader {
        try SafetensorsFile(path: path).header
    }

    /// Reads every tensor (in file order) and the metadata.
    public static func read(path: String) throws(PhimError) -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let file = try SafetensorsFile(path: path)
        var tensors: [(String, Tensor)] = []
        for entry in file.header.entries {
            let tensor: Tensor
            do {
                tensor = try Tensor.empty(entry.shape, dtype: dtype(of: entry.dtype))
                try tensor.withUnsafeMutableBytes { buffer in try file.read(entry, into: buffer) }
            } catch {
                throw PhimError(wrapping: error, "cannot create tensor '\(entry.name)'", subject: .file(path))
            }
            tensors.append((entry.name, tensor))
        }
        return (tensors, file.header.metadata)
    }

    /// Writes `tensors` (names must be unique), in name order, and `metadata` to `path`.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to path: String) throws(PhimError) {
        var items: [SafetensorsWriter.Item] = []
        for (name, tensor) in tensors.sorted(by: { $0.0 < $1.0 }) {
            let cpu: Tensor
            do {
                cpu = try withNoGrad { () throws(TensorError) -> Tensor in try tensor.detach().to(.cpu).contiguous() }
            } catch {
                throw PhimError(.operationFailed, "cannot read tensor '\(name)' to save: \(error)", subject: .file(path), underlying: error)
            }
            items.append(SafetensorsWriter.Item(name: name, dtype: format(of: cpu.dtype), shape: cpu.shape) { sink in
                guard cpu.count > 0 else { return }
                try cpu.withUnsafeMutableBytes { try sink(UnsafeRawBufferPointer($0)) }
            })
        }
        try SafetensorsWriter.write(items, metadata: metadata, to: path)
    }
}
