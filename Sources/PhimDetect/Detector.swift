import Foundation
import PhimCore
import PhimSafetensors

/// A trained detector as it is stored: `model.safetensors` (the linear model's `mean`, `scale`, `weights`, `bias`,
/// float32) and `model.json` (its kind, architecture, temperature, threshold, what it was trained on and how it did on
/// held-out videos).
public struct Detector: Sendable {
    public static let kind = "phim-detector"
    public static let architecture = "spectral-linear-1"
    public static let weightsName = "model.safetensors"
    public static let sidecarName = "model.json"

    public struct Sidecar: Codable, Sendable, Equatable {
        public var kind = Detector.kind
        public var architecture = Detector.architecture
        public var features: Int
        public var temperature: Float
        /// The probability at and above which a video is called generated, fixed on the validation videos.
        public var threshold: Double
        public var trainedOn: TrainingSet
        public var validation: DetectionMetrics?
        /// The metadata-only control's AUC on the same validation videos (near 0.5 when the encoding gives nothing away).
        public var metadataControlAUC: Double?
        /// With two or more generators: each one's AUC when the detector was trained without it.
        public var heldOutGenerators: [String: Double]?
    }

    public struct TrainingSet: Codable, Sendable, Equatable {
        public var realVideos: [String]
        public var fakeVideos: [String]
        public var frames: Int
    }

    public var model: LinearDetector
    public var sidecar: Sidecar

    public init(model: LinearDetector, sidecar: Sidecar) {
        self.model = model
        self.sidecar = sidecar
    }

    /// Writes `model.safetensors` and `model.json` into `folder` (made if missing).
    public func save(to folder: URL) throws(PhimError) {
        try OutputFolder.check(folder)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw PhimError(.writeFailed, "cannot create the folder: \(error.localizedDescription)", subject: .file(folder))
        }
        func item(_ name: String, _ values: [Float]) -> SafetensorsWriter.Item {
            SafetensorsWriter.Item(name: name, dtype: .float32, shape: [values.count]) { sink in
                try values.withUnsafeBytes { try sink($0) }
            }
        }
        let weights = folder.appendingPathComponent(Self.weightsName)
        let output = try OutputFile(weights)
        do {
            try SafetensorsWriter.write([item("bias", [model.bias]), item("mean", model.mean), item("scale", model.scale),
                                         item("weights", model.weights)],
                                        metadata: ["phim.kind": Self.kind, "phim.architecture": Self.architecture], to: output.temporary.path)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var described = sidecar
        described.temperature = model.temperature
        guard let json = try? encoder.encode(described) else {
            throw PhimError(.operationFailed, "cannot describe the detector", subject: .file(folder))
        }
        try OutputFile.write(json, to: folder.appendingPathComponent(Self.sidecarName))
    }

    /// Reads a detector saved by ``save(to:)``.
    /// - Throws: `PhimError` naming the folder or file: not a folder, no or another kind of `model.json`, weights
    ///   missing or of the wrong sizes.
    public static func load(_ folder: URL) throws(PhimError) -> Detector {
        var info = stat()
        guard lstat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PhimError(.invalidInput, "is not a detector folder", subject: .file(folder))
        }
        let sidecarURL = folder.appendingPathComponent(sidecarName)
        let data = try InputFile.read(sidecarURL, subject: .file(sidecarURL), maxBytes: 1 << 20)
        guard let sidecar = try? JSONDecoder().decode(Sidecar.self, from: data), sidecar.kind == kind else {
            throw PhimError(.invalidInput, "is not a Phim detector (no \(sidecarName) of kind \(kind))", subject: .file(folder))
        }
        guard sidecar.architecture == architecture, sidecar.features == SpectralFeatures.count,
              sidecar.temperature.isFinite, sidecar.temperature > 0 else {
            throw PhimError(.unsupported, "is a detector of another architecture (\(sidecar.architecture), \(sidecar.features) features)",
                            subject: .file(folder))
        }
        let weightsURL = folder.appendingPathComponent(weightsName)
        let file = try SafetensorsFile(path: weightsURL.path)
        func vector(_ name: String, _ count: Int) throws(PhimError) -> [Float] {
            guard let entry = file.header.entries.first(where: { $0.name == name }), entry.dtype == .float32, entry.shape == [count] else {
                throw PhimError(.invalidInput, "has no float32 '\(name)' of \(count) values", subject: .file(weightsURL))
            }
            var values = [Float](repeating: 0, count: count)
            var failure: PhimError?
            values.withUnsafeMutableBytes { buffer in
                do throws(PhimError) { try file.read(entry, into: buffer) } catch { failure = error }
            }
            if let failure { throw failure }
            guard values.allSatisfy(\.isFinite) else { throw PhimError(.invalidInput, "'\(name)' holds values that are not finite", subject: .file(weightsURL)) }
            return values
        }
        let d = SpectralFeatures.count
        var model = LinearDetector(mean: try vector("mean", d), scale: try vector("scale", d), weights: try vector("weights", d),
                                   bias: try vector("bias", 1)[0])
        guard model.scale.allSatisfy({ $0 > 0 }) else { throw PhimError(.invalidInput, "'scale' must be positive", subject: .file(weightsURL)) }
        model.temperature = sidecar.temperature
        return Detector(model: model, sidecar: sidecar)
    }
}
