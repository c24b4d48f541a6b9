/// The field names each object of a project file may have: the single list the reader enforces and the schema
/// test compares against `Schemas/project.schema.json`, so the two cannot drift apart.
public enum ProjectFields {
    /// The top level. `$schema` lets editors find the JSON Schema; it is otherwise ignored.
    public static let project = ["$schema", "width", "height", "fps", "background", "defaults", "clips", "audio",
                                 "subtitles", "loudness", "output"]
    /// `defaults`.
    public static let defaults = ["duration", "transition", "font", "fit"]
    /// A transition object (in a clip or in `defaults`).
    public static let transition = ["name", "duration", "easing"]
    /// An entry of `clips`.
    public static let clip = ["duration", "transition", "layers", "narration"]
    /// Fields every layer has, whatever its `type`.
    public static let layerCommon = ["type", "start", "stop", "opacity"]
    /// The text style fields of title and subtitle layers and of `subtitles`.
    public static let textStyle = ["font", "fontSize", "color", "outlineColor", "outlineWidth", "boxColor", "maxWidth",
                                   "align"]
    /// An image layer's `zoom`.
    public static let zoom = ["from", "to"]
    /// An image layer's `pan`.
    public static let pan = ["from", "to"]
    /// A point (`position`, `pan.from`, `pan.to`).
    public static let point = ["x", "y"]
    /// An `area` of a scene layer.
    public static let area = ["x", "y", "width", "height"]
    /// The text fields of scene layers (keywords, bullets, chart).
    public static let sceneText = ["font", "fontSize", "color"]
    /// An entry of `audio`.
    public static let audioTrack = ["path", "start", "cutFrom", "cutTo", "volume", "fadeIn", "fadeOut", "loop", "duck",
                                    "role"]
    /// `subtitles`.
    public static let subtitles = ["path", "offset", "position", "highlight"] + textStyle
    /// `output`.
    public static let output = ["crf", "preset", "audioBitrate"]

    /// The fields particular to a layer type (besides ``layerCommon``).
    public static func layerSpecific(_ type: LayerType) -> [String] {
        switch type {
        case .color: ["color"]
        case .gradient: ["colors", "shape", "angle"]
        case .image: ["path", "fit", "zoom", "pan"]
        case .video: ["path", "cutFrom", "cutTo", "fit", "volume", "mute"]
        case .title, .subtitle: ["text", "position"] + textStyle
        case .backdrop: ["colors", "motif", "seed", "motion"]
        case .presenter: ["seed", "area", "lipSync"]
        case .keywords: ["words", "area", "cardColor", "stagger"] + sceneText
        case .bullets: ["items", "area", "bulletColor", "stagger"] + sceneText
        case .chart: ["values", "labels", "unit", "area", "barColors", "grow"] + sceneText
        case .generated: ["model", "seed", "class", "fit"]
        }
    }

    /// Every field a layer of `type` may have.
    public static func layer(_ type: LayerType) -> [String] { layerCommon + layerSpecific(type) }
}
