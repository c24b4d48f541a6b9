import Foundation
import PhimCore
import PhimGraphics

/// One layer of a clip (an entry of `layers`): what it draws plus when and how opaquely.
///
/// Layers stack in order, first at the back. The fields every layer type shares (`start`, `stop`, `opacity`)
/// live here; the `type`-specific ones in ``content``.
public struct Layer: Sendable, Equatable {
    /// What the layer draws (selected by `type`).
    public var content: LayerContent
    /// When the layer appears, in seconds from the start of its clip (`start`, default 0).
    public var start: Double
    /// When the layer disappears, in seconds from the start of its clip (`stop`, default the clip's end).
    public var stop: Double
    /// How opaque the whole layer is, 0...1 (`opacity`, default 1).
    public var opacity: Double
    /// Where the layer is in the project file (`clips[2].layers[0]`). Errors found later (a file that does not
    /// decode) should name `fieldPath + ".path"`.
    public var fieldPath: String

    /// Creates a layer; `stop` is in seconds from the clip's start (the clip's duration for its whole life).
    public init(_ content: LayerContent, start: Double = 0, stop: Double, opacity: Double = 1, fieldPath: String = "") {
        self.content = content
        self.start = start
        self.stop = stop
        self.opacity = opacity
        self.fieldPath = fieldPath
    }

    /// The layer's `type`.
    public var type: LayerType { content.type }

    /// Whether the layer shows at `time` seconds into its clip (`start <= time < stop`).
    public func isVisible(atClipTime time: Double) -> Bool { time >= start && time < stop }
}

/// The layer types. Raw values are the `type` names used in project files.
public enum LayerType: String, Sendable, CaseIterable {
    case color, gradient, image, video, title, subtitle, backdrop, presenter, keywords, bullets, chart, generated
}

/// What a layer draws.
public enum LayerContent: Sendable, Equatable {
    /// A solid colour over the whole frame.
    case color(ColorLayer)
    /// A linear or radial gradient over the whole frame.
    case gradient(GradientLayer)
    /// A still picture, optionally with a Ken Burns zoom and pan.
    case image(ImageLayer)
    /// A stretch of a video file, retimed to the clip.
    case video(VideoLayer)
    /// Large text, centred by default.
    case title(TextLayer)
    /// Smaller text, at the bottom by default.
    case subtitle(TextLayer)
    /// A procedural background with parallax.
    case backdrop(BackdropLayer)
    /// A drawn presenter whose mouth follows the narration.
    case presenter(PresenterLayer)
    /// Keyword cards.
    case keywords(KeywordsLayer)
    /// A bullet list.
    case bullets(BulletsLayer)
    /// A bar chart.
    case chart(ChartLayer)
    /// A clip made by a trained video generator, fitted to the frame like a video.
    case generated(GeneratedLayer)

    /// The `type` name of this content.
    public var type: LayerType {
        switch self {
        case .color: .color
        case .gradient: .gradient
        case .image: .image
        case .video: .video
        case .title: .title
        case .subtitle: .subtitle
        case .backdrop: .backdrop
        case .presenter: .presenter
        case .keywords: .keywords
        case .bullets: .bullets
        case .chart: .chart
        case .generated: .generated
        }
    }
}

/// A solid colour (`type: color`).
public struct ColorLayer: Sendable, Equatable {
    /// The fill (`color`, required).
    public var color: Color

    /// Creates a solid colour layer.
    public init(color: Color) { self.color = color }
}

/// A gradient (`type: gradient`).
public struct GradientLayer: Sendable, Equatable {
    /// The colours, evenly spaced from first to last (`colors`, at least two).
    public var colors: [Color]
    /// Linear or radial (`shape`, default `linear`).
    public var shape: GradientShape
    /// For linear gradients, the direction the colours run towards in degrees, as in CSS `linear-gradient`:
    /// 0 = towards the top, 90 = towards the right, 180 = towards the bottom (`angle`, default 180, that is the
    /// first colour at the top and the last at the bottom). Always 180 for radial gradients.
    public var angle: Double

    /// The angle of a linear gradient that gives none: first colour at the top.
    public static let defaultAngle = 180.0

    /// Creates a gradient.
    public init(colors: [Color], shape: GradientShape = .linear, angle: Double = GradientLayer.defaultAngle) {
        self.colors = colors
        self.shape = shape
        self.angle = angle
    }
}

/// The shape of a gradient. Raw values are the names used in project files.
public enum GradientShape: String, Sendable, CaseIterable {
    /// Colours run along a straight line at `angle`.
    case linear
    /// Colours run from the centre (first) to the farthest corner (last).
    case radial
}

/// A still picture (`type: image`).
public struct ImageLayer: Sendable, Equatable {
    /// The picture file (`path`).
    public var path: URL
    /// How the picture fills the frame (`fit`, default the project's `defaults.fit`, itself default `cover`).
    public var fit: FitMode
    /// A zoom over the layer's life (`zoom`), the Ken Burns effect.
    public var zoom: ZoomSpec?
    /// A pan over the layer's life (`pan`).
    public var pan: PanSpec?

    /// Creates an image layer.
    public init(path: URL, fit: FitMode = .cover, zoom: ZoomSpec? = nil, pan: PanSpec? = nil) {
        self.path = path
        self.fit = fit
        self.zoom = zoom
        self.pan = pan
    }
}

/// A zoom that runs linearly from ``from`` to ``to`` over the layer's visible life. 1 is the picture as fitted,
/// 1.2 is 20 % larger, scaled about the point ``PanSpec`` puts at the centre (the middle by default).
public struct ZoomSpec: Sendable, Equatable {
    /// The scale at the start (`from`, default 1).
    public var from: Double
    /// The scale at the end (`to`, default 1).
    public var to: Double

    /// The allowed range of ``from`` and ``to``.
    public static let range: ClosedRange<Double> = 0.1...10

    /// Creates a zoom; the defaults mean none.
    public init(from: Double = 1, to: Double = 1) {
        self.from = from
        self.to = to
    }

    /// The scale at `progress` (0...1) through the layer's life.
    public func scale(at progress: Double) -> Double { from + (to - from) * min(max(progress, 0), 1) }
}

/// A pan that runs linearly from ``from`` to ``to`` over the layer's visible life. Each point is the point of the
/// picture, as fractions of its fitted and zoomed width and height (0...1, `{x: 0.5, y: 0.5}` is its middle), that
/// sits at the centre of the frame. The compositor may clamp it so that a covering picture never shows an edge.
public struct PanSpec: Sendable, Equatable {
    /// The focus at the start (`from`, default the middle).
    public var from: Point
    /// The focus at the end (`to`, default the middle).
    public var to: Point

    /// Creates a pan; the defaults mean none.
    public init(from: Point = Point(x: 0.5, y: 0.5), to: Point = Point(x: 0.5, y: 0.5)) {
        self.from = from
        self.to = to
    }

    /// The focus at `progress` (0...1) through the layer's life.
    public func focus(at progress: Double) -> Point {
        let t = min(max(progress, 0), 1)
        return Point(x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t)
    }
}

/// A stretch of a video file (`type: video`).
///
/// With `cutTo`, the source range `cutFrom..<cutTo` is retimed to fill the layer's life (faster or slower than
/// real time). Without it, the source plays at normal speed from `cutFrom`, holding its last frame if it ends
/// before the layer does.
public struct VideoLayer: Sendable, Equatable {
    /// The video file (`path`).
    public var path: URL
    /// Where in the source to start, in seconds (`cutFrom`, default 0).
    public var cutFrom: Double
    /// Where in the source to stop, in seconds (`cutTo`); greater than `cutFrom`.
    public var cutTo: Double?
    /// How the picture fills the frame (`fit`, default the project's `defaults.fit`).
    public var fit: FitMode
    /// Linear gain of the clip's own sound (`volume`, 0...10, default 1).
    public var volume: Double
    /// Whether to drop the clip's own sound (`mute`, default false).
    public var mute: Bool

    /// Creates a video layer; the defaults are those of a project file.
    public init(path: URL, cutFrom: Double = 0, cutTo: Double? = nil, fit: FitMode = .cover, volume: Double = 1,
                mute: Bool = false) {
        self.path = path
        self.cutFrom = cutFrom
        self.cutTo = cutTo
        self.fit = fit
        self.volume = volume
        self.mute = mute
    }

    /// The source duration `cutTo - cutFrom`, when `cutTo` is given.
    public var sourceDuration: Double? { cutTo.map { $0 - cutFrom } }

    /// The allowed range of ``volume`` (and of audio tracks' volume): up to +20 dB.
    public static let volumeRange: ClosedRange<Double> = 0...10
}

/// A clip made by a trained video generator (`type: generated`): the model `phim train` wrote samples it once, when
/// the layer is prepared, as long as the layer is visible, and it plays at the model's own frame rate, fitted to the
/// frame like a video layer.
///
/// PhimCompose does not run models itself (that needs libtorch): the renderer gets the frames from a
/// ``GeneratedClipSource`` in ``RenderOptions/generatedClips`` (the `phim` command passes PhimGen's). A render that
/// has none refuses projects with generated layers, naming the layer's `model`. A render with generated layers is
/// labelled `compositeWithTrainedAlgorithmicMedia`, and the model's weights are named as an ingredient.
public struct GeneratedLayer: Sendable, Equatable {
    /// The model folder (`model`, required; relative to the project file): what `phim train` writes, with
    /// ``sidecarFileName`` and ``weightsFileName``.
    public var model: URL
    /// The seed the generator's noise is drawn from: the same seed gives the same clip (`seed`, a whole number from 0
    /// to 2^53 - 1, as every whole number in a project file; default 1).
    public var seed: UInt64
    /// The class to generate, for a model trained on a labelled set (`class`): one of its class names, or an index
    /// as decimal digits. `nil` lets the model choose (its first class).
    public var classChoice: String?
    /// How the clip fills the frame (`fit`, default the project's `defaults.fit`).
    public var fit: FitMode

    /// The seed of a layer that gives none.
    public static let defaultSeed: UInt64 = 1
    /// The architecture and settings file of a model folder (PhimGen's `GANTraining.sidecarName`).
    public static let sidecarFileName = "model.json"
    /// The weights file of a model folder (PhimGen's `GANTraining.modelName`); a render names it as an ingredient.
    public static let weightsFileName = "model.safetensors"

    /// Creates a generated layer; the defaults are those of a project file, except ``fit``'s (`defaults.fit`).
    public init(model: URL, seed: UInt64 = GeneratedLayer.defaultSeed, classChoice: String? = nil, fit: FitMode = .cover) {
        self.model = model
        self.seed = seed
        self.classChoice = classChoice
        self.fit = fit
    }

    /// The model's weights file, `model/model.safetensors`.
    public var weights: URL { model.appendingPathComponent(Self.weightsFileName) }
}

/// Text drawn over the clip (`type: title` or `type: subtitle`).
public struct TextLayer: Sendable, Equatable {
    /// The text in Unicode NFC (`text`); `\n` breaks lines, long lines wrap at `maxWidth`.
    public var text: String
    /// Where the text block sits (`position`; titles default to `center`, subtitles to `bottom`).
    public var position: TextPosition
    /// How the text looks.
    public var style: TextLayerStyle

    /// Creates a text layer; `text` should already be NFC (the loader normalises it).
    public init(text: String, position: TextPosition, style: TextLayerStyle) {
        self.text = text
        self.position = position
        self.style = style
    }
}

/// Where a block of text sits in the frame (`position`: `"center"`, `"top"`, `"bottom"` or `{"x": …, "y": …}`).
public enum TextPosition: Sendable, Equatable {
    /// Centred in the frame.
    case center
    /// Centred horizontally, near the top edge (a margin of about 5 % of the height).
    case top
    /// Centred horizontally, near the bottom edge (a margin of about 5 % of the height).
    case bottom
    /// The centre of the text block at this point, in fractions of the frame's width and height (0...1).
    case point(Point)
}

/// How text is drawn: shared by title and subtitle layers and by the `subtitles` file.
public struct TextLayerStyle: Sendable, Equatable {
    /// The font family (`font`, default the project's `defaults.font`).
    public var font: String
    /// The font size in pixels at the project's frame size (`fontSize`; titles default to 7 % of the frame
    /// height, subtitles to 4.5 %).
    public var fontSize: Double
    /// The text colour (`color`, default white).
    public var color: Color
    /// An outline around the glyphs (`outlineColor`, `outlineWidth`); titles have none by default, subtitles a
    /// black one.
    public var outline: TextOutline?
    /// A box behind the text block (`boxColor`), none by default.
    public var boxColor: Color?
    /// The widest a line may be before it wraps, as a fraction of the frame width (`maxWidth`, default 0.9).
    public var maxWidth: Double
    /// How lines align within the block (`align`, default `center`).
    public var align: TextAlignment

    /// Title font size as a fraction of the frame height.
    public static let titleSizeFraction = 0.07
    /// Subtitle font size as a fraction of the frame height.
    public static let subtitleSizeFraction = 0.045
    /// The wrapping width of text that gives no `maxWidth`.
    public static let defaultMaxWidth = 0.9

    /// Creates a style; the defaults are those of a title.
    public init(font: String = ProjectDefaults.defaultFont, fontSize: Double, color: Color = .white,
                outline: TextOutline? = nil, boxColor: Color? = nil, maxWidth: Double = TextLayerStyle.defaultMaxWidth,
                align: TextAlignment = .center) {
        self.font = font
        self.fontSize = fontSize
        self.color = color
        self.outline = outline
        self.boxColor = boxColor
        self.maxWidth = maxWidth
        self.align = align
    }
}

/// An outline around glyphs.
public struct TextOutline: Sendable, Equatable {
    /// The outline colour (`outlineColor`, default black).
    public var color: Color
    /// The outline width in pixels (`outlineWidth`, default a sixteenth of the font size, at least 1).
    public var width: Double

    /// Creates an outline.
    public init(color: Color = .black, width: Double) {
        self.color = color
        self.width = width
    }

    /// The width an outline gets when only its colour is given.
    public static func defaultWidth(forFontSize fontSize: Double) -> Double { max(1, (fontSize / 16).rounded()) }
}

