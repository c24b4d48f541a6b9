internal import CCairo
import PhimCore

/// A block of text shaped and wrapped by Pango (HarfBuzz shaping, so Vietnamese stacked diacritics, ligatures
/// and right-to-left scripts come out right), ready to measure and draw.
///
/// Not `Sendable`: owns a Pango layout and context.
public final class TextLayout {
    /// The largest font size, in pixels.
    public static let maxFontSize = 4_000.0

    public let text: String
    public let style: TextStyle
    /// The width lines wrap at, in pixels, if any.
    public let maxWidth: Double?
    /// The size of the whole block: text, outline and box padding.
    public let size: (width: Double, height: Double)
    /// How many lines the text wrapped into.
    public let lineCount: Int

    private let pangoContext: OpaquePointer
    private let layout: OpaquePointer
    /// Where the text starts inside the block (past the padding and outline).
    private let inset: Point
    private let textSize: (width: Double, height: Double)
    /// Whether parts of the text have colours of their own (then glyphs are drawn by Pango, not as one path).
    private let hasColorAttributes: Bool

    /// UTF-8 offsets of a range of characters of `text`, clamped; nil when empty.
    static func byteRange(of characters: Range<Int>, in text: String) -> Range<Int>? {
        let count = text.count
        let lower = min(max(characters.lowerBound, 0), count), upper = min(max(characters.upperBound, lower), count)
        guard upper > lower else { return nil }
        let start = text.index(text.startIndex, offsetBy: lower), end = text.index(start, offsetBy: upper - lower)
        return text.utf8.distance(from: text.startIndex, to: start)..<text.utf8.distance(from: text.startIndex, to: end)
    }

    /// Lays out `text` (normalised to NFC).
    /// - Parameters:
    ///   - maxWidth: wrap lines at this many pixels (words, then characters for very long words).
    ///   - highlight: characters (offsets into the NFC text) drawn in another colour, e.g. the word being spoken.
    /// - Throws: `PhimError` when the font is not installed or the size is not positive.
    public init(text: String, style: TextStyle, maxWidth: Double? = nil, highlight: (characters: Range<Int>, color: Color)? = nil,
                subject: PhimError.Subject = .field("font")) throws(PhimError) {
        try FontCatalog.require(style.fontFamily, subject: subject)
        guard style.fontSize > 0, style.fontSize.isFinite, style.fontSize <= Self.maxFontSize else {
            throw PhimError(.invalidInput, "font size \(style.fontSize) must be between 0 and \(Int(Self.maxFontSize)) pixels", subject: subject)
        }
        self.text = text.nfc
        self.style = style
        self.maxWidth = maxWidth
        let fontMap = pango_cairo_font_map_get_default()
        pangoContext = pango_font_map_create_context(fontMap)!
        // Unhinted outlines and metrics: text scales and moves smoothly, and looks the same at any position.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(pangoContext, options)
        cairo_font_options_destroy(options)
        layout = pango_layout_new(pangoContext)

        let description = pango_font_description_new()
        pango_font_description_set_family(description, style.fontFamily)
        pango_font_description_set_absolute_size(description, style.fontSize * Double(CCairo_PANGO_SCALE()))
        pango_font_description_set_weight(description, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(description, style.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        pango_layout_set_font_description(layout, description)
        pango_font_description_free(description)

        let padding = style.boxColor == nil ? 0 : style.boxPadding * style.fontSize
        let outline = style.outlineColor == nil ? 0 : max(0, style.outlineWidth)
        let inner = padding + outline
        if let maxWidth {
            pango_layout_set_width(layout, Int32(max(1, maxWidth - 2 * inner) * Double(CCairo_PANGO_SCALE())))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        let alignment: PangoAlignment = switch style.alignment {
        case .left: PANGO_ALIGN_LEFT
        case .center: PANGO_ALIGN_CENTER
        case .right: PANGO_ALIGN_RIGHT
        }
        pango_layout_set_alignment(layout, alignment)
        if style.lineSpacing != 1 { pango_layout_set_line_spacing(layout, Float(max(0.5, style.lineSpacing))) }
        pango_layout_set_text(layout, self.text, -1)
        if let highlight, let range = Self.byteRange(of: highlight.characters, in: self.text) {
            let list = pango_attr_list_new()
            func channel(_ value: Double) -> UInt16 { UInt16(max(0, min(1, value)) * 65535) }
            if let attribute = pango_attr_foreground_new(channel(highlight.color.red), channel(highlight.color.green),
                                                         channel(highlight.color.blue)) {
                attribute.pointee.start_index = UInt32(range.lowerBound)
                attribute.pointee.end_index = UInt32(range.upperBound)
                pango_attr_list_insert(list, attribute)
            }
            if highlight.color.alpha < 1, let alpha = pango_attr_foreground_alpha_new(channel(highlight.color.alpha)) {
                alpha.pointee.start_index = UInt32(range.lowerBound)
                alpha.pointee.end_index = UInt32(range.upperBound)
                pango_attr_list_insert(list, alpha)
            }
            pango_layout_set_attributes(layout, list)
            pango_attr_list_unref(list)
            hasColorAttributes = true
        } else {
            hasColorAttributes = false
        }

        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, &ink, &logical)
        // With a wrap width Pango reports the layout's full width; the block hugs the longest line instead.
        lineCount = Int(pango_layout_get_line_count(layout))
        var widest = 0.0
        // The lines' list walked once (`pango_layout_get_line_readonly(layout, i)` walks it from the start each time).
        var node = pango_layout_get_lines_readonly(layout)
        while let current = node {
            var lineInk = PangoRectangle(), lineLogical = PangoRectangle()
            pango_layout_line_get_pixel_extents(current.pointee.data.assumingMemoryBound(to: PangoLayoutLine.self), &lineInk, &lineLogical)
            widest = max(widest, Double(lineLogical.width))
            node = current.pointee.next
        }
        textSize = (widest, Double(logical.height))
        inset = Point(x: inner, y: inner)
        size = (widest + 2 * inner, Double(logical.height) + 2 * inner)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(layout))
        g_object_unref(UnsafeMutableRawPointer(pangoContext))
    }

    /// Draws the block with its top-left corner at `origin`.
    func draw(on canvas: Canvas, at origin: Point) {
        let cr = canvas.context
        cairo_save(cr)
        defer { cairo_restore(cr) }
        if let box = style.boxColor {
            canvas.fill(rect: Rect(x: origin.x, y: origin.y, width: size.width, height: size.height),
                        cornerRadius: style.fontSize * 0.2, with: .color(box))
        }
        // Lines are aligned inside the layout's wrap width; shift so the longest line starts at the inset.
        var logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, nil, &logical)
        var lineShift = 0.0
        if maxWidth != nil, pango_layout_get_line_count(layout) > 0 {
            // One pass over the lines with one iterator (looking each line up by index would be quadratic).
            var leftmost = Double.greatestFiniteMagnitude
            let iterator = pango_layout_get_iter(layout)
            defer { pango_layout_iter_free(iterator) }
            repeat {
                var lineLogical = PangoRectangle(), lineExtents = PangoRectangle()
                pango_layout_iter_get_line_extents(iterator, nil, &lineLogical)
                pango_layout_line_get_pixel_extents(pango_layout_iter_get_line_readonly(iterator), nil, &lineExtents)
                leftmost = min(leftmost, Double(lineLogical.x / CCairo_PANGO_SCALE()) + Double(lineExtents.x))
            } while pango_layout_iter_next_line(iterator) != 0
            lineShift = -leftmost
        }
        cairo_move_to(cr, origin.x + inset.x + lineShift, origin.y + inset.y)
        pango_cairo_update_layout(cr, layout)
        if let outline = style.outlineColor, style.outlineWidth > 0 {
            pango_cairo_layout_path(cr, layout)
            cairo_set_source_rgba(cr, outline.red, outline.green, outline.blue, outline.alpha)
            cairo_set_line_width(cr, style.outlineWidth * 2)
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
            if hasColorAttributes {
                // Outline first, then the glyphs by Pango so that each run gets its own colour.
                cairo_stroke(cr)
                cairo_move_to(cr, origin.x + inset.x + lineShift, origin.y + inset.y)
                cairo_set_source_rgba(cr, style.color.red, style.color.green, style.color.blue, style.color.alpha)
                pango_cairo_show_layout(cr, layout)
            } else {
                cairo_stroke_preserve(cr)
                cairo_set_source_rgba(cr, style.color.red, style.color.green, style.color.blue, style.color.alpha)
                cairo_fill(cr)
            }
        } else {
            cairo_set_source_rgba(cr, style.color.red, style.color.green, style.color.blue, style.color.alpha)
            pango_cairo_show_layout(cr, layout)
        }
    }

    /// The size of the picture ``rendered(visible:)`` makes of the whole block (a pixel of margin around it).
    public var pixelSize: PixelSize {
        PixelSize(width: max(1, Int(size.width.rounded(.up)) + 2), height: max(1, Int(size.height.rounded(.up)) + 2))
    }

    /// The block drawn once into its own transparent picture, for drawing every frame at little cost.
    /// - Parameter visible: the part of the block to draw, in the picture's pixels (``pixelSize``): only what can be on
    ///   screen, so a block far larger than the frame costs memory for the frame's pixels only. Whole pixels; the
    ///   default is the whole block.
    /// - Returns: a picture of `visible` (at least one pixel); draw it at the block's origin plus `visible`'s origin.
    public func rendered(visible: Rect? = nil) -> GraphicsImage {
        let whole = pixelSize
        let area = visible ?? Rect(x: 0, y: 0, width: Double(whole.width), height: Double(whole.height))
        let size = PixelSize(width: max(1, Int(area.width.rounded(.up))), height: max(1, Int(area.height.rounded(.up))))
        return GraphicsImage(size: size) { canvas in self.draw(on: canvas, at: Point(x: 1 - area.x, y: 1 - area.y)) }
    }

    /// The block's picture, or its top-left part when the block is larger than `limit` (a frame): what is beyond a
    /// frame's size can never be seen.
    public func rendered(within limit: PixelSize) -> GraphicsImage {
        let whole = pixelSize
        return rendered(visible: Rect(x: 0, y: 0, width: Double(min(whole.width, limit.width)),
                                      height: Double(min(whole.height, limit.height))))
    }

    /// The part of a block placed at `origin` that lies inside a frame of `frame` size, in the block's picture pixels
    /// (see ``rendered(visible:)``), or `nil` when none of it does.
    public func visiblePart(at origin: Point, in frame: PixelSize) -> Rect? {
        let whole = pixelSize
        let left = max(0, -origin.x), top = max(0, -origin.y)
        let right = min(Double(whole.width), Double(frame.width) - origin.x)
        let bottom = min(Double(whole.height), Double(frame.height) - origin.y)
        guard right > left, bottom > top else { return nil }
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }
}
