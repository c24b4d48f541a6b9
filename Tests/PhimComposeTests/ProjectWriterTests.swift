import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimCompose

/// The writer is the reader's inverse: what it writes loads back to the same project, it writes every field the
/// format has (the same lists the reader and the schema are held to), and it leaves out what the reader fills in.
@Suite struct ProjectWriterTests {
    /// Loads `data` as a JSON project in `folder`.
    static func load(_ data: Data, in folder: URL) throws -> Project {
        try ProjectLoader.decode(data, format: .json, baseDirectory: folder, fileName: "written.json")
    }

    /// `project` with every `fieldPath` emptied, to compare a project built in code with one read from a file.
    static func withoutFieldPaths(_ project: Project) -> Project {
        var project = project
        for clipIndex in project.clips.indices {
            project.clips[clipIndex].fieldPath = ""
            for layerIndex in project.clips[clipIndex].layers.indices { project.clips[clipIndex].layers[layerIndex].fieldPath = "" }
        }
        for index in project.audio.indices { project.audio[index].fieldPath = "" }
        project.subtitles?.fieldPath = ""
        return project
    }

    /// Every object's field names in a written document, by the kind of object (`clip`, `titleLayer`, …).
    static func fieldsByKind(_ document: Any) -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        func add(_ kind: String, _ object: Any?) {
            guard let object = object as? [String: Any] else { return }
            found[kind, default: []].formUnion(object.keys)
        }
        func addText(_ kind: String, _ object: [String: Any]) {
            add(kind, object)
            if let position = object["position"] as? [String: Any] { add("point", position) }
        }
        guard let top = document as? [String: Any] else { return [:] }
        add("project", top)
        add("defaults", top["defaults"])
        add("transition", (top["defaults"] as? [String: Any])?["transition"])
        add("output", top["output"])
        if let subtitles = top["subtitles"] as? [String: Any] { addText("subtitles", subtitles) }
        for track in top["audio"] as? [Any] ?? [] { add("audioTrack", track) }
        for clip in top["clips"] as? [[String: Any]] ?? [] {
            add("clip", clip)
            add("transition", clip["transition"])
            for layer in clip["layers"] as? [[String: Any]] ?? [] {
                let type = layer["type"] as? String ?? "?"
                addText(type + "Layer", layer)
                add("area", layer["area"])
                add("zoom", layer["zoom"])
                if let pan = layer["pan"] as? [String: Any] {
                    add("pan", pan)
                    add("point", pan["from"])
                    add("point", pan["to"])
                }
            }
        }
        return found
    }

    /// A project with every field of the format set to something other than its default.
    static func everyField(in fixture: ProjectFixture) -> Project {
        let size = PixelSize(width: 1280, height: 720)
        func file(_ path: String) -> URL { URL(fileURLWithPath: fixture.path(path)) }
        let font = "Noto Sans"
        let style = TextLayerStyle(font: "Noto Serif", fontSize: 50, color: Color(red: 1, green: 1, blue: 0),
                                   outline: TextOutline(color: Color(parsing: "#112233")!, width: 3),
                                   boxColor: Color(red: 0, green: 0, blue: 0, alpha: 0.5), maxWidth: 0.7, align: .left)
        let scene = SceneTextStyle(font: "DejaVu Serif", fontSize: 40, color: Color(parsing: "#eeeeee")!)
        let area = Rect(x: 0.1, y: 0.2, width: 0.5, height: 0.6)
        let layers: [LayerContent] = [
            .color(ColorLayer(color: Color(red: 0.1, green: 0.2, blue: 0.3, alpha: 0.4))),
            .gradient(GradientLayer(colors: [.black, .white, Color(red: 127.5 / 255, green: 0, blue: 1)], angle: 90)),
            .gradient(GradientLayer(colors: [.black, .white], shape: .radial)),
            .image(ImageLayer(path: file("media/a.jpg"), fit: .stretch, zoom: ZoomSpec(from: 1.1, to: 1.3),
                              pan: PanSpec(from: Point(x: 0.2, y: 0.3), to: Point(x: 0.8, y: 0.5)))),
            .video(VideoLayer(path: file("media/intro.mp4"), cutFrom: 1.5, cutTo: 4, fit: .cover, volume: 0.5, mute: true)),
            .title(TextLayer(text: "Tiêu đề\nhai dòng", position: .point(Point(x: 0.25, y: 0.75)), style: style)),
            .subtitle(TextLayer(text: "Phụ đề", position: .top, style: style)),
            .backdrop(BackdropLayer(colors: [.black, .white, Color(red: 1, green: 0, blue: 0)], motif: .waves, seed: -7, motion: 2.5)),
            .presenter(PresenterLayer(seed: 42, area: area, lipSync: false)),
            .keywords(KeywordsLayer(words: ["mặt trời", "gió"], area: area, style: scene, cardColor: .black, stagger: 0.2)),
            .bullets(BulletsLayer(items: ["một", "hai"], area: area, style: scene, bulletColor: .black, stagger: 0.1)),
            .chart(ChartLayer(values: [1, 2.5], labels: ["a", "b"], unit: "%", area: area, style: scene,
                              barColors: [Color(red: 0, green: 1, blue: 0)], grow: 0.3)),
            .generated(GeneratedLayer(model: fixture.folder("models/tiny"), seed: 7, classChoice: "orbit", fit: .stretch)),
        ]
        let clips = [
            Clip(duration: 3, transition: TransitionSpec(kind: .circleclose, duration: 1, easing: .easeIn),
                 layers: layers.map { Layer($0, start: 0.5, stop: 2.5, opacity: 0.25) }, narration: "Lời kể"),
            Clip(duration: 2, transition: nil, layers: [Layer(.image(ImageLayer(path: file("media/b.jpg"), fit: .contain)), stop: 2)]),
            Clip(duration: 2, layers: [Layer(.color(ColorLayer(color: .white)), stop: 2)]),
        ]
        let audio = [
            AudioTrackSpec(path: file("music.mp3"), start: 1, cutFrom: 2, cutTo: 30, volume: 0.4, fadeIn: 1.5, fadeOut: 2,
                           loop: true, duck: true, role: .music),
            AudioTrackSpec(path: file("voice.wav"), role: .speech),
        ]
        let subtitles = SubtitleSpec(path: file("subs.srt"), offset: -0.5, position: .point(Point(x: 0.5, y: 0.8)),
                                     style: style, highlight: Color(parsing: "#ffd400"))
        return Project(size: size, frameRate: FrameRate(Rational(30000, 1001)), background: Color(parsing: "#102030")!,
                       defaults: ProjectDefaults(duration: 2.5, transition: TransitionSpec(kind: .wipeup, duration: 0.25, easing: .linear),
                                                 font: font, fit: .contain),
                       clips: clips, audio: audio, subtitles: subtitles, loudness: -16,
                       output: OutputSettings(crf: 18, preset: .slow, audioBitrate: 256_000), baseDirectory: fixture.directory)
    }

    @Test func everyFieldIsWrittenAndReadBack() throws {
        let fixture = try ProjectFixture()
        let project = Self.everyField(in: fixture)
        let data = try ProjectWriter(relativeTo: fixture.directory).data(project)
        let loaded = try Self.load(data, in: fixture.directory)
        #expect(Self.withoutFieldPaths(loaded) == Self.withoutFieldPaths(project))

        // The writer uses every field the reader knows, and no other (`$schema` is for editors only).
        let found = Self.fieldsByKind(try JSONSerialization.jsonObject(with: data))
        var expected: [String: [String]] = [
            "project": ProjectFields.project.filter { $0 != "$schema" }, "defaults": ProjectFields.defaults,
            "transition": ProjectFields.transition, "clip": ProjectFields.clip, "zoom": ProjectFields.zoom,
            "pan": ProjectFields.pan, "point": ProjectFields.point, "area": ProjectFields.area,
            "audioTrack": ProjectFields.audioTrack, "subtitles": ProjectFields.subtitles, "output": ProjectFields.output,
        ]
        for type in LayerType.allCases { expected[type.rawValue + "Layer"] = ProjectFields.layer(type) }
        #expect(Set(found.keys) == Set(expected.keys))
        for (kind, fields) in expected {
            #expect(found[kind] == Set(fields), "\(kind): written \(found[kind]?.sorted() ?? []), format \(fields.sorted())")
        }
        // Paths inside the folder are relative, so the project moves with its media.
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""path" : "media/a.jpg""#))
        #expect(!text.contains(fixture.directory.path))
    }

    /// What the writer writes is valid by the JSON Schema too, checked by Python's reference validator.
    @Test(.enabled(if: ProjectSchemaValidator.isAvailable, "needs Python's jsonschema package to validate documents against the schema"))
    func writtenProjectsMatchTheSchema() throws {
        let fixture = try ProjectFixture()
        let writer = ProjectWriter(relativeTo: fixture.directory)
        let everyField = fixture.directory.appendingPathComponent("written-every-field.json")
        try writer.write(Self.everyField(in: fixture), to: everyField)
        let demo = fixture.directory.appendingPathComponent("written-demo.json")
        try writer.write(try ProjectLoader.load(from: try exampleCopy("demo.json", in: fixture)), to: demo)
        #expect(ProjectSchemaValidator.verdicts(for: [everyField, demo]) == ["valid", "valid"])
    }

    @Test func examplesRoundTrip() throws {
        let fixture = try ProjectFixture()
        for name in ["demo.json", "demo.yaml"] {
            let original = try ProjectLoader.load(from: try exampleCopy(name, in: fixture))
            let data = try ProjectWriter(relativeTo: fixture.directory).data(original)
            let again = try Self.load(data, in: fixture.directory)
            #expect(again == original, "\(name) read, written and read again")
            // Writing is a fixed point: the second file is the first.
            #expect(try ProjectWriter(relativeTo: fixture.directory).data(again) == data, "\(name)")
        }
    }

    @Test func everyFieldExampleRoundTrips() throws {
        let fixture = try ProjectFixture()
        let original = try fixture.load(json: ProjectLoaderTests.everyField)
        let data = try ProjectWriter(relativeTo: fixture.directory).data(original)
        #expect(try Self.load(data, in: fixture.directory) == original)
    }

    @Test func defaultsAreLeftOut() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: #"""
        {"width": 640, "height": 360, "defaults": {"font": "Noto Sans", "transition": "dissolve"},
         "clips": [{"duration": 2, "layers": [{"type": "title", "text": "Hi"}, {"type": "subtitle", "text": "there"},
                                              {"type": "keywords", "words": ["a"]}]},
                   {"duration": 2, "transition": "cut", "layers": [{"type": "color", "color": "red"}]},
                   {"duration": 2, "layers": [{"type": "color", "color": "#00ff0080"}]}]}
        """#)
        let data = try ProjectWriter(relativeTo: fixture.directory).data(project)
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(top.keys) == ["width", "height", "defaults", "clips"])
        let clips = try #require(top["clips"] as? [[String: Any]])
        #expect(Set(clips[0].keys) == ["duration", "layers"], "the first clip takes the default transition")
        #expect(clips[1]["transition"] as? String == "cut", "a cut where the default is a dissolve is written")
        let layers = try #require(clips[0]["layers"] as? [[String: Any]])
        #expect(Set(layers[0].keys) == ["type", "text"])
        #expect(Set(layers[1].keys) == ["type", "text"], "a subtitle's default outline is not written")
        #expect(Set(layers[2].keys) == ["type", "words"])
        let colors = clips[1...].compactMap { ($0["layers"] as? [[String: Any]])?.first?["color"] as? String }
        #expect(colors == ["#ff0000", "#00ff0080"])
        #expect(try Self.load(data, in: fixture.directory) == project)
    }

    @Test func coloursRoundTripExactly() throws {
        let writer = ProjectWriter(relativeTo: URL(fileURLWithPath: "/"))
        let colours = [Color.black, .white, Color(red: 0.1, green: 0.2, blue: 0.3, alpha: 0.4),
                       Color(red: 127.5 / 255, green: 1 / 3, blue: 0.999, alpha: 0.123456789), Color(parsing: "#abc")!,
                       Color(parsing: "#12345678")!, Color(parsing: "rgba(1.5, 2.25, 254.75, 0.05)")!]
        for colour in colours {
            guard case .string(let text) = writer.color(colour) else { Issue.record("not a string"); continue }
            #expect(Color(parsing: text) == colour, "\(text)")
        }
    }

    @Test func pathsOutsideTheFolderStayAbsoluteAndATildeIsKeptLiteral() {
        let writer = ProjectWriter(relativeTo: URL(fileURLWithPath: "/data/project"))
        #expect(writer.path(URL(fileURLWithPath: "/data/project/media/a.jpg")) == .string("media/a.jpg"))
        #expect(writer.path(URL(fileURLWithPath: "/data/projects/a.jpg")) == .string("/data/projects/a.jpg"))
        #expect(writer.path(URL(fileURLWithPath: "/data/project/~a.jpg")) == .string("./~a.jpg"))
    }

    @Test func writingReplacesAFileAtomicallyAndRefusesOtherKinds() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON())
        let url = fixture.directory.appendingPathComponent("out.json")
        try ProjectWriter(relativeTo: fixture.directory).write(project, to: url)
        #expect(try ProjectLoader.load(from: url) == project)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
        #expect(throws: PhimError.self) { try ProjectWriter(relativeTo: fixture.directory).write(project, to: fixture.directory) }
    }
}

