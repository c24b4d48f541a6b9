import Foundation
import PhimCore
import PhimGraphics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a parsed project file into a ``Project``: checks every field's type and range, applies the defaults,
/// resolves and checks paths, and checks how clips and transitions fit together.
struct ProjectReader {
    let baseDirectory: URL
    let fileName: String

    /// The transition a clip gets when its `transition` leaves fields out and there is no `defaults.transition`.
    static let builtInTransition = TransitionSpec(kind: .fade, duration: TransitionSpec.defaultDuration, easing: .easeInOut)

    /// - Throws: `PhimError` whose subject is the path of the offending field.
    func read(_ root: SourceNode) throws(PhimError) -> Project {
        guard case .object = root.kind else {
            throw PhimError(.invalidInput,
                            "expected an object (with width, height and clips) at the top level, found \(root.summary)",
                            subject: .file(fileName))
        }
        let top = try ValueReader(node: root, path: "").object(fields: ProjectFields.project)
        if let schema = top.optional("$schema") { _ = try schema.string() }

        let size = try readSize(top)
        let frameRate = try readFrameRate(top)
        let background = try top.optional("background")?.color() ?? .black
        let (defaults, defaultTransition) = try readDefaults(top.optional("defaults"))
        let clips = try readClips(try top.required("clips"), size: size, defaults: defaults,
                                  defaultTransition: defaultTransition)

        let total = Project.nominalDuration(of: clips)
        guard total <= Limits.maxDuration else {
            throw PhimError(.limitExceeded,
                            "the video would last \(formatNumber(total)) s, over the limit of \(formatNumber(Limits.maxDuration)) s",
                            subject: .field(top.pathOf("clips")))
        }

        var audio: [AudioTrackSpec] = []
        if let audioReader = top.optional("audio") {
            let trackReaders = try audioReader.array()
            guard trackReaders.count <= Limits.maxAudioTracks else {
                throw PhimError(.limitExceeded, "has \(trackReaders.count) tracks; at most \(Limits.maxAudioTracks)",
                                subject: .field(audioReader.path))
            }
            for trackReader in trackReaders {
                audio.append(try readAudioTrack(trackReader, videoDuration: total))
            }
        }
        let subtitles = try top.optional("subtitles").map { (reader) throws(PhimError) in
            try readSubtitles(reader, size: size, defaults: defaults)
        }
        let loudness = try top.optional("loudness")?.number(in: Project.loudnessRange)
        let output = try readOutput(top.optional("output"))

        return Project(size: size, frameRate: frameRate, background: background, defaults: defaults, clips: clips,
                       audio: audio, subtitles: subtitles, loudness: loudness, output: output,
                       baseDirectory: baseDirectory)
    }

    // MARK: Top level

    private func readSize(_ top: ObjectReader) throws(PhimError) -> PixelSize {
        let widthReader = try top.required("width"), heightReader = try top.required("height")
        let width = try widthReader.integer(), height = try heightReader.integer()
        guard width > 0 else { throw widthReader.invalid("must be greater than 0, got \(width)") }
        guard height > 0 else { throw heightReader.invalid("must be greater than 0, got \(height)") }
        let size = PixelSize(width: width, height: height)
        let heightAlone = height > Limits.maxFrameSide && width <= Limits.maxFrameSide
        try Limits.check(size, subject: .field(heightAlone ? heightReader.path : widthReader.path))
        for (value, reader) in [(width, widthReader), (height, heightReader)] where value % 2 != 0 {
            throw reader.invalid(
                "\(value) is odd; H.264 video (yuv420p) needs an even size, such as \(value - 1) or \(value + 1)")
        }
        return size
    }

    private func readFrameRate(_ top: ObjectReader) throws(PhimError) -> FrameRate {
        guard let reader = top.optional("fps") else { return FrameRate(30) }
        let allowed = 1...Limits.maxFrameRate
        func outOfRange(_ value: Double, written: String) -> PhimError {
            PhimError(value > Limits.maxFrameRate ? .limitExceeded : .invalidInput,
                      "must be between 1 and \(formatNumber(Limits.maxFrameRate)), got \(written)", subject: .field(reader.path))
        }
        if case .number = reader.node.kind {
            let value = try reader.number()
            guard allowed.contains(value) else { throw outOfRange(value, written: formatNumber(value)) }
            // Whole rates are exact; `Rational(approximating:)` would read 1 as the NTSC-style 1000/1001.
            return FrameRate(value == value.rounded() ? Rational(Int64(value), 1) : Rational(approximating: value))
        }
        guard reader.isText, let fraction = Self.parseFraction(try reader.string()) else {
            throw reader.typeError("a number or a fraction such as \"30000/1001\"")
        }
        guard allowed.contains(fraction.doubleValue) else {
            throw outOfRange(fraction.doubleValue, written: fraction.description)
        }
        return FrameRate(fraction)
    }

    /// `"30000/1001"` as an exact fraction.
    private static func parseFraction(_ text: String) -> Rational? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let numerator = Int64(parts[0].trimmingCharacters(in: .whitespaces)),
              let denominator = Int64(parts[1].trimmingCharacters(in: .whitespaces)),
              numerator > 0, denominator > 0, numerator < 1 << 31, denominator < 1 << 31 else { return nil }
        return Rational(numerator, denominator)
    }

    private func readDefaults(_ reader: ValueReader?) throws(PhimError) -> (ProjectDefaults, TransitionSpec?) {
        guard let reader else { return (ProjectDefaults(), nil) }
        let object = try reader.object(fields: ProjectFields.defaults)
        let transition = try object.optional("transition").map { (reader) throws(PhimError) in
            try readTransition(reader, inheriting: Self.builtInTransition)
        }
        let defaults = ProjectDefaults(
            duration: try object.optional("duration")?.seconds(exclusive: true) ?? ProjectDefaults.defaultDuration,
            transition: transition.flatMap { $0.isCut ? nil : $0 },
            font: try object.optional("font")?.nonEmptyString() ?? ProjectDefaults.defaultFont,
            fit: try object.optional("fit")?.choice("fit", FitMode.self) ?? .cover)
        return (defaults, transition)
    }

    /// A transition object, or a name alone (`"transition": "dissolve"`); fields left out come from `base`.
    private func readTransition(_ reader: ValueReader, inheriting base: TransitionSpec) throws(PhimError) -> TransitionSpec {
        if reader.isText {
            return TransitionSpec(kind: try reader.choice("transition", TransitionKind.self), duration: base.duration,
                                  easing: base.easing)
        }
        let object = try reader.object(fields: ProjectFields.transition)
        return TransitionSpec(
            kind: try object.optional("name")?.choice("transition", TransitionKind.self) ?? base.kind,
            duration: try object.optional("duration")?.seconds() ?? base.duration,
            easing: try object.optional("easing")?.choice("easing", Easing.self) ?? base.easing)
    }

    private func readOutput(_ reader: ValueReader?) throws(PhimError) -> OutputSettings {
        guard let reader else { return OutputSettings() }
        let object = try reader.object(fields: ProjectFields.output)
        let standard = OutputSettings()
        return OutputSettings(
            crf: try object.optional("crf")?.integer(in: OutputSettings.crfRange) ?? standard.crf,
            preset: try object.optional("preset")?.choice("preset", EncoderPreset.self) ?? standard.preset,
            audioBitrate: try object.optional("audioBitrate")?.integer(in: OutputSettings.audioBitrateRange)
                ?? standard.audioBitrate)
    }

    // MARK: Clips

    /// A clip's transition and where it was written, for messages about its length.
    private struct WrittenTransition {
        var spec: TransitionSpec?
        var durationPath: String
        var fromDefaults: Bool
    }

    private func readClips(_ reader: ValueReader, size: PixelSize, defaults: ProjectDefaults,
                           defaultTransition: TransitionSpec?) throws(PhimError) -> [Clip] {
        let clipReaders = try reader.array()
        guard !clipReaders.isEmpty else { throw reader.invalid("needs at least one clip") }
        guard clipReaders.count <= Limits.maxClips else {
            throw PhimError(.limitExceeded, "has \(clipReaders.count) clips; at most \(Limits.maxClips)", subject: .field(reader.path))
        }
        // Each layer may hold a frame-sized picture: bound what one clip can take.
        let frameBytes = size.area * 4
        let layersPerClip = min(Limits.maxLayersPerClip, max(1, Limits.maxClipLayerBytes / frameBytes))
        var clips: [Clip] = []
        var transitions: [WrittenTransition] = []
        for clipReader in clipReaders {
            let object = try clipReader.object(fields: ProjectFields.clip)
            var pending: [PendingLayer] = []
            let layersReader = try object.required("layers")
            let layerReaders = try layersReader.array()
            guard layerReaders.count <= layersPerClip else {
                let reason = layersPerClip < Limits.maxLayersPerClip
                    ? " at \(size) (each may hold a frame of \(frameBytes >> 20) MB; \(Limits.maxClipLayerBytes >> 30) GB a clip); split the clip"
                    : "; split the clip"
                throw PhimError(.limitExceeded, "has \(layerReaders.count) layers; at most \(layersPerClip)\(reason)",
                                subject: .field(layersReader.path))
            }
            var videoLayers = 0
            for layerReader in layerReaders {
                let layer = try readLayer(layerReader, size: size, defaults: defaults)
                if case .video = layer.content {
                    videoLayers += 1
                    guard videoLayers <= Limits.maxVideoLayersPerClip else {
                        throw PhimError(.limitExceeded,
                                        "is video layer \(videoLayers) of this clip; a clip may have at most \(Limits.maxVideoLayersPerClip)",
                                        subject: .field(layerReader.path))
                    }
                }
                pending.append(layer)
            }
            let duration = try clipDuration(object, layers: pending, defaults: defaults)
            var layers: [Layer] = []
            for layer in pending { layers.append(try layer.resolved(clipDuration: duration)) }

            if let transitionReader = object.optional("transition") {
                let spec = try readTransition(transitionReader, inheriting: defaultTransition ?? Self.builtInTransition)
                transitions.append(WrittenTransition(spec: spec.isCut ? nil : spec,
                                                     durationPath: transitionReader.path + ".duration", fromDefaults: false))
            } else {
                transitions.append(WrittenTransition(spec: defaultTransition.flatMap { $0.isCut ? nil : $0 },
                                                     durationPath: "defaults.transition.duration", fromDefaults: true))
            }
            clips.append(Clip(duration: duration, transition: nil, layers: layers,
                              narration: try object.optional("narration")?.string().nfc, fieldPath: clipReader.path))
        }
        try checkTransitionsFit(transitions, clips: clips)
        for index in clips.indices.dropLast() { clips[index].transition = transitions[index].spec }
        return clips
    }

    private func clipDuration(_ clip: ObjectReader, layers: [PendingLayer], defaults: ProjectDefaults)
        throws(PhimError) -> Double
    {
        if let reader = clip.optional("duration") { return try reader.seconds(exclusive: true) }
        for layer in layers {
            guard case .video(let video) = layer.content else { continue }
            guard let sourceDuration = video.sourceDuration else {
                throw PhimError(.invalidInput,
                                "required, because the video layer \(layer.fieldPath) has no cutTo to take the length from",
                                subject: .field(clip.pathOf("duration")))
            }
            return sourceDuration
        }
        return defaults.duration
    }

    /// Checks that no transition is longer than either clip it joins, and that the transitions into and out of
    /// a clip do not overlap (so at most two clips are ever on screen).
    private func checkTransitionsFit(_ transitions: [WrittenTransition], clips: [Clip]) throws(PhimError) {
        let slack = 1e-9
        for index in clips.indices.dropLast() {
            guard let spec = transitions[index].spec else { continue }
            let written = transitions[index]
            let t = spec.duration, here = clips[index].duration, next = clips[index + 1].duration
            let between = written.fromDefaults ? ", between clips[\(index)] and clips[\(index + 1)]," : ""
            let thisClip = written.fromDefaults ? "clips[\(index)]" : "the clip"
            func tooLong(_ message: String) -> PhimError {
                PhimError(.invalidInput, "\(formatNumber(t)) s\(between) \(message)", subject: .field(written.durationPath))
            }
            if t > here + slack { throw tooLong("is longer than \(thisClip) (\(formatNumber(here)) s)") }
            if t > next + slack {
                let nextClip = written.fromDefaults ? "clips[\(index + 1)]" : "the next clip, clips[\(index + 1)]"
                throw tooLong("is longer than \(nextClip) (\(formatNumber(next)) s)")
            }
            let incoming = index > 0 ? transitions[index - 1].spec?.duration ?? 0 : 0
            if incoming + t > here + slack {
                throw tooLong("plus the \(formatNumber(incoming)) s transition into \(thisClip) is longer than \(thisClip) (\(formatNumber(here)) s)")
            }
        }
    }

    // MARK: Layers

    /// A layer read before its clip's duration is known (a clip may take its duration from a video layer).
    private struct PendingLayer {
        var content: LayerContent
        var start: Double
        var startPath: String
        var stop: Double?
        var stopPath: String
        var opacity: Double
        var fieldPath: String

        func resolved(clipDuration: Double) throws(PhimError) -> Layer {
            let slack = 1e-9
            guard start < clipDuration else {
                throw PhimError(.invalidInput,
                                "\(formatNumber(start)) s is not before the end of the clip (\(formatNumber(clipDuration)) s)",
                                subject: .field(startPath))
            }
            if let stop {
                guard stop > start else {
                    throw PhimError(.invalidInput, "\(formatNumber(stop)) s is not after start (\(formatNumber(start)) s)",
                                    subject: .field(stopPath))
                }
                guard stop <= clipDuration + slack else {
                    throw PhimError(.invalidInput,
                                    "\(formatNumber(stop)) s is after the end of the clip (\(formatNumber(clipDuration)) s)",
                                    subject: .field(stopPath))
                }
            }
            return Layer(content, start: start, stop: min(stop ?? clipDuration, clipDuration), opacity: opacity,
                         fieldPath: fieldPath)
        }
    }

    private func readLayer(_ reader: ValueReader, size: PixelSize, defaults: ProjectDefaults) throws(PhimError)
        -> PendingLayer
    {
        guard case .object(let members) = reader.node.kind else { throw reader.typeError("an object") }
        let typePath = ObjectReader.childPath(reader.path, "type")
        guard let typeNode = members.first(where: { $0.key == "type" })?.value else {
            throw PhimError(.invalidInput,
                            "required field missing; expected one of \(LayerType.allCases.map(\.rawValue).joined(separator: ", "))",
                            subject: .field(typePath))
        }
        let type = try ValueReader(node: typeNode, path: typePath).choice("layer type", LayerType.self)
        let object = try reader.object(fields: ProjectFields.layer(type)) { key in
            let owners = LayerType.allCases.filter { ProjectFields.layerSpecific($0).contains(key) }
            guard !owners.isEmpty else { return nil }
            return "not a field of \(type.rawValue) layers (\(Self.list(owners.map(\.rawValue))) layers have it)"
        }

        let content: LayerContent
        switch type {
        case .color:
            content = .color(ColorLayer(color: try object.required("color").color()))
        case .gradient:
            content = .gradient(try readGradient(object))
        case .image:
            content = .image(ImageLayer(
                path: try readPath(try object.required("path")),
                fit: try object.optional("fit")?.choice("fit", FitMode.self) ?? defaults.fit,
                zoom: try object.optional("zoom").map { (reader) throws(PhimError) in try readZoom(reader) },
                pan: try object.optional("pan").map { (reader) throws(PhimError) in try readPan(reader) }))
        case .video:
            content = .video(try readVideo(object, defaults: defaults))
        case .title, .subtitle:
            let isTitle = type == .title
            let style = try readTextStyle(
                object, fontSize: Double(size.height) * (isTitle ? TextLayerStyle.titleSizeFraction : TextLayerStyle.subtitleSizeFraction),
                outlinedByDefault: !isTitle, defaults: defaults)
            let text = TextLayer(
                text: try readText(try object.required("text"), limit: Limits.maxTextCharacters),
                position: try object.optional("position").map { (reader) throws(PhimError) in try readPosition(reader) }
                    ?? (isTitle ? .center : .bottom),
                style: style)
            content = isTitle ? .title(text) : .subtitle(text)
        case .backdrop:
            content = .backdrop(try readBackdrop(object))
        case .presenter:
            content = .presenter(PresenterLayer(
                seed: try object.optional("seed")?.integer() ?? 0,
                area: try readArea(object) ?? PresenterLayer.defaultArea,
                lipSync: try object.optional("lipSync")?.bool() ?? true))
        case .keywords:
            let words = try readTexts(object, "words", limit: 8)
            let style = try readSceneText(object, fontSize: Double(size.height) * KeywordsLayer.fontSizeFraction, defaults: defaults)
            content = .keywords(KeywordsLayer(
                words: words, area: try readArea(object) ?? KeywordsLayer.defaultArea, style: style,
                cardColor: try object.optional("cardColor")?.color() ?? Color(red: 1, green: 1, blue: 1, alpha: 0.22),
                stagger: try object.optional("stagger")?.number(in: 0...60) ?? 0.35))
        case .bullets:
            let items = try readTexts(object, "items", limit: 8)
            let style = try readSceneText(object, fontSize: Double(size.height) * BulletsLayer.fontSizeFraction, defaults: defaults)
            content = .bullets(BulletsLayer(
                items: items, area: try readArea(object) ?? BulletsLayer.defaultArea, style: style,
                bulletColor: try object.optional("bulletColor")?.color() ?? style.color,
                stagger: try object.optional("stagger")?.number(in: 0...60) ?? 0.6))
        case .chart:
            content = .chart(try readChart(object, size: size, defaults: defaults))
        case .generated:
            content = .generated(try readGenerated(object, defaults: defaults))
        }
        return PendingLayer(
            content: content,
            start: try object.optional("start")?.seconds() ?? 0, startPath: object.pathOf("start"),
            stop: try object.optional("stop")?.seconds(exclusive: true), stopPath: object.pathOf("stop"),
            opacity: try object.optional("opacity")?.number(in: 0...1) ?? 1,
            fieldPath: reader.path)
    }

    private func readGradient(_ object: ObjectReader) throws(PhimError) -> GradientLayer {
        let colorsReader = try object.required("colors")
        var colors: [Color] = []
        for colorReader in try colorsReader.array() { colors.append(try colorReader.color()) }
        guard colors.count >= 2 else { throw colorsReader.invalid("needs at least two colours, got \(colors.count)") }
        let shape = try object.optional("shape")?.choice("gradient shape", GradientShape.self) ?? .linear
        var angle = GradientLayer.defaultAngle
        if let angleReader = object.optional("angle") {
            guard shape == .linear else { throw angleReader.invalid("only linear gradients have an angle") }
            angle = try angleReader.number()
        }
        return GradientLayer(colors: colors, shape: shape, angle: angle)
    }

    private func readBackdrop(_ object: ObjectReader) throws(PhimError) -> BackdropLayer {
        let colorsReader = try object.required("colors")
        var colors: [Color] = []
        for colorReader in try colorsReader.array() { colors.append(try colorReader.color()) }
        guard (2...4).contains(colors.count) else { throw colorsReader.invalid("needs two to four colours, got \(colors.count)") }
        return BackdropLayer(
            colors: colors,
            motif: try object.optional("motif")?.choice("backdrop motif", BackdropMotif.self) ?? .bubbles,
            seed: try object.optional("seed")?.integer() ?? 0,
            motion: try object.optional("motion")?.number(in: 0...10) ?? 1)
    }

    private func readChart(_ object: ObjectReader, size: PixelSize, defaults: ProjectDefaults) throws(PhimError) -> ChartLayer {
        let valuesReader = try object.required("values")
        var values: [Double] = []
        for reader in try valuesReader.array() { values.append(try reader.number(in: 0...1e15)) }
        guard (1...12).contains(values.count) else { throw valuesReader.invalid("needs one to twelve values, got \(values.count)") }
        var labels: [String] = []
        if let labelsReader = object.optional("labels") {
            for reader in try labelsReader.array() { labels.append(try readText(reader, limit: Limits.maxShortTextCharacters, allowEmpty: true)) }
            guard labels.count == values.count else {
                throw labelsReader.invalid("has \(labels.count) labels for \(values.count) values")
            }
        }
        var barColors = ChartLayer.defaultBarColors
        if let colorsReader = object.optional("barColors") {
            barColors = []
            for reader in try colorsReader.array() { barColors.append(try reader.color()) }
            guard !barColors.isEmpty else { throw colorsReader.invalid("needs at least one colour") }
        }
        return ChartLayer(
            values: values, labels: labels,
            unit: try object.optional("unit").map { (reader) throws(PhimError) in
                try readText(reader, limit: Limits.maxShortTextCharacters, allowEmpty: true)
            } ?? "",
            area: try readArea(object) ?? ChartLayer.defaultArea,
            style: try readSceneText(object, fontSize: Double(size.height) * ChartLayer.fontSizeFraction, defaults: defaults),
            barColors: barColors, grow: try object.optional("grow")?.number(in: 0...60) ?? 0.8)
    }

    /// A non-empty array of non-empty strings (NFC), at most `limit`.
    private func readTexts(_ object: ObjectReader, _ key: String, limit: Int) throws(PhimError) -> [String] {
        let reader = try object.required(key)
        var texts: [String] = []
        for item in try reader.array() { texts.append(try readText(item, limit: Limits.maxShortTextCharacters)) }
        guard (1...limit).contains(texts.count) else { throw reader.invalid("needs one to \(limit) entries, got \(texts.count)") }
        return texts
    }

    /// Text of at most `limit` characters (NFC), not empty unless `allowEmpty`.
    private func readText(_ reader: ValueReader, limit: Int, allowEmpty: Bool = false) throws(PhimError) -> String {
        let text = (allowEmpty ? try reader.string() : try reader.nonEmptyString()).nfc
        // Characters as Unicode scalars: what layout costs grows with, and a Vietnamese letter in NFC is one.
        let count = text.unicodeScalars.count
        guard count <= limit else {
            throw PhimError(.limitExceeded, "has \(count) characters; at most \(limit)", subject: .field(reader.path))
        }
        return text
    }

    /// `fontSize`, 1 to ``TextLayout/maxFontSize`` pixels, or nil when absent.
    private func readFontSize(_ object: ObjectReader) throws(PhimError) -> Double? {
        try object.optional("fontSize")?.number(in: 1...TextLayout.maxFontSize)
    }

    /// `area: {x, y, width, height}` in fractions of the frame, inside it; nil when absent.
    private func readArea(_ object: ObjectReader) throws(PhimError) -> Rect? {
        guard let reader = object.optional("area") else { return nil }
        let area = try reader.object(fields: ProjectFields.area)
        let result = Rect(x: try area.required("x").number(in: 0...1), y: try area.required("y").number(in: 0...1),
                               width: try area.required("width").number(in: 0.01...1),
                               height: try area.required("height").number(in: 0.01...1))
        guard result.x + result.width <= 1.0001, result.y + result.height <= 1.0001 else {
            throw reader.invalid("reaches outside the frame (x + width and y + height must be at most 1)")
        }
        return result
    }

    private func readSceneText(_ object: ObjectReader, fontSize: Double, defaults: ProjectDefaults) throws(PhimError)
        -> SceneTextStyle
    {
        SceneTextStyle(font: try object.optional("font")?.nonEmptyString() ?? defaults.font,
                       fontSize: try readFontSize(object) ?? min(fontSize, TextLayout.maxFontSize),
                       color: try object.optional("color")?.color() ?? .white)
    }

    private func readZoom(_ reader: ValueReader) throws(PhimError) -> ZoomSpec {
        let object = try reader.object(fields: ProjectFields.zoom)
        return ZoomSpec(from: try object.optional("from")?.number(in: ZoomSpec.range) ?? 1,
                        to: try object.optional("to")?.number(in: ZoomSpec.range) ?? 1)
    }

    private func readPan(_ reader: ValueReader) throws(PhimError) -> PanSpec {
        let object = try reader.object(fields: ProjectFields.pan)
        let middle = Point(x: 0.5, y: 0.5)
        return PanSpec(from: try object.optional("from").map { (reader) throws(PhimError) in try readPoint(reader) } ?? middle,
                       to: try object.optional("to").map { (reader) throws(PhimError) in try readPoint(reader) } ?? middle)
    }

    /// `{"x": …, "y": …}` in fractions of a width and height; a coordinate left out is 0.5.
    private func readPoint(_ reader: ValueReader) throws(PhimError) -> Point {
        let object = try reader.object(fields: ProjectFields.point)
        return Point(x: try object.optional("x")?.number(in: 0...1) ?? 0.5,
                     y: try object.optional("y")?.number(in: 0...1) ?? 0.5)
    }

    private enum PositionName: String, CaseIterable {
        case center, top, bottom
    }

    private func readPosition(_ reader: ValueReader) throws(PhimError) -> TextPosition {
        if case .object = reader.node.kind { return .point(try readPoint(reader)) }
        guard reader.isText else { throw reader.typeError("\"center\", \"top\", \"bottom\" or {\"x\": …, \"y\": …}") }
        switch try reader.choice("position", PositionName.self) {
        case .center: return .center
        case .top: return .top
        case .bottom: return .bottom
        }
    }

    private func readVideo(_ object: ObjectReader, defaults: ProjectDefaults) throws(PhimError) -> VideoLayer {
        let path = try readPath(try object.required("path"))
        let cutFrom = try object.optional("cutFrom")?.seconds() ?? 0
        let cutTo = try readCutTo(object, cutFrom: cutFrom)
        return VideoLayer(
            path: path, cutFrom: cutFrom, cutTo: cutTo,
            fit: try object.optional("fit")?.choice("fit", FitMode.self) ?? defaults.fit,
            volume: try object.optional("volume")?.number(in: VideoLayer.volumeRange) ?? 1,
            mute: try object.optional("mute")?.bool() ?? false)
    }

    private func readGenerated(_ object: ObjectReader, defaults: ProjectDefaults) throws(PhimError) -> GeneratedLayer {
        let model = try readFolder(try object.required("model"))
        var seed = GeneratedLayer.defaultSeed
        if let reader = object.optional("seed") {
            let value = try reader.integer()
            guard value >= 0 else { throw reader.invalid("must be at least 0, got \(value)") }
            seed = UInt64(value)
        }
        var classChoice: String?
        if let reader = object.optional("class") {
            if case .number = reader.node.kind {
                let index = try reader.integer()
                guard index >= 0 else { throw reader.invalid("must be at least 0, got \(index)") }
                classChoice = String(index)
            } else if reader.isText {
                classChoice = try reader.nonEmptyString()
            } else {
                throw reader.typeError("a class name or index")
            }
        }
        return GeneratedLayer(model: model, seed: seed, classChoice: classChoice,
                              fit: try object.optional("fit")?.choice("fit", FitMode.self) ?? defaults.fit)
    }

    private func readCutTo(_ object: ObjectReader, cutFrom: Double) throws(PhimError) -> Double? {
        guard let reader = object.optional("cutTo") else { return nil }
        let cutTo = try reader.seconds()
        guard cutTo > cutFrom else {
            throw reader.invalid("\(formatNumber(cutTo)) s is not after cutFrom (\(formatNumber(cutFrom)) s)")
        }
        return cutTo
    }

    /// The text style fields shared by title and subtitle layers and the subtitles file.
    private func readTextStyle(_ object: ObjectReader, fontSize defaultFontSize: Double, outlinedByDefault: Bool,
                               defaults: ProjectDefaults) throws(PhimError) -> TextLayerStyle {
        let fontSize = try readFontSize(object) ?? min(defaultFontSize, TextLayout.maxFontSize)
        let outlineColor = try object.optional("outlineColor")?.color()
        let outlineWidth = try object.optional("outlineWidth")?.number(in: 0...TextLayout.maxFontSize)
        let outline: TextOutline?
        if outlineColor != nil || outlineWidth != nil {
            let width = outlineWidth ?? TextOutline.defaultWidth(forFontSize: fontSize)
            outline = width > 0 ? TextOutline(color: outlineColor ?? .black, width: width) : nil
        } else {
            outline = outlinedByDefault ? TextOutline(width: TextOutline.defaultWidth(forFontSize: fontSize)) : nil
        }
        var maxWidth = TextLayerStyle.defaultMaxWidth
        if let reader = object.optional("maxWidth") {
            maxWidth = try reader.number(greaterThan: 0)
            guard maxWidth <= 1 else { throw reader.invalid("must be at most 1 (the full frame width), got \(formatNumber(maxWidth))") }
        }
        return TextLayerStyle(
            font: try object.optional("font")?.nonEmptyString() ?? defaults.font,
            fontSize: fontSize,
            color: try object.optional("color")?.color() ?? .white,
            outline: outline,
            boxColor: try object.optional("boxColor")?.color(),
            maxWidth: maxWidth,
            align: try object.optional("align")?.choice("alignment", TextAlignment.self) ?? .center)
    }

    // MARK: Audio and subtitles

    private func readAudioTrack(_ reader: ValueReader, videoDuration: Double) throws(PhimError) -> AudioTrackSpec {
        let object = try reader.object(fields: ProjectFields.audioTrack)
        let path = try readPath(try object.required("path"))
        let start = try object.optional("start")?.seconds() ?? 0
        if start >= videoDuration, let startReader = object.optional("start") {
            throw startReader.invalid(
                "\(formatNumber(start)) s is not before the end of the video (\(formatNumber(videoDuration)) s)")
        }
        let cutFrom = try object.optional("cutFrom")?.seconds() ?? 0
        let cutTo = try readCutTo(object, cutFrom: cutFrom)
        let role = try object.optional("role")?.choice("audio role", AudioRole.self) ?? .music
        let duck = try object.optional("duck")?.bool() ?? false
        if duck, role != .music, let duckReader = object.optional("duck") {
            throw duckReader.invalid("only music tracks duck; this track's role is \(role.rawValue)")
        }
        return AudioTrackSpec(
            path: path, start: start, cutFrom: cutFrom, cutTo: cutTo,
            volume: try object.optional("volume")?.number(in: VideoLayer.volumeRange) ?? 1,
            fadeIn: try object.optional("fadeIn")?.seconds() ?? 0,
            fadeOut: try object.optional("fadeOut")?.seconds() ?? 0,
            loop: try object.optional("loop")?.bool() ?? false,
            duck: duck, role: role, fieldPath: reader.path)
    }

    /// The subtitle formats Phim reads, by file extension.
    static let subtitleExtensions = ["srt", "vtt", "ass", "ssa"]

    private func readSubtitles(_ reader: ValueReader, size: PixelSize, defaults: ProjectDefaults) throws(PhimError)
        -> SubtitleSpec
    {
        let object = try reader.object(fields: ProjectFields.subtitles)
        let pathReader = try object.required("path")
        let path = try readPath(pathReader)
        guard Self.subtitleExtensions.contains(path.pathExtension.lowercased()) else {
            throw pathReader.invalid("\(path.lastPathComponent.quoted()) is not a subtitle file; expected .srt, .vtt or .ass")
        }
        return SubtitleSpec(
            path: path,
            offset: try object.optional("offset")?.seconds(atLeast: -Limits.maxDuration) ?? 0,
            position: try object.optional("position").map { (reader) throws(PhimError) in try readPosition(reader) } ?? .bottom,
            style: try readTextStyle(object, fontSize: Double(size.height) * TextLayerStyle.subtitleSizeFraction,
                                     outlinedByDefault: true, defaults: defaults),
            highlight: try object.optional("highlight")?.color(),
            fieldPath: reader.path)
    }

    // MARK: Paths

    /// A media path, resolved against the project's folder and checked to be a readable regular file.
    private func readPath(_ reader: ValueReader) throws(PhimError) -> URL {
        let written = try reader.nonEmptyString()
        let url = resolve(written)
        try InputFile.check(url, subject: .field(reader.path), written: written)
        return url
    }

    /// A folder path (a generated layer's model), resolved against the project's folder and checked to be a folder.
    /// What it must hold is checked before rendering (``MediaPreflight``).
    private func readFolder(_ reader: ValueReader) throws(PhimError) -> URL {
        let written = try reader.nonEmptyString()
        let url = resolve(written)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw PhimError(.fileNotFound, "no such folder \(written.quoted())", subject: .field(reader.path))
        }
        guard isFolder.boolValue else {
            throw reader.invalid("\(written.quoted()) is a file; expected a model folder (with \(GeneratedLayer.sidecarFileName) and \(GeneratedLayer.weightsFileName), as phim train writes)")
        }
        return URL(fileURLWithPath: url.path, isDirectory: true)
    }

    /// A path as written in the file, `~` expanded and resolved against the project's folder.
    private func resolve(_ written: String) -> URL {
        var expanded = written
        if written == "~" || written.hasPrefix("~/") {
            expanded = FileManager.default.homeDirectoryForCurrentUser.path + written.dropFirst()
        }
        return URL(fileURLWithPath: expanded, relativeTo: baseDirectory).absoluteURL.standardizedFileURL
    }

    // MARK: Helpers

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
