import Foundation
import PhimCore
import PhimGraphics

/// A picture fitted into the frame by a layer's `fit`: where it lands and how it is drawn there. The one drawing path
/// of the layers that show frames of their own size, a video's (``VideoLayerRenderer``) or a generated clip's
/// (``GeneratedLayerRenderer``).
struct FittedPicture {
    /// Where the picture lands in the frame (it may reach past the edges with `cover`).
    let placement: Rect
    /// Whether the picture hides everything below it: an opaque picture that fills the frame (any fit but `contain`)
    /// at full opacity.
    let coversFrame: Bool
    /// The layer's opacity.
    let opacity: Double

    /// - Parameters:
    ///   - size: the picture's size in pixels (the video's display size, the generator's frame size).
    ///   - frameSize: the size frames are drawn at.
    init(size: PixelSize, fit: FitMode, frameSize: PixelSize, opacity: Double) {
        placement = fit.placement(of: size, in: frameSize)
        coversFrame = opacity >= 1 && fit != .contain
        self.opacity = opacity
    }

    /// Draws `pixels`, of any size, scaled into ``placement`` (bilinear: smooth whether enlarged or reduced).
    func draw(_ pixels: PixelBuffer, on canvas: Canvas) {
        canvas.draw(pixels, in: placement, opacity: opacity, filter: .bilinear, blend: coversFrame ? .source : .over)
    }
}
