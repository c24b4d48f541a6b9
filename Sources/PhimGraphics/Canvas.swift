internal import CCairo
import Foundation
import PhimCore

/// How a shape is filled.
public enum Paint: Sendable, Equatable {
    case color(Color)
    /// Colours spread evenly from `start` to `end`.
    case linearGradient(colors: [Color], start: Point, end: Point)
    /// Colours spread evenly from `center` out to `radius`.
    case radialGradient(colors: [Color], center: Point, radius: Double)
}

/// How pictures are sampled when scaled.
public enum ImageFilter: Sendable {
    /// Nearest pixel: fastest, blocky.
    case nearest
    /// Bilinear: smooth motion for Ken Burns and video.
    case bilinear
    /// Cairo's "good": box-filtered when shrinking a lot.
    case good
}

/// How a drawing combines with what is below.
public enum BlendMode: Sendable {
    /// Porter-Duff "over": the usual layering.
    case over
    /// Replace what is below (faster for opaque full-frame content).
    case source
}

/// A Cairo drawing context over a pixel buffer or an image. Obtain one with ``PixelBuffer/draw(_:)``.
///
/// Not `Sendable`, and valid only inside the closure that received it.
public final class Canvas {
    let context: OpaquePointer
    /// The drawing's size in pixels.
    public let size: PixelSize

    init(context: OpaquePointer, size: PixelSize) {
        self.context = context
        self.size = size
    }

    // MARK: State

    /// Runs `body` and then undoes its transforms, clips and settings.
    public func withSavedState<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        cairo_save(context)
        defer { cairo_restore(context) }
        return try body()
    }

    public func translate(x: Double, y: Double) { cairo_translate(context, x, y) }
    public func scale(x: Double, y: Double) { cairo_scale(context, x, y) }
    public func rotate(degrees: Double) { cairo_rotate(context, degrees * .pi / 180) }

    /// Limits later drawing to a rectangle.
    public func clip(to rect: Rect) {
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
    }

    /// Limits later drawing to a circle.
    public func clip(toCircle center: Point, radius: Double) {
        cairo_new_path(context)
        cairo_arc(context, center.x, center.y, max(0, radius), 0, 2 * .pi)
        cairo_clip(context)
    }

    // MARK: Filling

    /// Covers the whole drawing (within the clip) with `paint`.
    public func fill(_ paint: Paint, opacity: Double = 1, blend: BlendMode = .over) {
        setSource(paint)
        cairo_set_operator(context, blend == .source ? CAIRO_OPERATOR_SOURCE : CAIRO_OPERATOR_OVER)
        if opacity >= 1 { cairo_paint(context) } else { cairo_paint_with_alpha(context, max(0, opacity)) }
        cairo_set_operator(context, CAIRO_OPERATOR_OVER)
    }

    /// Fills a rectangle, with rounded corners when `cornerRadius` > 0.
    public func fill(rect: Rect, cornerRadius: Double = 0, with paint: Paint) {
        addRectPath(rect, cornerRadius: cornerRadius)
        setSource(paint)
        cairo_fill(context)
    }

    /// Fills an ellipse inscribed in `rect`.
    public func fill(ellipseIn rect: Rect, with paint: Paint) {
        addEllipsePath(rect)
        setSource(paint)
        cairo_fill(context)
    }

    /// Strokes a rectangle's outline.
    public func stroke(rect: Rect, cornerRadius: Double = 0, color: Color, width: Double) {
        addRectPath(rect, cornerRadius: cornerRadius)
        setSource(.color(color))
        cairo_set_line_width(context, width)
        cairo_stroke(context)
    }

    /// Strokes an ellipse's outline.
    public func stroke(ellipseIn rect: Rect, color: Color, width: Double) {
        addEllipsePath(rect)
        setSource(.color(color))
        cairo_set_line_width(context, width)
        cairo_stroke(context)
    }

    /// Fills a closed polygon.
    public func fill(polygon points: [Point], with paint: Paint) {
        guard let first = points.first else { return }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
        cairo_close_path(context)
        setSource(paint)
        cairo_fill(context)
    }

    /// Strokes a polyline with round joins and caps.
    public func stroke(polyline points: [Point], color: Color, width: Double) {
        guard let first = points.first else { return }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
        setSource(.color(color))
        cairo_set_line_width(context, width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        cairo_stroke(context)
    }

    // MARK: Pictures

    /// Draws a picture stretched over `rect` (which may reach past the drawing's edges).
    public func draw(_ image: GraphicsImage, in rect: Rect, opacity: Double = 1, filter: ImageFilter = .bilinear,
                     blend: BlendMode = .over) {
        drawSurface(image.surface, imageSize: image.size, in: rect, opacity: opacity, filter: filter, blend: blend)
    }

    /// Draws a pixel buffer (premultiplied BGRA) stretched over `rect`, without copying it.
    public func draw(_ pixels: PixelBuffer, in rect: Rect, opacity: Double = 1, filter: ImageFilter = .bilinear,
                     blend: BlendMode = .over) {
        precondition(pixels.format == .bgraPremultiplied, "Canvas draws premultiplied BGRA buffers")
        pixels.withUnsafeBytes { raw in
            let data = UnsafeMutableRawPointer(mutating: raw.baseAddress!).assumingMemoryBound(to: UInt8.self)
            let surface = cairo_image_surface_create_for_data(data, CAIRO_FORMAT_ARGB32, Int32(pixels.width),
                                                              Int32(pixels.height), Int32(pixels.bytesPerRow))!
            drawSurface(surface, imageSize: pixels.size, in: rect, opacity: opacity, filter: filter, blend: blend)
            cairo_surface_finish(surface)
            cairo_surface_destroy(surface)
        }
    }

    private func drawSurface(_ surface: OpaquePointer, imageSize: PixelSize, in rect: Rect, opacity: Double,
                             filter: ImageFilter, blend: BlendMode) {
        guard rect.width > 0, rect.height > 0, opacity > 0 else { return }
        cairo_save(context)
        cairo_set_operator(context, blend == .source ? CAIRO_OPERATOR_SOURCE : CAIRO_OPERATOR_OVER)
        let sx = rect.width / Double(imageSize.width), sy = rect.height / Double(imageSize.height)
        let isIdentity = abs(sx - 1) < 1e-9 && abs(sy - 1) < 1e-9
        // Only the part of the frame the picture covers is touched.
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        cairo_translate(context, rect.x, rect.y)
        if !isIdentity { cairo_scale(context, sx, sy) }
        cairo_set_source_surface(context, surface, 0, 0)
        let pattern = cairo_get_source(context)
        let aligned = isIdentity && rect.x == rect.x.rounded() && rect.y == rect.y.rounded()
        let cairoFilter: cairo_filter_t = switch filter {
        case .nearest: CAIRO_FILTER_NEAREST
        case .bilinear: CAIRO_FILTER_BILINEAR
        case .good: CAIRO_FILTER_GOOD
        }
        cairo_pattern_set_filter(pattern, aligned ? CAIRO_FILTER_NEAREST : cairoFilter)
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        if opacity >= 1 { cairo_paint(context) } else { cairo_paint_with_alpha(context, opacity) }
        cairo_restore(context)
    }

    /// Fills each row `y` of the drawing with one premultiplied colour, `rowColors[y]`, replacing what was there:
    /// a vertical gradient at the cost of writing the pixels once (no blending, no source to read). Transforms
    /// and clips are ignored; rows past the end of `rowColors` are left alone.
    /// - Complexity: O(width × height).
    public func fillRows(_ rowColors: [Color]) {
        let surface = cairo_get_target(context)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let width = Int(cairo_image_surface_get_width(surface)), height = Int(cairo_image_surface_get_height(surface))
        for y in 0..<min(height, rowColors.count) {
            let pixel = PixelFormat.bgraPremultiplied.word(for: rowColors[y])
            let row = UnsafeMutableRawPointer(data + y * stride).bindMemory(to: UInt32.self, capacity: width)
            UnsafeMutableBufferPointer(start: row, count: width).update(repeating: pixel)
        }
        cairo_surface_mark_dirty(surface)
    }

    // MARK: Text

    /// Draws laid-out text with its top-left corner at `origin`.
    public func draw(_ text: TextLayout, at origin: Point) {
        text.draw(on: self, at: origin)
    }

    // MARK: Helpers

    func setSource(_ paint: Paint) {
        switch paint {
        case .color(let color):
            cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
        case .linearGradient(let colors, let start, let end):
            let pattern = cairo_pattern_create_linear(start.x, start.y, end.x, end.y)!
            addStops(colors, to: pattern)
            cairo_set_source(context, pattern)
            cairo_pattern_destroy(pattern)
        case .radialGradient(let colors, let center, let radius):
            let pattern = cairo_pattern_create_radial(center.x, center.y, 0, center.x, center.y, max(radius, 1e-3))!
            addStops(colors, to: pattern)
            cairo_set_source(context, pattern)
            cairo_pattern_destroy(pattern)
        }
    }

    private func addStops(_ colors: [Color], to pattern: OpaquePointer) {
        for (index, color) in colors.enumerated() {
            let offset = colors.count == 1 ? 0 : Double(index) / Double(colors.count - 1)
            cairo_pattern_add_color_stop_rgba(pattern, offset, color.red, color.green, color.blue, color.alpha)
        }
    }

    func addRectPath(_ rect: Rect, cornerRadius: Double) {
        cairo_new_path(context)
        let r = min(cornerRadius, rect.width / 2, rect.height / 2)
        guard r > 0 else {
            cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
            return
        }
        let (x0, y0, x1, y1) = (rect.x, rect.y, rect.x + rect.width, rect.y + rect.height)
        cairo_arc(context, x1 - r, y0 + r, r, -.pi / 2, 0)
        cairo_arc(context, x1 - r, y1 - r, r, 0, .pi / 2)
        cairo_arc(context, x0 + r, y1 - r, r, .pi / 2, .pi)
        cairo_arc(context, x0 + r, y0 + r, r, .pi, 3 * .pi / 2)
        cairo_close_path(context)
    }

    private func addEllipsePath(_ rect: Rect) {
        cairo_new_path(context)
        cairo_save(context)
        cairo_translate(context, rect.midX, rect.midY)
        cairo_scale(context, max(rect.width / 2, 1e-6), max(rect.height / 2, 1e-6))
        cairo_arc(context, 0, 0, 1, 0, 2 * .pi)
        cairo_restore(context)
    }
}

extension PixelBuffer {
    /// Draws on this buffer with Cairo.
    /// - Precondition: the buffer is `bgraPremultiplied`.
    public mutating func draw<R, E: Error>(_ body: (Canvas) throws(E) -> R) throws(E) -> R {
        precondition(format == .bgraPremultiplied, "Canvas draws on premultiplied BGRA buffers")
        let size = self.size, rowBytes = bytesPerRow
        return try withUnsafeMutableBytes { (raw) throws(E) -> R in
            let surface = cairo_image_surface_create_for_data(
                raw.baseAddress!.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_ARGB32,
                Int32(size.width), Int32(size.height), Int32(rowBytes))!
            let context = cairo_create(surface)!
            defer {
                cairo_destroy(context)
                cairo_surface_finish(surface)
                cairo_surface_destroy(surface)
            }
            return try body(Canvas(context: context, size: size))
        }
    }
}

extension PixelBuffer {
    /// Writes the picture as a PNG (through Cairo), to a temporary file renamed into place when complete.
    /// - Precondition: the buffer is `bgraPremultiplied`.
    /// - Throws: `PhimError` naming `url` when it cannot be written.
    public func writePNG(to url: URL) throws(PhimError) {
        precondition(format == .bgraPremultiplied, "PNGs are written from premultiplied BGRA buffers")
        let output = try OutputFile(url)
        var copy = self
        let status = copy.withUnsafeMutableBytes { raw in
            let surface = cairo_image_surface_create_for_data(
                raw.baseAddress!.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_ARGB32,
                Int32(size.width), Int32(size.height), Int32(bytesPerRow))!
            defer { cairo_surface_destroy(surface) }
            return cairo_surface_write_to_png(surface, output.temporary.path)
        }
        guard status == CAIRO_STATUS_SUCCESS else {
            output.discard()
            throw PhimError(.writeFailed, "cannot write the PNG: \(String(cString: cairo_status_to_string(status)))",
                            subject: .file(url.displayPath))
        }
        try output.commit()
    }
}
