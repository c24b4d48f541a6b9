import Foundation
import PhimCore

// The layer types `phim make` builds its scenes from. They are ordinary project layers: a storyboard written by
// `phim make --storyboard` uses them, and anyone can use them in a hand-written project.

extension Rect {
    /// This rectangle, given in fractions of a frame's width and height (a scene layer's `area: {x, y, width,
    /// height}`, `x`, `y` its top-left corner), in pixels of a frame of `size`.
    public func scaled(to size: PixelSize) -> Rect {
        Rect(x: x * Double(size.width), y: y * Double(size.height),
             width: width * Double(size.width), height: height * Double(size.height))
    }
}

/// The fonts and colours of text drawn by a scene layer (`font`, `fontSize`, `color`).
public struct SceneTextStyle: Sendable, Equatable {
    /// The font family (`font`, default the project's `defaults.font`).
    public var font: String
    /// The font size in pixels at the project's frame size (`fontSize`; the default depends on the layer).
    public var fontSize: Double
    /// The text colour (`color`, default white).
    public var color: Color

    public init(font: String = ProjectDefaults.defaultFont, fontSize: Double, color: Color = .white) {
        self.font = font
        self.fontSize = fontSize
        self.color = color
    }
}

/// The patterns a backdrop can draw over its gradient. Raw values are the names used in project files.
public enum BackdropMotif: String, Sendable, CaseIterable {
    /// Soft translucent circles.
    case bubbles
    /// Rounded rectangles at angles.
    case blocks
    /// Horizontal sine ribbons.
    case waves
    /// A field of small dots.
    case dots
}

/// A procedural scene background (`type: backdrop`): a gradient with shapes on three depth planes that drift at
/// different speeds (parallax). Covers the frame.
public struct BackdropLayer: Sendable, Equatable {
    /// The gradient's colours, top to bottom; the shapes take tints of them (`colors`, 2...4).
    public var colors: [Color]
    /// The shapes (`motif`, default `bubbles`).
    public var motif: BackdropMotif
    /// Chooses the shapes' sizes, places and directions (`seed`, default 0); the same seed draws the same scene.
    public var seed: Int
    /// How fast the planes drift; 0 holds them still (`motion`, 0...10, default 1).
    public var motion: Double

    public init(colors: [Color], motif: BackdropMotif = .bubbles, seed: Int = 0, motion: Double = 1) {
        self.colors = colors
        self.motif = motif
        self.seed = seed
        self.motion = motion
    }
}

/// A parametric presenter (`type: presenter`): a drawn character whose face, hair and clothes come from `seed`,
/// who blinks and sways, and whose mouth opens with the loudness of the project's `speech` audio tracks.
public struct PresenterLayer: Sendable, Equatable {
    /// Chooses the character's look (`seed`, default 0).
    public var seed: Int
    /// Where the character stands; it is drawn as large as fits, feet on the area's bottom edge (`area`, default
    /// the bottom-right of the frame).
    public var area: Rect
    /// Whether the mouth follows the speech tracks (`lipSync`, default true); if false it stays closed.
    public var lipSync: Bool

    public static let defaultArea = Rect(x: 0.55, y: 0.45, width: 0.45, height: 0.55)

    public init(seed: Int = 0, area: Rect = PresenterLayer.defaultArea, lipSync: Bool = true) {
        self.seed = seed
        self.area = area
        self.lipSync = lipSync
    }
}

/// Keyword cards (`type: keywords`): words on rounded cards that pop in one after another.
public struct KeywordsLayer: Sendable, Equatable {
    /// The words, one card each (`words`, 1...8).
    public var words: [String]
    /// Where the cards are laid out, in rows, centred (`area`, default the middle of the frame).
    public var area: Rect
    /// Font, size (default 5 % of the frame height) and colour.
    public var style: SceneTextStyle
    /// The cards' fill (`cardColor`, default a translucent white).
    public var cardColor: Color
    /// Seconds between one card's entrance and the next (`stagger`, default 0.35).
    public var stagger: Double

    public static let defaultArea = Rect(x: 0.05, y: 0.3, width: 0.9, height: 0.4)
    public static let fontSizeFraction = 0.05
    public static let defaultCardColor = Color(red: 1, green: 1, blue: 1, alpha: 0.22)
    public static let defaultStagger = 0.35

    public init(words: [String], area: Rect = KeywordsLayer.defaultArea, style: SceneTextStyle,
                cardColor: Color = KeywordsLayer.defaultCardColor, stagger: Double = KeywordsLayer.defaultStagger) {
        self.words = words
        self.area = area
        self.style = style
        self.cardColor = cardColor
        self.stagger = stagger
    }
}

/// A bullet list (`type: bullets`): items that slide in one after another.
public struct BulletsLayer: Sendable, Equatable {
    /// The items (`items`, 1...8); long items wrap.
    public var items: [String]
    /// Where the list sits, centred vertically (`area`, default the middle of the frame).
    public var area: Rect
    /// Font, size (default 4.5 % of the frame height) and colour.
    public var style: SceneTextStyle
    /// The bullets' colour (`bulletColor`, default the text colour).
    public var bulletColor: Color
    /// Seconds between one item's entrance and the next (`stagger`, default 0.6).
    public var stagger: Double

    public static let defaultArea = Rect(x: 0.08, y: 0.25, width: 0.84, height: 0.5)
    public static let fontSizeFraction = 0.045
    public static let defaultStagger = 0.6

    public init(items: [String], area: Rect = BulletsLayer.defaultArea, style: SceneTextStyle,
                bulletColor: Color, stagger: Double = BulletsLayer.defaultStagger) {
        self.items = items
        self.area = area
        self.style = style
        self.bulletColor = bulletColor
        self.stagger = stagger
    }
}

/// A bar chart (`type: chart`): bars that grow to their values, with the values above and labels below.
public struct ChartLayer: Sendable, Equatable {
    /// The bars' values, at least 0 (`values`, 1...12).
    public var values: [Double]
    /// A label under each bar (`labels`, as many as values, or none).
    public var labels: [String]
    /// Written after each value, e.g. `%` (`unit`, default none).
    public var unit: String
    /// Where the chart is drawn (`area`, default the middle of the frame).
    public var area: Rect
    /// Font, size of the labels (default 3.5 % of the frame height) and colour.
    public var style: SceneTextStyle
    /// The bars' colours, used in turn (`barColors`, default a built-in palette).
    public var barColors: [Color]
    /// Seconds the bars take to grow (`grow`, default 0.8; 0 shows them at once).
    public var grow: Double

    public static let defaultArea = Rect(x: 0.1, y: 0.25, width: 0.8, height: 0.45)
    public static let fontSizeFraction = 0.035
    public static let defaultBarColors = [Color(red: 1, green: 0.78, blue: 0.2), Color(red: 0.35, green: 0.8, blue: 1),
                                          Color(red: 1, green: 0.45, blue: 0.45), Color(red: 0.55, green: 0.9, blue: 0.5)]
    public static let defaultGrow = 0.8

    public init(values: [Double], labels: [String] = [], unit: String = "", area: Rect = ChartLayer.defaultArea,
                style: SceneTextStyle, barColors: [Color] = ChartLayer.defaultBarColors, grow: Double = ChartLayer.defaultGrow) {
        self.values = values
        self.labels = labels
        self.unit = unit
        self.area = area
        self.style = style
        self.barColors = barColors
        self.grow = grow
    }
}

/// Scene layers that draw text.
protocol SceneTextLayer { var style: SceneTextStyle { get } }
extension KeywordsLayer: SceneTextLayer {}
extension BulletsLayer: SceneTextLayer {}
extension ChartLayer: SceneTextLayer {}
