/// The field names each object of a project file may have: the single list the reader enforces and the schema
/// test compares against `Schemas/project.schema.json`, so the two cannot drift apart.
public enum ProjectFields {
    /// The top level. `$schema` lets editors find the JSON Schema; it is otherwise ignored.
    public static let project = ["$schema", "width", "height", "fps", "background", "defaults", "clips", "audio",
                                 "subtitles", "loudness", "output"]
    public static let defaults = ["duration", "transition", "font", "fit"]
    public static let transition = ["name", "duration", "easing"]
    public static let clip = ["duration", "transition", "layers"]
    /// Fields every layer has, whatever its `type`.
    public static let layerCommon = ["type", "start", "stop", "opacity"]
    public static let textStyle = ["font", "fontSize", "color", "outlineColor", "outlineWidth", "boxColor", "maxWidth",
                                   "align"]
    public static let zoom = ["from", "to"]
    public static let pan = ["from", "to"]
    public static let point = ["x", "y"]
    public static let audioTrack = ["path", "start", "cutFrom", "cutTo", "volume", "fadeIn", "fadeOut", "loop", "duck",
                                    "role"]
    public static let subtitles = ["path", "offset", "position"] + textStyle
    public static let output = ["crf", "preset", "audioBitrate"]

    /// The fields particular to a layer type (besides ``layerCommon``).
    public static func layerSpecific(_ type: LayerType) -> [String] {
        switch type {
        case .color: ["color"]
        case .gradient: ["colors", "shape", "angle"]
        case .image: ["path", "fit", "zoom", "pan"]
        case .video: ["path", "cutFrom", "cutTo", "fit", "volume", "mute"]
        case .title, .subtitle: ["text", "position"] + textStyle
        }
    }

    /// Every field a layer of `type` may have.
    public static func layer(_ type: LayerType) -> [String] { layerCommon + layerSpecific(type) }
}
