import PhimCore

/// Horizontal alignment of the lines of a text block.
public enum TextAlignment: String, Sendable, CaseIterable {
    case left, center, right
}

/// How text looks: font, size, colour, outline and background box.
public struct TextStyle: Sendable, Equatable {
    /// A font family installed on the machine (see ``FontCatalog``).
    public var fontFamily: String
    /// Font size in pixels (the em size).
    public var fontSize: Double
    public var bold: Bool
    public var italic: Bool
    public var color: Color
    /// Colour of an outline drawn around each glyph; `nil` for none.
    public var outlineColor: Color?
    /// Outline thickness in pixels (outside the glyph).
    public var outlineWidth: Double
    /// Colour of a rounded box drawn behind the text block; `nil` for none.
    public var boxColor: Color?
    /// Space between the text and the box's edge, as a fraction of the font size.
    public var boxPadding: Double
    public var alignment: TextAlignment
    /// Line height as a multiple of the font's natural line height.
    public var lineSpacing: Double

    public init(
        fontFamily: String = "DejaVu Sans", fontSize: Double = 48, bold: Bool = false, italic: Bool = false,
        color: Color = .white, outlineColor: Color? = nil, outlineWidth: Double = 0, boxColor: Color? = nil,
        boxPadding: Double = 0.35, alignment: TextAlignment = .center, lineSpacing: Double = 1
    ) {
        self.fontFamily = fontFamily
        self.fontSize = fontSize
        self.bold = bold
        self.italic = italic
        self.color = color
        self.outlineColor = outlineColor
        self.outlineWidth = outlineWidth
        self.boxColor = boxColor
        self.boxPadding = boxPadding
        self.alignment = alignment
        self.lineSpacing = lineSpacing
    }
}
