import Foundation
import PhimCore
import PhimGraphics

/// Where a clip is when one of its frames is drawn.
struct ClipFrame {
    /// The frame's index within the clip (0 at the clip's first frame).
    var index: Int
    /// Seconds since the clip began.
    var time: Double
}

/// A layer with its resources loaded (pictures decoded, text laid out, video decoding under way), ready to draw
/// frame after frame on the compose thread.
protocol PreparedLayer: AnyObject {
    /// The layer as the project describes it (for timing, opacity and error paths).
    var layer: Layer { get }
    /// `false` when the layer draws the same pixels on every frame it is visible.
    var isAnimated: Bool { get }
    /// `true` when the layer hides everything below it, so those layers need not be drawn.
    var coversFrame: Bool { get }
    /// Draws the layer for `frame` of its clip.
    func draw(on canvas: Canvas, at frame: ClipFrame) throws(PhimError)
    /// Stops background work and frees memory early (also done when the value dies).
    func finish()
}

extension PreparedLayer {
    func finish() {}

    /// How far through its visible life the layer is at `time`, 0...1.
    func lifeProgress(at time: Double) -> Double {
        let span = layer.stop - layer.start
        guard span > 0 else { return 0 }
        return min(max((time - layer.start) / span, 0), 1)
    }
}

/// A solid colour.
final class ColorLayerRenderer: PreparedLayer {
    let layer: Layer
    let color: Color
    var isAnimated: Bool { false }
    var coversFrame: Bool { color.alpha >= 1 && layer.opacity >= 1 }

    init(layer: Layer, content: ColorLayer) {
        self.layer = layer
        self.color = content.color
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        canvas.fill(.color(color), opacity: layer.opacity, blend: coversFrame ? .source : .over)
    }
}

/// A linear or radial gradient, drawn once into a picture at preparation.
final class GradientLayerRenderer: PreparedLayer {
    let layer: Layer
    let image: GraphicsImage
    var isAnimated: Bool { false }
    let coversFrame: Bool

    init(layer: Layer, content: GradientLayer, size: PixelSize) {
        self.layer = layer
        let paint = Self.paint(for: content, size: size)
        image = GraphicsImage(size: size) { $0.fill(paint) }
        coversFrame = layer.opacity >= 1 && content.colors.allSatisfy { $0.alpha >= 1 }
    }

    /// The paint for a gradient over a frame: CSS `linear-gradient` geometry (the gradient line passes through the
    /// centre at `angle`, long enough that the corners get the end colours), or a radial gradient from the centre
    /// to the farthest corner.
    static func paint(for gradient: GradientLayer, size: PixelSize) -> Paint {
        let w = Double(size.width), h = Double(size.height)
        let center = Point(x: w / 2, y: h / 2)
        switch gradient.shape {
        case .radial:
            return .radialGradient(colors: gradient.colors, center: center, radius: (w * w + h * h).squareRoot() / 2)
        case .linear:
            let radians = gradient.angle * .pi / 180
            let dx = sin(radians), dy = -cos(radians)
            let half = (abs(w * dx) + abs(h * dy)) / 2
            return .linearGradient(colors: gradient.colors,
                                   start: Point(x: center.x - dx * half, y: center.y - dy * half),
                                   end: Point(x: center.x + dx * half, y: center.y + dy * half))
        }
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let size = canvas.size
        canvas.draw(image, in: Rect(x: 0, y: 0, width: Double(size.width), height: Double(size.height)),
                    opacity: layer.opacity, blend: coversFrame ? .source : .over)
    }
}

/// Text laid out once and drawn from a cached picture every frame.
final class TextLayerRenderer: PreparedLayer {
    let layer: Layer
    /// The part of the text block inside the frame (nil when none is), and where it goes.
    let image: GraphicsImage?
    let origin: Point
    var isAnimated: Bool { false }
    var coversFrame: Bool { false }

    /// - Parameter scale: the render's scale against the project's size (0.5 for previews).
    init(layer: Layer, content: TextLayer, frameSize: PixelSize, scale: Double) throws(PhimError) {
        self.layer = layer
        let layout = try TextLayout(text: content.text, style: content.style.drawingStyle(scale: scale),
                                    maxWidth: content.style.maxWidth * Double(frameSize.width),
                                    subject: .field(layer.fieldPath + ".font"))
        let blockOrigin = content.position.origin(of: layout.pixelSize, in: frameSize)
        if let visible = layout.visiblePart(at: blockOrigin, in: frameSize) {
            image = layout.rendered(visible: visible)
            origin = Point(x: blockOrigin.x + visible.x, y: blockOrigin.y + visible.y)
        } else {
            image = nil
            origin = blockOrigin
        }
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        guard let image else { return }
        canvas.draw(image, in: Rect(x: origin.x, y: origin.y, width: Double(image.size.width), height: Double(image.size.height)),
                    opacity: layer.opacity)
    }
}

extension TextPosition {
    /// Where a block of `block` size goes in a frame: centred, near the top or bottom (5 % margins), or centred on
    /// a point given in fractions of the frame. Whole pixels, so cached text is copied without resampling.
    func origin(of block: PixelSize, in frame: PixelSize) -> Point {
        let w = Double(frame.width), h = Double(frame.height)
        let bw = Double(block.width), bh = Double(block.height)
        let margin = 0.05 * h
        let point: Point = switch self {
        case .center: Point(x: (w - bw) / 2, y: (h - bh) / 2)
        case .top: Point(x: (w - bw) / 2, y: margin)
        case .bottom: Point(x: (w - bw) / 2, y: h - margin - bh)
        case .point(let p): Point(x: p.x * w - bw / 2, y: p.y * h - bh / 2)
        }
        return Point(x: point.x.rounded(), y: point.y.rounded())
    }
}

extension TextLayerStyle {
    /// The drawing style for this project text style, scaled for the render size (0.5 for previews).
    func drawingStyle(scale: Double) -> PhimGraphics.TextStyle {
        PhimGraphics.TextStyle(
            fontFamily: font, fontSize: fontSize * scale, color: color, outlineColor: outline?.color,
            outlineWidth: (outline?.width ?? 0) * scale, boxColor: boxColor,
            alignment: align)
    }
}
