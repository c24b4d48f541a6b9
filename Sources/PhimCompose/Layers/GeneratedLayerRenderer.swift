import Foundation
import PhimCore
import PhimGraphics

/// Where the frames of generated layers come from: a trained video generator, which PhimCompose does not link (it
/// needs libtorch). PhimGen's `GeneratedClips` is the source `phim render` passes in ``RenderOptions/generatedClips``.
///
/// The renderer calls ``check(_:duration:fieldPath:)`` for every generated layer before it opens any output, then
/// ``clip(for:duration:fieldPath:)`` once per layer while it prepares the layer's clip: on worker threads, for up to
/// two clips at once.
public protocol GeneratedClipSource: Sendable {
    /// Checks, before rendering starts, that the layer's clip can be made (the model loads, the class exists, the layer
    /// is not longer than the model can generate). The default checks nothing.
    /// - Parameters:
    ///   - duration: how long the layer is visible, in seconds.
    ///   - fieldPath: where the layer is in the project file (`clips[1].layers[0]`), for errors.
    /// - Throws: `PhimError` naming a field of the layer (`clips[1].layers[0].model`, `….class`) or the layer.
    func check(_ layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError)

    /// The layer's clip: ``GeneratedClip/frameCount(duration:fps:)`` frames at the model's frame rate.
    /// - Parameters:
    ///   - duration: how long the layer is visible, in seconds.
    ///   - fieldPath: where the layer is in the project file, for errors.
    /// - Throws: `PhimError` naming a field of the layer or the layer.
    func clip(for layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) -> GeneratedClip
}

extension GeneratedClipSource {
    public func check(_ layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) {}
}

/// The frames a generator made for one generated layer, and the rate they play at.
public struct GeneratedClip: Sendable {
    /// The frames in order, all of one size (the model's); at least one.
    public var frames: [PixelBuffer]
    /// Frames per second: the rate of the set the model learned from.
    public var fps: Double

    /// Creates a clip.
    public init(frames: [PixelBuffer], fps: Double) {
        self.frames = frames
        self.fps = fps
    }

    /// How many frames a layer visible for `duration` seconds shows at `fps`: ⌈duration × fps⌉, at least 1.
    public static func frameCount(duration: Double, fps: Double) -> Int {
        // A millionth of a frame of slack: 0.1 s × 30 is 3.0000000000000004, which is 3 frames, not 4.
        let frames = (min(max(duration, 0), Limits.maxDuration) * fps - 1e-6).rounded(.up)
        return max(1, frames.isFinite ? Int(frames) : 1)
    }

    /// The frame shown `time` seconds after the layer appears: ⌊time × fps⌋, the last frame held after the end.
    public func frameIndex(at time: Double) -> Int {
        let index = (max(time, 0) * fps + 1e-6).rounded(.down)
        return index.isFinite ? min(Int(index), frames.count - 1) : frames.count - 1
    }
}

/// A generated clip (`type: generated`): its frames made once, when the layer is prepared, by the render's
/// ``GeneratedClipSource``, then shown at the model's frame rate (each output frame shows the generated frame of its
/// time, ``GeneratedClip/frameIndex(at:)``) and fitted to the frame as a video is.
final class GeneratedLayerRenderer: PreparedLayer {
    let layer: Layer
    let clip: GeneratedClip
    /// Where the frames land in the frame, and how they are drawn there.
    let picture: FittedPicture
    var isAnimated: Bool { clip.frames.count > 1 }
    var coversFrame: Bool { picture.coversFrame }

    /// Generates the layer's frames.
    /// - Parameter source: the render's source of generated clips; `nil` when the caller has none.
    /// - Throws: `PhimError` naming `<layer>.model` when there is no source or the model makes nothing, or the source's
    ///   error.
    init(layer: Layer, content: GeneratedLayer, source: (any GeneratedClipSource)?, frameSize: PixelSize) throws(PhimError) {
        self.layer = layer
        guard let source else { throw Self.noSource(fieldPath: layer.fieldPath) }
        let clip = try source.clip(for: content, duration: layer.stop - layer.start, fieldPath: layer.fieldPath)
        guard let first = clip.frames.first, clip.fps.isFinite, clip.fps > 0 else {
            throw PhimError(.operationFailed, "the model made no frames", subject: .field(layer.fieldPath + ".model"))
        }
        self.clip = clip
        picture = FittedPicture(size: first.size, fit: content.fit, frameSize: frameSize, opacity: layer.opacity)
    }

    /// The error for a generated layer rendered without a ``GeneratedClipSource``.
    static func noSource(fieldPath: String) -> PhimError {
        PhimError(.unsupported, "generated layers need phim's model support (render this project with `phim render`)",
                  subject: .field(fieldPath + ".model"))
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        picture.draw(clip.frames[clip.frameIndex(at: frame.time - layer.start)], on: canvas)
    }
}
