import Foundation
import PhimCore
import PhimMedia

/// Draws the new face of a swap over part of a frame.
public protocol FaceRenderer {
    /// The new face on the target face with landmarks `target`, over `rect` of `frame`, with, per pixel of `rect`, how
    /// much of it the face covers (0…1).
    func render(onto target: FaceLandmarks, in frame: PixelBuffer, over rect: PixelRect) throws(PhimError) -> (image: RGBImage, coverage: [Float])
}

/// The classical swap's drawing: the source photo warped onto the target's landmarks triangle by triangle.
public struct MeshRenderer: FaceRenderer {
    public let source: SourceFace
    private let warp: PiecewiseAffineWarp

    public init(source: SourceFace) {
        self.source = source
        warp = PiecewiseAffineWarp(triangles: source.mesh)
    }

    public func render(onto target: FaceLandmarks, in frame: PixelBuffer, over rect: PixelRect) -> (image: RGBImage, coverage: [Float]) {
        warp.warp(source.image, from: source.landmarks.points, to: target.points, over: rect)
    }
}

/// Puts a new face on a target face, one frame at a time: drawn by a ``FaceRenderer`` (the source photo warped onto
/// the target's landmarks, or a trained model's drawing), given the target's colouring (``ColorTransfer``) and
/// lighting (``Relighting``), blended seamlessly into the frame (``SeamlessBlend``) and faded in over a feathered mask
/// that can leave the target's open mouth its own (``FaceMask``).
///
/// Colour statistics are carried from frame to frame (an exponential average) so that the face's colour does not
/// flicker with the target's noise. Not `Sendable`: one swapper serves one video, on one thread.
public final class FaceSwapper {
    public let renderer: any FaceRenderer
    public var colorTransfer: ColorTransferMethod
    public var mask: FaceMask.Shape
    /// How far each frame's colour statistics move the running ones (1: no carrying over).
    public var colorAdaptation: Double
    /// The target's lighting instead of the source photo's (``Relighting``), with a blur of this many interocular
    /// distances; `nil` keeps the source's.
    public var relighting: Double?
    /// The turn at which the swap starts to fade out.
    public static let fadeTurn = 0.35
    private var targetColors: LabStatistics?
    private var sourceColors: LabStatistics?

    public init(renderer: any FaceRenderer, colorTransfer: ColorTransferMethod = .rct, mask: FaceMask.Shape = FaceMask.Shape(),
                colorAdaptation: Double = 0.3, relighting: Double? = 0.3) {
        self.renderer = renderer
        self.relighting = relighting
        self.colorTransfer = colorTransfer
        self.mask = mask
        self.colorAdaptation = colorAdaptation
    }

    /// The classical swap of `source`'s photo.
    public convenience init(source: SourceFace, colorTransfer: ColorTransferMethod = .rct, mask: FaceMask.Shape = FaceMask.Shape(),
                            colorAdaptation: Double = 0.3, relighting: Double? = 0.3) {
        self.init(renderer: MeshRenderer(source: source), colorTransfer: colorTransfer, mask: mask, colorAdaptation: colorAdaptation,
                  relighting: relighting)
    }

    /// Swaps the face whose landmarks are `target` in `frame`. A face wholly outside the frame leaves it as it was;
    /// a face turning towards profile fades back to the target's own (between ``fadeTurn`` and ``fadeTurn`` + 0.2 of
    /// ``FaceLandmarks/turn``), since a frontal source cannot cover it.
    /// - Returns: whether the face was drawn (not when it is turned too far, or outside the frame).
    @discardableResult
    public func swap(_ frame: inout PixelBuffer, onto target: FaceLandmarks) throws(PhimError) -> Bool {
        let opacity = Float(Self.opacity(target))
        guard opacity > 0 else { return false }
        let rect = PixelRect(covering: target.bounds, margin: 3, clippedTo: frame.size)
        guard rect.width >= 8, rect.height >= 8 else { return false }
        let picture = RGBImage(frame, rect: rect)
        var (face, coverage) = try renderer.render(onto: target, in: frame, over: rect)
        let faceMask = FaceMask(landmarks: target, rect: rect, shape: mask)
        var weights = faceMask.alpha
        for k in weights.indices { weights[k] *= coverage[k] * opacity }
        switch colorTransfer {
        case .rct:
            if let now = LabStatistics(of: picture, weights: weights), let made = LabStatistics(of: face, weights: weights) {
                targetColors = targetColors.map { $0.moved(toward: now, by: colorAdaptation) } ?? now
                sourceColors = sourceColors.map { $0.moved(toward: made, by: colorAdaptation) } ?? made
                ColorTransfer.reinhard(&face, coverage: coverage, from: sourceColors!, to: targetColors!)
            }
        case .histogram:
            ColorTransfer.matchHistograms(&face, coverage: coverage, target: picture, weights: weights)
        case .none:
            break
        }
        if let relighting {
            Relighting.relight(&face, target: picture, weights: coverage, radius: max(1, Int(relighting * target.interocularDistance / 2)))
        }
        SeamlessBlend.blend(&face, into: picture, interior: faceMask.interior, coverage: coverage)
        face.composite(into: &frame, alpha: weights)
        return true
    }

    /// How much of the new face shows on a target turned as `target` is: 1 up to a turn of ``fadeTurn``, 0 from 0.2
    /// beyond it.
    static func opacity(_ target: FaceLandmarks) -> Double { 1 - smoothstep((abs(target.turn) - fadeTurn) / 0.2) }

    /// Whether a frontal face can be drawn on `target` at all.
    public static func canCover(_ target: FaceLandmarks) -> Bool { opacity(target) > 0 }
}

/// The frame stage of a swap: each frame that has landmarks in the track gets the source face.
public final class FaceSwapStage: FrameStage, @unchecked Sendable {
    private let swapper: FaceSwapper
    private let track: FaceTrack
    /// Frames swapped so far.
    public private(set) var swapped = 0

    public init(swapper: FaceSwapper, track: FaceTrack) {
        self.swapper = swapper
        self.track = track
    }

    public func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError) {
        guard index < track.smoothed.count, let landmarks = track.smoothed[index] else { return }
        if try swapper.swap(&frame, onto: landmarks) { swapped += 1 }
    }
}
