import PhimCore
import PhimTensor

/// A training checkpoint in one safetensors file: the model's parameters and buffers, the optimizer's
/// state, the step, and random-generator states, so that training resumes bit-for-bit on the same machine.
///
/// Tensor names: `model.<path>`, `optimizer.<slot>.<parameter path>`, `rng.<name>` (uint8 state),
/// plus `ema.<path>` when an EMA is saved. Metadata: `phim.format` (`checkpoint-1`), `phim.step`,
/// `phim.optimizer.*` scalars, and the caller's own entries.
public enum Checkpoint {
    public static let format = "checkpoint-1"

    /// Saves a checkpoint to `path` (written to a temporary file and renamed when complete).
    /// - Parameters:
    ///   - optimizers: further optimizers by name (a GAN's generator and discriminator optimizers), saved as
    ///     `optimizer.<name>.*` with scalars `phim.optimizer.<name>.*`.
    ///   - generators: the generators whose states to keep, by name (`Generator.default` for libtorch's).
    ///   - metadata: extra text entries (architecture, data set, settings).
    public static func save(
        to path: String, model: Module, optimizer: (any Optimizer)? = nil, optimizers: [String: any Optimizer] = [:], step: Int,
        generators: [String: Generator] = ["default": .default], ema: ExponentialMovingAverage? = nil,
        metadata: [String: String] = [:]
    ) throws(PhimError) {
        var tensors = model.stateDict().map { ("model." + $0.0, $0.1) }
        var meta = metadata
        meta["phim.format"] = format
        meta["phim.step"] = String(step)
        do {
            if let optimizer {
                let state = try optimizer.state()
                tensors += state.tensors.map { ("optimizer." + $0.0, $0.1) }
                for (key, value) in state.scalars { meta["phim.optimizer." + key] = value }
            }
            for (name, named) in optimizers.sorted(by: { $0.key < $1.key }) {
                let state = try named.state()
                tensors += state.tensors.map { ("optimizer.\(name)." + $0.0, $0.1) }
                for (key, value) in state.scalars { meta["phim.optimizer.\(name)." + key] = value }
            }
            for (name, generator) in generators {
                tensors.append(("rng." + name, try generator.state()))
            }
        } catch {
            throw PhimError(.operationFailed, "cannot collect the training state: \(error)", subject: .file(path), underlying: error)
        }
        if let ema { tensors += ema.stateDict().map { ("ema." + $0.0, $0.1) } }
        try Safetensors.write(tensors, metadata: meta, to: path)
    }

    /// Loads a checkpoint saved by ``save(to:model:optimizer:step:generators:ema:metadata:)`` into a model of
    /// the same architecture (and its optimizer, generators and EMA when given).
    /// - Returns: the saved step and metadata.
    /// - Throws: `PhimError` for an unreadable file or one that does not fit the model.
    @discardableResult
    public static func load(
        from path: String, into model: Module, optimizer: (any Optimizer)? = nil, optimizers: [String: any Optimizer] = [:],
        generators: [String: Generator] = ["default": .default], ema: ExponentialMovingAverage? = nil
    ) throws(PhimError) -> (step: Int, metadata: [String: String]) {
        let (tensors, metadata) = try Safetensors.read(path: path)
        guard metadata["phim.format"] == format, let step = metadata["phim.step"].flatMap(Int.init) else {
            throw PhimError(.unreadableFile, "not a Phim checkpoint (no phim.format \(format) and phim.step metadata)", subject: .file(path))
        }
        func section(_ prefix: String) -> [String: Tensor] {
            var result: [String: Tensor] = [:]
            for (name, tensor) in tensors where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = tensor }
            return result
        }
        do throws(TensorError) {
            try model.load(stateDict: section("model."))
            if let optimizer {
                var scalars: [String: String] = [:]
                for (key, value) in metadata where key.hasPrefix("phim.optimizer.") {
                    scalars[String(key.dropFirst("phim.optimizer.".count))] = value
                }
                try optimizer.load(tensors: section("optimizer."), scalars: scalars)
            }
            for (name, named) in optimizers {
                var scalars: [String: String] = [:]
                let prefix = "phim.optimizer.\(name)."
                for (key, value) in metadata where key.hasPrefix(prefix) { scalars[String(key.dropFirst(prefix.count))] = value }
                try named.load(tensors: section("optimizer.\(name)."), scalars: scalars)
            }
            let states = section("rng.")
            for (name, generator) in generators {
                guard let state = states[name] else {
                    throw TensorError(.invalidArgument, "the checkpoint has no state for generator '\(name)'")
                }
                try generator.setState(state)
            }
            if let ema { try ema.load(section("ema.")) }
        } catch {
            throw PhimError(.invalidInput, "the checkpoint does not fit: \(error.message)", subject: .file(path), underlying: error)
        }
        return (step, metadata)
    }
}
