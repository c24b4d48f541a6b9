import Foundation
import PhimCore
import PhimGraphics

/// Writes a ``Project`` as a project file (JSON): the inverse of ``ProjectLoader``.
///
/// Reading what it writes gives the same project back, field for field (the round-trip tests hold the writer, the
/// reader and `Schemas/project.schema.json` to the same fields). It leaves out what the reader would fill in
/// anyway (a layer's `stop` at the end of its clip, a font equal to `defaults.font`, a title's default size…), so a
/// written file reads like a hand-written one, and writes paths inside ``folder`` relative to it, so a project
/// moved together with its media still loads.
///
/// ```swift
/// let project = Project(size: PixelSize(width: 1280, height: 720), clips: [clip], baseDirectory: folder)
/// try ProjectWriter(relativeTo: folder).write(project, to: folder.appendingPathComponent("story.json"))
/// ```
public struct ProjectWriter: Sendable {
    /// Paths of files inside this folder are written relative to it; others absolute.
    public var folder: URL

    /// A writer whose relative paths start at `folder` (usually the folder the project file goes to).
    public init(relativeTo folder: URL) {
        self.folder = folder.standardizedFileURL
    }

    /// The project file's text, UTF-8 JSON with sorted keys.
    public func data(_ project: Project) throws(PhimError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(document(project))
        } catch {
            throw PhimError(.operationFailed, "cannot encode the project: \(error)")
        }
    }

    /// Writes the project file to `url` (atomically: a failure leaves whatever was there).
    public func write(_ project: Project, to url: URL) throws(PhimError) {
        let data = try self.data(project)
        let file = try OutputFile(url)
        do { try data.write(to: file.temporary) } catch {
            file.discard()
            throw PhimError(.writeFailed, "cannot be written: \(error.localizedDescription)", subject: .file(url.displayPath))
        }
        try file.commit()
    }

    // MARK: The document

    /// The project as a JSON value.
    func document(_ project: Project) -> JSONValue {
        var top = ObjectBuilder(ProjectFields.project)
        top["width"] = .integer(project.size.width)
        top["height"] = .integer(project.size.height)
        let rate = project.frameRate.rate
        if rate != Rational(30, 1) {
            top["fps"] = rate.denominator == 1 ? .integer(Int(rate.numerator)) : .string("\(rate.numerator)/\(rate.denominator)")
        }
        if project.background != .black { top["background"] = color(project.background) }
        let context = Context(size: project.size, defaults: project.defaults)
        top["defaults"] = defaults(project.defaults)
        top["clips"] = .array(project.clips.indices.map { clip(project.clips[$0], isLast: $0 == project.clips.count - 1, context) })
        if !project.audio.isEmpty { top["audio"] = .array(project.audio.map(audioTrack)) }
        top["subtitles"] = project.subtitles.map { subtitles($0, context) }
        top["loudness"] = project.loudness.map(JSONValue.number)
        top["output"] = output(project.output)
        return top.value
    }

    /// What the reader fills in from the project as a whole.
    struct Context {
        var size: PixelSize
        var defaults: ProjectDefaults

        /// The transition a clip's written transition inherits its fields from.
        var baseTransition: TransitionSpec { defaults.transition ?? ProjectReader.builtInTransition }

        /// A default font size: `fraction` of the frame height, at most the largest size text may have.
        func fontSize(_ fraction: Double) -> Double { min(Double(size.height) * fraction, TextLayout.maxFontSize) }
    }

    private func defaults(_ defaults: ProjectDefaults) -> JSONValue? {
        var object = ObjectBuilder(ProjectFields.defaults)
        if defaults.duration != ProjectDefaults.defaultDuration { object["duration"] = .number(defaults.duration) }
        object["transition"] = defaults.transition.map { transition($0, base: ProjectReader.builtInTransition) }
        if defaults.font != ProjectDefaults.defaultFont { object["font"] = .string(defaults.font) }
        if defaults.fit != .cover { object["fit"] = .string(defaults.fit.rawValue) }
        return object.valueIfAny
    }

    /// A transition, writing only the fields that differ from `base` (the one it inherits from).
    private func transition(_ spec: TransitionSpec, base: TransitionSpec) -> JSONValue {
        if spec.duration == base.duration, spec.easing == base.easing { return .string(spec.kind.rawValue) }
        var object = ObjectBuilder(ProjectFields.transition)
        object["name"] = .string(spec.kind.rawValue)
        if spec.duration != base.duration { object["duration"] = .number(spec.duration) }
        if spec.easing != base.easing { object["easing"] = .string(spec.easing.rawValue) }
        return object.value
    }

    private func output(_ output: OutputSettings) -> JSONValue? {
        let standard = OutputSettings()
        var object = ObjectBuilder(ProjectFields.output)
        if output.crf != standard.crf { object["crf"] = .integer(output.crf) }
        if output.preset != standard.preset { object["preset"] = .string(output.preset.rawValue) }
        if output.audioBitrate != standard.audioBitrate { object["audioBitrate"] = .integer(output.audioBitrate) }
        return object.valueIfAny
    }

    // MARK: Clips and layers

    private func clip(_ clip: Clip, isLast: Bool, _ context: Context) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.clip)
        object["duration"] = .number(clip.duration)
        // The last clip's transition is always dropped; elsewhere write what differs from `defaults.transition`.
        if !isLast, clip.transition != context.defaults.transition {
            object["transition"] = clip.transition.map { transition($0, base: context.baseTransition) }
                ?? .string(TransitionKind.cut.rawValue)
        }
        object["layers"] = .array(clip.layers.map { layer($0, clipDuration: clip.duration, context) })
        object["narration"] = clip.narration.map(JSONValue.string)
        return object.value
    }

    private func layer(_ layer: Layer, clipDuration: Double, _ context: Context) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.layer(layer.type))
        object["type"] = .string(layer.type.rawValue)
        if layer.start != 0 { object["start"] = .number(layer.start) }
        if layer.stop != clipDuration { object["stop"] = .number(layer.stop) }
        if layer.opacity != 1 { object["opacity"] = .number(layer.opacity) }
        switch layer.content {
        case .color(let content):
            object["color"] = color(content.color)
        case .gradient(let content):
            object["colors"] = .array(content.colors.map(color))
            if content.shape != .linear { object["shape"] = .string(content.shape.rawValue) }
            if content.shape == .linear, content.angle != GradientLayer.defaultAngle { object["angle"] = .number(content.angle) }
        case .image(let content):
            object["path"] = path(content.path)
            if content.fit != context.defaults.fit { object["fit"] = .string(content.fit.rawValue) }
            object["zoom"] = content.zoom.map { zoom in
                var zoomObject = ObjectBuilder(ProjectFields.zoom)
                zoomObject["from"] = .number(zoom.from)
                zoomObject["to"] = .number(zoom.to)
                return zoomObject.value
            }
            object["pan"] = content.pan.map { pan in
                var panObject = ObjectBuilder(ProjectFields.pan)
                panObject["from"] = point(pan.from)
                panObject["to"] = point(pan.to)
                return panObject.value
            }
        case .video(let content):
            object["path"] = path(content.path)
            if content.cutFrom != 0 { object["cutFrom"] = .number(content.cutFrom) }
            object["cutTo"] = content.cutTo.map(JSONValue.number)
            if content.fit != context.defaults.fit { object["fit"] = .string(content.fit.rawValue) }
            if content.volume != 1 { object["volume"] = .number(content.volume) }
            if content.mute { object["mute"] = .bool(true) }
        case .title(let content):
            text(content, into: &object, defaultPosition: .center, fontSize: TextLayerStyle.titleSizeFraction, outlined: false, context)
        case .subtitle(let content):
            text(content, into: &object, defaultPosition: .bottom, fontSize: TextLayerStyle.subtitleSizeFraction, outlined: true, context)
        case .backdrop(let content):
            object["colors"] = .array(content.colors.map(color))
            if content.motif != .bubbles { object["motif"] = .string(content.motif.rawValue) }
            if content.seed != 0 { object["seed"] = .integer(content.seed) }
            if content.motion != 1 { object["motion"] = .number(content.motion) }
        case .presenter(let content):
            if content.seed != 0 { object["seed"] = .integer(content.seed) }
            if content.area != PresenterLayer.defaultArea { object["area"] = area(content.area) }
            if !content.lipSync { object["lipSync"] = .bool(false) }
        case .keywords(let content):
            object["words"] = .array(content.words.map(JSONValue.string))
            if content.area != KeywordsLayer.defaultArea { object["area"] = area(content.area) }
            sceneText(content.style, into: &object, fontSize: KeywordsLayer.fontSizeFraction, context)
            if content.cardColor != KeywordsLayer.defaultCardColor { object["cardColor"] = color(content.cardColor) }
            if content.stagger != KeywordsLayer.defaultStagger { object["stagger"] = .number(content.stagger) }
        case .bullets(let content):
            object["items"] = .array(content.items.map(JSONValue.string))
            if content.area != BulletsLayer.defaultArea { object["area"] = area(content.area) }
            sceneText(content.style, into: &object, fontSize: BulletsLayer.fontSizeFraction, context)
            if content.bulletColor != content.style.color { object["bulletColor"] = color(content.bulletColor) }
            if content.stagger != BulletsLayer.defaultStagger { object["stagger"] = .number(content.stagger) }
        case .chart(let content):
            object["values"] = .array(content.values.map(JSONValue.number))
            if !content.labels.isEmpty { object["labels"] = .array(content.labels.map(JSONValue.string)) }
            if !content.unit.isEmpty { object["unit"] = .string(content.unit) }
            if content.area != ChartLayer.defaultArea { object["area"] = area(content.area) }
            sceneText(content.style, into: &object, fontSize: ChartLayer.fontSizeFraction, context)
            if content.barColors != ChartLayer.defaultBarColors { object["barColors"] = .array(content.barColors.map(color)) }
            if content.grow != ChartLayer.defaultGrow { object["grow"] = .number(content.grow) }
        case .generated(let content):
            object["model"] = path(content.model)
            if content.seed != GeneratedLayer.defaultSeed { object["seed"] = .integer(Int(clamping: content.seed)) }
            // An index as a number (`"class": 2`), which reads back to the same digits; a name as a string.
            object["class"] = content.classChoice.map { choice in
                if let index = Int(choice), index >= 0, String(index) == choice { return .integer(index) }
                return .string(choice)
            }
            if content.fit != context.defaults.fit { object["fit"] = .string(content.fit.rawValue) }
        }
        return object.value
    }

    private func text(_ layer: TextLayer, into object: inout ObjectBuilder, defaultPosition: TextPosition, fontSize: Double,
                      outlined: Bool, _ context: Context) {
        object["text"] = .string(layer.text)
        if layer.position != defaultPosition { object["position"] = position(layer.position) }
        textStyle(layer.style, into: &object, defaultFontSize: context.fontSize(fontSize), outlinedByDefault: outlined, context)
    }

    /// The text style fields, as ``ProjectReader`` reads them back: an outline is written whenever it differs from
    /// the one the reader would give (none for titles, a black one for subtitles; `outlineWidth: 0` removes it).
    private func textStyle(_ style: TextLayerStyle, into object: inout ObjectBuilder, defaultFontSize: Double,
                           outlinedByDefault: Bool, _ context: Context) {
        if style.font != context.defaults.font { object["font"] = .string(style.font) }
        if style.fontSize != defaultFontSize { object["fontSize"] = .number(style.fontSize) }
        if style.color != .white { object["color"] = color(style.color) }
        let standardOutline = outlinedByDefault ? TextOutline(width: TextOutline.defaultWidth(forFontSize: style.fontSize)) : nil
        if style.outline != standardOutline {
            if let outline = style.outline {
                if outline.color != .black { object["outlineColor"] = color(outline.color) }
                object["outlineWidth"] = .number(outline.width)
            } else {
                object["outlineWidth"] = .number(0)
            }
        }
        object["boxColor"] = style.boxColor.map(color)
        if style.maxWidth != TextLayerStyle.defaultMaxWidth { object["maxWidth"] = .number(style.maxWidth) }
        if style.align != .center { object["align"] = .string(style.align.rawValue) }
    }

    private func sceneText(_ style: SceneTextStyle, into object: inout ObjectBuilder, fontSize: Double, _ context: Context) {
        if style.font != context.defaults.font { object["font"] = .string(style.font) }
        if style.fontSize != context.fontSize(fontSize) { object["fontSize"] = .number(style.fontSize) }
        if style.color != .white { object["color"] = color(style.color) }
    }

    // MARK: Audio and subtitles

    private func audioTrack(_ track: AudioTrackSpec) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.audioTrack)
        object["path"] = path(track.path)
        if track.start != 0 { object["start"] = .number(track.start) }
        if track.cutFrom != 0 { object["cutFrom"] = .number(track.cutFrom) }
        object["cutTo"] = track.cutTo.map(JSONValue.number)
        if track.volume != 1 { object["volume"] = .number(track.volume) }
        if track.fadeIn != 0 { object["fadeIn"] = .number(track.fadeIn) }
        if track.fadeOut != 0 { object["fadeOut"] = .number(track.fadeOut) }
        if track.loop { object["loop"] = .bool(true) }
        if track.duck { object["duck"] = .bool(true) }
        if track.role != .music { object["role"] = .string(track.role.rawValue) }
        return object.value
    }

    private func subtitles(_ spec: SubtitleSpec, _ context: Context) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.subtitles)
        object["path"] = path(spec.path)
        if spec.offset != 0 { object["offset"] = .number(spec.offset) }
        if spec.position != .bottom { object["position"] = position(spec.position) }
        textStyle(spec.style, into: &object, defaultFontSize: context.fontSize(TextLayerStyle.subtitleSizeFraction),
                  outlinedByDefault: true, context)
        object["highlight"] = spec.highlight.map(color)
        return object.value
    }

    // MARK: Values

    /// A path relative to ``folder`` when the file is inside it, else absolute.
    func path(_ url: URL) -> JSONValue {
        let full = url.standardizedFileURL.path
        let prefix = folder.path.hasSuffix("/") ? folder.path : folder.path + "/"
        guard full.hasPrefix(prefix) else { return .string(full) }
        let relative = String(full.dropFirst(prefix.count))
        // The reader expands a leading `~` to the home folder; a file that really starts with one keeps `./`.
        return .string(relative.hasPrefix("~") ? "./" + relative : relative)
    }

    private func point(_ point: Point) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.point)
        object["x"] = .number(point.x)
        object["y"] = .number(point.y)
        return object.value
    }

    private func area(_ rect: Rect) -> JSONValue {
        var object = ObjectBuilder(ProjectFields.area)
        object["x"] = .number(rect.x)
        object["y"] = .number(rect.y)
        object["width"] = .number(rect.width)
        object["height"] = .number(rect.height)
        return object.value
    }

    private func position(_ position: TextPosition) -> JSONValue {
        switch position {
        case .center: .string("center")
        case .top: .string("top")
        case .bottom: .string("bottom")
        case .point(let at): point(at)
        }
    }

    /// `#rrggbb` (or `#rrggbbaa`) when every channel is a whole byte, as colours read from hex, `rgb()` or a name
    /// are; otherwise `rgba(r, g, b, a)` with fractional channels, which reads back to the same colour.
    func color(_ color: Color) -> JSONValue {
        func byte(_ value: Double) -> Int? {
            let scaled = (value * 255).rounded()
            return (0...255).contains(scaled) && scaled / 255 == value ? Int(scaled) : nil
        }
        if byte(color.red) != nil, byte(color.green) != nil, byte(color.blue) != nil, byte(color.alpha) != nil {
            return .string(color.description)
        }
        /// The shortest 0...255 number that the reader divides back to `value`.
        func channel(_ value: Double) -> String {
            let scaled = min(max(value, 0), 1) * 255
            for candidate in [scaled, scaled.nextUp, scaled.nextDown] where candidate / 255 == value && (0...255).contains(candidate) {
                return formatExact(candidate)
            }
            return formatExact(scaled)
        }
        let alpha = min(max(color.alpha, 0), 1)
        return .string("rgba(\(channel(color.red)), \(channel(color.green)), \(channel(color.blue)), \(formatExact(alpha)))")
    }

    /// The shortest text that reads back as `value` (`2`, `0.55`, `127.49999999999999`).
    private func formatExact(_ value: Double) -> String {
        value == value.rounded() && value.magnitude < 1e15 ? String(Int(value)) : "\(value)"
    }
}

/// A JSON value, for writing project files: numbers keep whether they are whole (`1280`, not `1280.0`).
enum JSONValue: Encodable, Equatable {
    case integer(Int)
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .integer(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let members):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }
}

/// An object of a project file under construction, which only takes the fields its kind of object may have (the
/// same list ``ProjectReader`` checks files against), so the writer cannot drift from the reader.
struct ObjectBuilder {
    private let fields: [String]
    private var members: [String: JSONValue] = [:]

    init(_ fields: [String]) { self.fields = fields }

    /// Sets (or, with `nil`, leaves out) a field. Asking for a field the format does not have is a programming error.
    subscript(key: String) -> JSONValue? {
        get { members[key] }
        set {
            precondition(fields.contains(key), "\(key) is not a field of this object; see ProjectFields")
            members[key] = newValue
        }
    }

    var value: JSONValue { .object(members) }
    /// The object, or `nil` when it has no fields.
    var valueIfAny: JSONValue? { members.isEmpty ? nil : value }
}
