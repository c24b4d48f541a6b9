import Foundation
import PhimCompose
import PhimCore

/// The clips of render projects' `generated` layers, made by the models `phim train` writes: the
/// ``GeneratedClipSource`` that `phim render` gives PhimCompose's renderer, which does not link libtorch itself.
///
/// Each layer's clip is `sample(count: 1, seed:, classIndex:, frames:)` of its model, as long as the layer is visible
/// at the model's frame rate (the motion GRU runs on past the length the model was trained on), at most
/// ``GeneratorModel/maxFrames`` frames. A model folder is loaded once, the first time a layer names it, and kept for the
/// source's life: a project may use one model in many layers.
///
/// `@unchecked Sendable`: the cache and the models in it (a loaded model is used by one thread at a time) are guarded
/// by `lock`, held while a model loads or samples; the renderer prepares up to two clips at once on worker threads.
public final class GeneratedClips: GeneratedClipSource, @unchecked Sendable {
    private let lock = NSLock()
    /// Loaded models by the standardised path of their folder.
    private var models: [String: GeneratorModel] = [:]

    /// A source with no models loaded yet.
    public init() {}

    /// Loads the layer's model and checks its class and its length.
    /// - Throws: `PhimError` naming `<layer>.model` (a folder that does not load), `<layer>.class` (a class the model
    ///   does not have) or the layer (longer than ``GeneratorModel/maxFrames`` frames).
    public func check(_ layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) {
        lock.lock()
        defer { lock.unlock() }
        let model = try loaded(layer, fieldPath: fieldPath)
        _ = try classIndex(layer, in: model, fieldPath: fieldPath)
        _ = try frameCount(duration: duration, model: model, fieldPath: fieldPath)
    }

    /// The layer's clip: ⌈duration × fps⌉ frames (at least one) at the model's frame rate, each the model's size.
    /// - Throws: `PhimError` as ``check(_:duration:fieldPath:)`` does, or naming `<layer>.model` when sampling fails.
    public func clip(for layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) -> GeneratedClip {
        lock.lock()
        defer { lock.unlock() }
        let model = try loaded(layer, fieldPath: fieldPath)
        let classIndex = try classIndex(layer, in: model, fieldPath: fieldPath)
        let count = try frameCount(duration: duration, model: model, fieldPath: fieldPath)
        do {
            let clips = try model.sample(count: 1, seed: layer.seed, classIndex: classIndex, frames: count)
            guard let frames = try SampleSheet.frames(clips).first else {
                throw PhimError(.operationFailed, "the model made no clip")
            }
            return GeneratedClip(frames: frames, fps: Double(model.sidecar.fps))
        } catch {
            throw PhimError(wrapping: error, "generating the clip").about(.field(fieldPath + ".model"))
        }
    }

    /// The layer's model, loaded on first use. Call with `lock` held.
    private func loaded(_ layer: GeneratedLayer, fieldPath: String) throws(PhimError) -> GeneratorModel {
        let key = layer.model.standardizedFileURL.path
        if let model = models[key] { return model }
        let field = PhimError.Subject.field(fieldPath + ".model")
        let model: GeneratorModel
        do { model = try GeneratorModel.load(from: layer.model) } catch { throw error.about(field) }
        guard model.sidecar.fps > 0 else {
            throw PhimError(.invalidInput, "its model.json gives \(model.sidecar.fps) frames a second", subject: field)
        }
        models[key] = model
        return model
    }

    /// The layer's `class` as an index into the model's classes: a name, or an index as digits.
    private func classIndex(_ layer: GeneratedLayer, in model: GeneratorModel, fieldPath: String) throws(PhimError) -> Int? {
        guard let choice = layer.classChoice else { return nil }
        let field = PhimError.Subject.field(fieldPath + ".class")
        let count = model.sidecar.config.classes
        guard count > 0 else {
            throw PhimError(.invalidInput, "this model has no classes (it was trained on an unlabelled set)", subject: field)
        }
        let names = model.sidecar.classes.joined(separator: ", ")
        if let index = Int(choice) {
            guard (0..<count).contains(index) else {
                throw PhimError(.invalidInput, "must be 0 to \(count - 1) (\(names)), got \(index)", subject: field)
            }
            return index
        }
        guard let index = model.sidecar.classes.firstIndex(of: choice), index < count else {
            throw PhimError(.invalidInput, "\(choice.quoted()) is not one of this model's classes (\(names))", subject: field)
        }
        return index
    }

    /// How many frames the layer shows, within ``GeneratorModel/maxFrames``.
    private func frameCount(duration: Double, model: GeneratorModel, fieldPath: String) throws(PhimError) -> Int {
        let fps = Double(model.sidecar.fps)
        let count = GeneratedClip.frameCount(duration: duration, fps: fps)
        guard count <= GeneratorModel.maxFrames else {
            let limit = Double(GeneratorModel.maxFrames) / fps
            throw PhimError(.limitExceeded,
                            "a generated layer lasts at most \(Self.seconds(limit)) s (\(GeneratorModel.maxFrames) frames at \(model.sidecar.fps) fps, this model's rate); this one lasts \(Self.seconds(duration)) s",
                            subject: .field(fieldPath))
        }
        return count
    }

    /// `42.67`, `64`: seconds to two decimals, without trailing zeros.
    private static func seconds(_ value: Double) -> String {
        String(format: "%.2f", value).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
