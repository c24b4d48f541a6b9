import Foundation
import PhimCore
import PhimGraphics
import PhimMedia

/// A still picture, fitted to the frame, with Ken Burns zoom and pan.
final class ImageLayerRenderer: PreparedLayer {
    let layer: Layer
    let content: ImageLayer
    let image: GraphicsImage
    /// Where the picture lands at zoom 1, focus in the middle.
    let basePlacement: Rect
    let frameSize: PixelSize

    var isAnimated: Bool {
        (content.zoom.map { $0.from != $0.to } ?? false) || (content.pan.map { $0.from != $0.to } ?? false)
    }

    var coversFrame: Bool {
        image.isOpaque && layer.opacity >= 1 && content.fit != .contain && (content.zoom.map { min($0.from, $0.to) >= 1 } ?? true)
    }

    /// Decodes the picture, shrinking it on the way when it is much larger than it will ever be shown.
    /// - Throws: `PhimError` naming `<layer>.path` when the file is missing, corrupt or too large.
    init(layer: Layer, content: ImageLayer, frameSize: PixelSize) throws(PhimError) {
        self.layer = layer
        self.content = content
        self.frameSize = frameSize
        let subject = PhimError.Subject.field(layer.fieldPath + ".path")
        let natural: PixelSize
        do { natural = try ImageLoader.size(of: content.path) } catch { throw error.about(subject) }
        let placement = content.fit.placement(of: natural, in: frameSize)
        basePlacement = placement
        let maxZoom = max(content.zoom?.from ?? 1, content.zoom?.to ?? 1, 1)
        // Decode at the largest size it is drawn at (never larger than the file): later scaling is then mild.
        var largest = PixelSize(width: Int((placement.width * maxZoom).rounded(.up)), height: Int((placement.height * maxZoom).rounded(.up)))
        // At most twice the frame's pixels, whatever the zoom: memory per layer stays bounded by the frame size.
        let budget = Double(frameSize.area * 2)
        if Double(largest.width) * Double(largest.height) > budget {
            let shrink = (budget / (Double(largest.width) * Double(largest.height))).squareRoot()
            largest = PixelSize(width: max(1, Int(Double(largest.width) * shrink)), height: max(1, Int(Double(largest.height) * shrink)))
        }
        let decodeSize = largest.width < natural.width && largest.height < natural.height ? largest
            : natural.area > frameSize.area * 2 ? largest : nil
        do {
            image = GraphicsImage(try ImageLoader.load(content.path, format: .bgraPremultiplied, size: decodeSize))
        } catch {
            throw error.about(subject)
        }
    }

    /// Where the picture lands at `progress` through the layer's life.
    func placement(at progress: Double) -> Rect {
        let zoom = content.zoom?.scale(at: progress) ?? 1
        let focus = content.pan?.focus(at: progress) ?? Point(x: 0.5, y: 0.5)
        let w = basePlacement.width * zoom, h = basePlacement.height * zoom
        let frameW = Double(frameSize.width), frameH = Double(frameSize.height)
        var x = frameW / 2 - focus.x * w, y = frameH / 2 - focus.y * h
        // A picture that covers the frame never shows its edge while panning.
        if w >= frameW { x = min(0, max(frameW - w, x)) }
        if h >= frameH { y = min(0, max(frameH - h, y)) }
        return Rect(x: x, y: y, width: w, height: h)
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let rect = placement(at: lifeProgress(at: frame.time))
        // Ken Burns moves by fractions of a pixel each frame; bilinear sampling keeps the motion smooth.
        canvas.draw(image, in: rect, opacity: layer.opacity, filter: .bilinear, blend: coversFrame ? .source : .over)
    }
}
