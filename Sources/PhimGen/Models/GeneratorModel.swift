import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// A trained generator as `phim sample` and `phim animate` use it: the EMA generator and the image encoder, in a
/// folder's `model.safetensors` with the architecture in `model.json`.
///
/// `@unchecked Sendable`: a loaded model may be handed to another thread (a command's worker), but is used by one
/// thread at a time.
public final class GeneratorModel: @unchecked Sendable {
    /// `model.json`.
    public struct Sidecar: Codable, Sendable, Equatable {
        public static let currentFormat = "phim-video-generator-1"
        public var format = currentFormat
        public var config: VideoGANConfig
        /// Class names, indexed as `--class` takes them (empty when unconditional).
        public var classes: [String]
        public var fps: Int
        public var step: Int
        public var seed: UInt64
        public var batch: Int
        public var settings: VideoGANTrainer.Settings
        /// The training set it learned from: its kind and clip count.
        public var dataset: String
        public var clips: Int
    }

    public let sidecar: Sidecar
    public let generator: VideoGenerator
    public let encoder: ImageEncoder

    init(sidecar: Sidecar, generator: VideoGenerator, encoder: ImageEncoder) {
        self.sidecar = sidecar
        self.generator = generator
        self.encoder = encoder
        generator.eval()
        encoder.eval()
    }

    /// The trainer's EMA generator and its encoder, as they are now.
    convenience init(trainer: VideoGANTrainer, labels: DatasetLabels, options: GANTrainingOptions = GANTrainingOptions(),
                     data: String = "") throws {
        let generator = try VideoGenerator(trainer.model.config)
        try trainer.ema.copy(to: generator)
        try generator.standingStatistics(batch: max(options.batch, 8), seed: options.seed)
        let encoder = try ImageEncoder(trainer.model.config)
        try encoder.load(stateDict: Dictionary(uniqueKeysWithValues: trainer.model.encoder.stateDict()))
        let sidecar = Sidecar(config: trainer.model.config, classes: trainer.model.config.classes > 0 ? labels.classes : [],
                              fps: labels.fps, step: trainer.step, seed: options.seed, batch: options.batch,
                              settings: trainer.settings, dataset: labels.kind + (data.isEmpty ? "" : " " + data),
                              clips: labels.clips.count)
        self.init(sidecar: sidecar, generator: generator, encoder: encoder)
    }

    public func save(to folder: URL) throws(PhimError) {
        let tensors = generator.stateDict().map { ("generator." + $0.0, $0.1) } + encoder.stateDict().map { ("encoder." + $0.0, $0.1) }
        try Safetensors.write(tensors, metadata: ["phim.format": sidecar.format], to: folder.appendingPathComponent(GANTraining.modelName).path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile.write((try? encoder.encode(sidecar)) ?? Data(), to: folder.appendingPathComponent(GANTraining.sidecarName))
    }

    /// Loads a model folder (`model.json` + `model.safetensors`).
    /// - Throws: `PhimError` naming the file: missing, not JSON, another architecture, or tensors that do not fit.
    public static func load(from folder: URL) throws(PhimError) -> GeneratorModel {
        let sidecarURL = folder.appendingPathComponent(GANTraining.sidecarName)
        let subject = PhimError.Subject.file(sidecarURL.displayPath)
        let data = try InputFile.read(sidecarURL, subject: subject, maxBytes: 1 << 20)
        let sidecar: Sidecar
        do {
            sidecar = try JSONDecoder().decode(Sidecar.self, from: data)
        } catch {
            throw PhimError(.invalidInput, "not a Phim generator's model.json (\(error.localizedDescription))", subject: subject)
        }
        guard sidecar.format == Sidecar.currentFormat, VideoGANConfig.readableArchitectures.contains(sidecar.config.architecture) else {
            throw PhimError(.invalidInput, "format \(sidecar.format.quoted()), architecture \(sidecar.config.architecture.quoted()): not one this Phim reads",
                            subject: subject)
        }
        let weightsURL = folder.appendingPathComponent(GANTraining.modelName)
        let (tensors, _) = try Safetensors.read(path: weightsURL.path)
        do {
            let generator = try VideoGenerator(sidecar.config)
            let encoder = try ImageEncoder(sidecar.config)
            var generatorState: [String: Tensor] = [:], encoderState: [String: Tensor] = [:]
            for (name, tensor) in tensors {
                if name.hasPrefix("generator.") { generatorState[String(name.dropFirst("generator.".count))] = tensor }
                if name.hasPrefix("encoder.") { encoderState[String(name.dropFirst("encoder.".count))] = tensor }
            }
            try generator.load(stateDict: generatorState)
            try encoder.load(stateDict: encoderState)
            return GeneratorModel(sidecar: sidecar, generator: generator, encoder: encoder)
        } catch {
            throw PhimError(.invalidInput, "the tensors do not fit model.json's architecture: \(error.message)", subject: .file(weightsURL.displayPath))
        }
    }

    /// `count` clips `[count, 3, frames, size, size]` in -1…1 from seeded noise; conditional models cycle through the
    /// classes unless `classIndex` is given.
    public func sample(count: Int, seed: UInt64, classIndex: Int? = nil, frames: Int? = nil) throws -> Tensor {
        try withNoGrad { () throws -> Tensor in
            let random = Generator(seed: seed)
            let (content, motion) = try generator.noise(batch: count, frames: frames ?? sidecar.config.frames, generator: random)
            var classes: Tensor?
            if sidecar.config.classes > 0 {
                let values = (0..<count).map { Int64(classIndex ?? ($0 % sidecar.config.classes)) }
                classes = try values.withUnsafeBytes { try Tensor(bytes: $0, shape: [count], dtype: .int64) }
            }
            return try generator(content: content, motionNoise: motion, classes: classes)
        }
    }
}
