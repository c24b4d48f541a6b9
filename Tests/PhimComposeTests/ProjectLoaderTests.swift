import Foundation
import PhimCore
import Testing
@testable import PhimCompose

@Suite struct ProjectLoaderTests {
    @Test func minimalProjectGetsEveryDefault() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON())
        #expect(project.size == PixelSize(width: 640, height: 360))
        #expect(project.frameRate == FrameRate(30))
        #expect(project.background == .black)
        #expect(project.defaults == ProjectDefaults())
        #expect(project.defaults.duration == 4)
        #expect(project.defaults.font == "DejaVu Sans")
        #expect(project.defaults.transition == nil)
        #expect(project.defaults.fit == .cover)
        #expect(project.audio.isEmpty)
        #expect(project.subtitles == nil)
        #expect(project.loudness == nil)
        #expect(project.output == OutputSettings(crf: 23, preset: .veryfast, audioBitrate: 192_000))
        #expect(project.baseDirectory.path == fixture.directory.standardizedFileURL.path)
        #expect(project.clips.count == 1)
        let clip = project.clips[0]
        #expect(clip.duration == 4)
        #expect(clip.transition == nil)
        #expect(clip.fieldPath == "clips[0]")
        #expect(clip.layers == [Layer(.color(ColorLayer(color: Color(red: 1, green: 0, blue: 0))), start: 0, stop: 4,
                                      opacity: 1, fieldPath: "clips[0].layers[0]")])
    }

    /// A project that sets every field to something other than its default.
    static let everyField = """
    {
      "$schema": "../Schemas/project.schema.json",
      "width": 1920, "height": 1080, "fps": 25, "background": "#102030",
      "defaults": { "duration": 2.5, "transition": { "name": "wipeup", "duration": 0.25, "easing": "linear" },
                    "font": "Noto Sans", "fit": "contain" },
      "clips": [
        { "duration": 3, "transition": { "name": "circleclose", "duration": 1, "easing": "easeIn" },
          "layers": [
            { "type": "color", "color": "rgba(255, 0, 0, 0.5)", "start": 0.5, "stop": 2.5, "opacity": 0.25 },
            { "type": "gradient", "colors": ["#000", "#fff", "blue"], "angle": 90 },
            { "type": "gradient", "colors": ["#000", "#fff"], "shape": "radial" },
            { "type": "image", "path": "media/a.jpg", "fit": "stretch", "zoom": { "from": 1.1, "to": 1.3 },
              "pan": { "from": { "x": 0.2, "y": 0.3 }, "to": { "x": 0.8 } } },
            { "type": "video", "path": "media/intro.mp4", "cutFrom": 1.5, "cutTo": 4, "fit": "cover",
              "volume": 0.5, "mute": true },
            { "type": "title", "text": "Tiêu đề", "position": { "x": 0.25, "y": 0.75 }, "font": "Noto Serif",
              "fontSize": 96, "color": "yellow", "outlineColor": "#112233", "outlineWidth": 3,
              "boxColor": "#00000080", "maxWidth": 0.5, "align": "left" },
            { "type": "subtitle", "text": "Phụ đề", "position": "top", "outlineWidth": 0, "align": "right" }
          ] },
        { "layers": [ { "type": "image", "path": "media/b.jpg" },
                      { "type": "generated", "model": "models/tiny", "seed": 7, "class": "orbit", "fit": "cover" } ] },
        { "transition": "slideright", "layers": [ { "type": "video", "path": "media/clip.mp4", "cutTo": 2 } ] }
      ],
      "audio": [
        { "path": "music.mp3", "start": 1, "cutFrom": 2, "cutTo": 30, "volume": 0.4, "fadeIn": 1.5, "fadeOut": 2,
          "loop": true, "duck": true, "role": "music" },
        { "path": "voice.wav", "role": "speech" }
      ],
      "subtitles": { "path": "subs.srt", "offset": -0.5, "position": "top", "font": "Noto Sans", "fontSize": 30,
                     "color": "#eeeeee", "outlineColor": "blue", "outlineWidth": 2, "boxColor": "black",
                     "maxWidth": 0.8, "align": "left" },
      "loudness": -16,
      "output": { "crf": 18, "preset": "slow", "audioBitrate": 256000 }
    }
    """

    @Test func everyFieldParses() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: Self.everyField)
        #expect(project.size == PixelSize(width: 1920, height: 1080))
        #expect(project.frameRate == FrameRate(Rational(25, 1)))
        #expect(project.background == Color(parsing: "#102030"))
        let wipeUp = TransitionSpec(kind: .wipeup, duration: 0.25, easing: .linear)
        #expect(project.defaults == ProjectDefaults(duration: 2.5, transition: wipeUp, font: "Noto Sans", fit: .contain))
        #expect(project.loudness == -16)
        #expect(project.output == OutputSettings(crf: 18, preset: .slow, audioBitrate: 256_000))

        let clips = project.clips
        #expect(clips.map(\.duration) == [3, 2.5, 2])
        #expect(clips[0].transition == TransitionSpec(kind: .circleclose, duration: 1, easing: .easeIn))
        #expect(clips[1].transition == wipeUp)
        #expect(clips[2].transition == nil, "the last clip's transition is ignored")

        let layers = clips[0].layers
        #expect(layers[0] == Layer(.color(ColorLayer(color: Color(red: 1, green: 0, blue: 0, alpha: 0.5))),
                                   start: 0.5, stop: 2.5, opacity: 0.25, fieldPath: "clips[0].layers[0]"))
        #expect(layers[1].content == .gradient(GradientLayer(colors: [.black, .white, Color(red: 0, green: 0, blue: 1)],
                                                            shape: .linear, angle: 90)))
        #expect(layers[1].stop == 3 && layers[1].start == 0 && layers[1].opacity == 1)
        #expect(layers[2].content == .gradient(GradientLayer(colors: [.black, .white], shape: .radial, angle: 180)))
        let image = ImageLayer(path: URL(fileURLWithPath: fixture.path("media/a.jpg")), fit: .stretch,
                               zoom: ZoomSpec(from: 1.1, to: 1.3),
                               pan: PanSpec(from: Point(x: 0.2, y: 0.3), to: Point(x: 0.8, y: 0.5)))
        #expect(layers[3].content == .image(image))
        #expect(layers[4].content == .video(VideoLayer(path: URL(fileURLWithPath: fixture.path("media/intro.mp4")),
                                                       cutFrom: 1.5, cutTo: 4, fit: .cover, volume: 0.5, mute: true)))
        let title = TextLayer(text: "Tiêu đề", position: .point(Point(x: 0.25, y: 0.75)), style: TextLayerStyle(
            font: "Noto Serif", fontSize: 96, color: Color(red: 1, green: 1, blue: 0),
            outline: TextOutline(color: Color(parsing: "#112233")!, width: 3), boxColor: Color(parsing: "#00000080"),
            maxWidth: 0.5, align: .left))
        #expect(layers[5].content == .title(title))
        let subtitle = TextLayer(text: "Phụ đề", position: .top, style: TextLayerStyle(
            font: "Noto Sans", fontSize: 1080 * 0.045, outline: nil, align: .right))
        #expect(layers[6].content == .subtitle(subtitle))
        #expect(layers.map(\.fieldPath) == (0..<7).map { "clips[0].layers[\($0)]" })

        #expect(clips[1].layers[0].content == .image(ImageLayer(path: URL(fileURLWithPath: fixture.path("media/b.jpg")),
                                                                fit: .contain)))
        #expect(clips[1].layers[1].content == .generated(GeneratedLayer(model: fixture.folder("models/tiny"), seed: 7,
                                                                        classChoice: "orbit", fit: .cover)))
        #expect(clips[2].layers[0].content == .video(VideoLayer(
            path: URL(fileURLWithPath: fixture.path("media/clip.mp4")), cutFrom: 0, cutTo: 2, fit: .contain)))

        #expect(project.audio == [
            AudioTrackSpec(path: URL(fileURLWithPath: fixture.path("music.mp3")), start: 1, cutFrom: 2, cutTo: 30,
                           volume: 0.4, fadeIn: 1.5, fadeOut: 2, loop: true, duck: true, role: .music,
                           fieldPath: "audio[0]"),
            AudioTrackSpec(path: URL(fileURLWithPath: fixture.path("voice.wav")), role: .speech, fieldPath: "audio[1]"),
        ])
        #expect(project.subtitles == SubtitleSpec(
            path: URL(fileURLWithPath: fixture.path("subs.srt")), offset: -0.5, position: .top,
            style: TextLayerStyle(font: "Noto Sans", fontSize: 30, color: Color(parsing: "#eeeeee")!,
                             outline: TextOutline(color: Color(red: 0, green: 0, blue: 1), width: 2),
                             boxColor: .black, maxWidth: 0.8, align: .left),
            fieldPath: "subtitles"))
    }

    @Test func textDefaultsScaleWithTheFrame() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"layers": [{"type": "title", "text": "T"}, {"type": "subtitle", "text": "S"},
                        {"type": "title", "text": "O", "outlineColor": "red"}]}
            """, extra: #""defaults": {"font": "Noto Sans"}, "subtitles": {"path": "subs.srt"},"#))
        let height = 360.0
        guard case .title(let title) = project.clips[0].layers[0].content,
              case .subtitle(let subtitle) = project.clips[0].layers[1].content,
              case .title(let outlined) = project.clips[0].layers[2].content else {
            Issue.record("wrong layer types")
            return
        }
        #expect(title == TextLayer(text: "T", position: .center, style: TextLayerStyle(
            font: "Noto Sans", fontSize: height * 0.07, color: .white, outline: nil, boxColor: nil, maxWidth: 0.9,
            align: .center)))
        let subtitleSize = height * 0.045
        #expect(subtitle == TextLayer(text: "S", position: .bottom, style: TextLayerStyle(
            font: "Noto Sans", fontSize: subtitleSize, outline: TextOutline(color: .black, width: 1))))
        #expect(outlined.style.outline == TextOutline(color: Color(red: 1, green: 0, blue: 0),
                                                      width: TextOutline.defaultWidth(forFontSize: height * 0.07)))
        #expect(project.subtitles?.style == subtitle.style)
        #expect(project.subtitles?.position == .bottom)
        #expect(project.subtitles?.offset == 0)
    }

    @Test(arguments: [("29.97", Rational(30000, 1001)), ("23.976", Rational(24000, 1001)), ("59.94", Rational(60000, 1001)),
                      ("24", Rational(24, 1)), ("\"30000/1001\"", Rational(30000, 1001)), ("12.5", Rational(25, 2)),
                      ("1", Rational(1, 1)), ("240", Rational(240, 1))])
    func frameRates(_ written: String, _ expected: Rational) throws {
        let fixture = try ProjectFixture()
        #expect(try fixture.load(json: projectJSON(extra: #""fps": \#(written),"#)).frameRate.rate == expected)
    }

    @Test func transitionsInheritFromDefaults() throws {
        let fixture = try ProjectFixture()
        let clip = #"{"duration": 2, "layers": []}"#
        let project = try fixture.load(json: projectJSON(clips: """
            \(clip),
            {"duration": 2, "transition": {"duration": 1}, "layers": []},
            {"duration": 2, "transition": "wipeleft", "layers": []},
            {"duration": 2, "transition": {"name": "cut", "duration": 1}, "layers": []},
            {"duration": 2, "transition": {"name": "fade", "duration": 0}, "layers": []},
            {"duration": 2, "transition": {"easing": "linear"}, "layers": []},
            \(clip)
            """, extra: #""defaults": {"transition": {"name": "dissolve", "duration": 0.75, "easing": "easeOut"}},"#))
        #expect(project.clips.map(\.transition) == [
            TransitionSpec(kind: .dissolve, duration: 0.75, easing: .easeOut),
            TransitionSpec(kind: .dissolve, duration: 1, easing: .easeOut),
            TransitionSpec(kind: .wipeleft, duration: 0.75, easing: .easeOut),
            nil, nil,
            TransitionSpec(kind: .dissolve, duration: 0.75, easing: .linear),
            nil,
        ])
    }

    @Test func transitionFieldsLeftOutWithoutDefaultsAreAHalfSecondFade() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"duration": 2, "transition": {}, "layers": []}, {"duration": 2, "layers": []}
            """))
        #expect(project.clips[0].transition == TransitionSpec(kind: .fade, duration: 0.5, easing: .easeInOut))
        #expect(project.clips[1].transition == nil)
    }

    @Test func defaultCutTransitionMeansCuts() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"duration": 2, "layers": []}, {"duration": 2, "transition": {"duration": 1}, "layers": []},
            {"duration": 2, "layers": []}
            """, extra: #""defaults": {"transition": "cut"},"#))
        #expect(project.defaults.transition == nil)
        #expect(project.clips.map(\.transition) == [nil, nil, nil], "a clip inheriting the name cut is a cut")
    }

    @Test func clipDurationComesFromTheFirstVideoLayerOrDefaults() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"layers": [{"type": "video", "path": "media/intro.mp4", "cutFrom": 1.25, "cutTo": 3.5},
                        {"type": "video", "path": "media/clip.mp4", "cutTo": 10}]},
            {"layers": [{"type": "image", "path": "media/a.jpg"}]},
            {"duration": 1.5, "layers": [{"type": "video", "path": "media/clip.mp4"}]}
            """, extra: #""defaults": {"duration": 3},"#))
        #expect(project.clips.map(\.duration) == [2.25, 3, 1.5])
        #expect(project.clips[0].layers.map(\.stop) == [2.25, 2.25])
    }

    @Test func textIsNormalisedToNFC() throws {
        let fixture = try ProjectFixture()
        // "Xin chào! Đây là Phim" with every accent typed as a combining mark (NFD), escaped in JSON and raw in YAML.
        let decomposed = "Xin cha\u{300}o! D\u{335}a\u{302}y la\u{300} Phim".decomposedStringWithCanonicalMapping
        #expect(decomposed.unicodeScalars.count > "Xin chào! Đây là Phim".unicodeScalars.count)
        let escaped = decomposed.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }
            .joined()
        let fromJSON = try fixture.load(json: projectJSON(clips: #"{"layers": [{"type": "title", "text": "\#(escaped)"}]}"#))
        let fromYAML = try fixture.load(yaml: "width: 640\nheight: 360\nclips:\n  - layers:\n      - type: title\n        text: \(decomposed)\n")
        for project in [fromJSON, fromYAML] {
            guard case .title(let title) = project.clips[0].layers[0].content else {
                Issue.record("not a title")
                continue
            }
            #expect(title.text.unicodeScalars.elementsEqual(decomposed.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
        let precomposed = "Xin chào! Đây là Phim"
        let loaded = try fixture.load(json: projectJSON(clips: #"{"layers": [{"type": "subtitle", "text": "\#(precomposed)"}]}"#))
        guard case .subtitle(let subtitle) = loaded.clips[0].layers[0].content else {
            Issue.record("the layers did not load as the kinds written")
            return
        }
        #expect(subtitle.text.unicodeScalars.elementsEqual(precomposed.unicodeScalars))
    }

    @Test func jsonAndYAMLOfTheSameProjectAreEqual() throws {
        let fixture = try ProjectFixture()
        let yaml = """
        # every field, in YAML
        $schema: ../Schemas/project.schema.json
        width: 1920
        height: 1080
        fps: 25
        background: "#102030"
        defaults:
          duration: 2.5
          transition: {name: wipeup, duration: 0.25, easing: linear}
          font: Noto Sans
          fit: contain
        clips:
          - duration: 3
            transition: {name: circleclose, duration: 1, easing: easeIn}
            layers:
              - {type: color, color: "rgba(255, 0, 0, 0.5)", start: 0.5, stop: 2.5, opacity: 0.25}
              - {type: gradient, colors: ["#000", "#fff", blue], angle: 90}
              - {type: gradient, colors: ["#000", "#fff"], shape: radial}
              - type: image
                path: media/a.jpg
                fit: stretch
                zoom: {from: 1.1, to: 1.3}
                pan: {from: {x: 0.2, y: 0.3}, to: {x: 0.8}}
              - {type: video, path: media/intro.mp4, cutFrom: 1.5, cutTo: 4, fit: cover, volume: 0.5, mute: true}
              - type: title
                text: Tiêu đề
                position: {x: 0.25, y: 0.75}
                font: Noto Serif
                fontSize: 96
                color: yellow
                outlineColor: "#112233"
                outlineWidth: 3
                boxColor: "#00000080"
                maxWidth: 0.5
                align: left
              - {type: subtitle, text: Phụ đề, position: top, outlineWidth: 0, align: right}
          - layers: [{type: image, path: media/b.jpg}, {type: generated, model: models/tiny, seed: 7, class: orbit, fit: cover}]
          - transition: slideright
            layers: [{type: video, path: media/clip.mp4, cutTo: 2}]
        audio:
          - {path: music.mp3, start: 1, cutFrom: 2, cutTo: 30, volume: 0.4, fadeIn: 1.5, fadeOut: 2, loop: true,
             duck: true, role: music}
          - {path: voice.wav, role: speech}
        subtitles:
          path: subs.srt
          offset: -0.5
          position: top
          font: Noto Sans
          fontSize: 30
          color: "#eeeeee"
          outlineColor: blue
          outlineWidth: 2
          boxColor: black
          maxWidth: 0.8
          align: left
        loudness: -16
        output: {crf: 18, preset: slow, audioBitrate: 256000}
        """
        let fromYAML = try fixture.load(yaml: yaml)
        let fromJSON = try fixture.load(json: Self.everyField)
        #expect(fromYAML == fromJSON)
    }

    @Test func examplesLoadAndTheYAMLMatchesTheJSON() throws {
        let fixture = try ProjectFixture()
        let json = try ProjectLoader.load(from: exampleCopy("demo.json", in: fixture))
        let yaml = try ProjectLoader.load(from: exampleCopy("demo.yaml", in: fixture))
        #expect(json == yaml)
        #expect(json.size == PixelSize(width: 1280, height: 720))
        #expect(json.clips.count == 7)
        let timeline = try TimelineResolver.resolve(json)
        #expect((20...30).contains(timeline.duration))
        let kinds = Set(json.clips.compactMap(\.transition?.kind))
        #expect(kinds.isSuperset(of: [.dissolve, .wipeleft, .slideleft, .circleopen, .zoomin, .fade]))
        let texts = json.clips.flatMap(\.layers).compactMap { layer -> String? in
            if case .title(let text) = layer.content { return text.text }
            return nil
        }
        #expect(texts.contains("Xin chào! Đây là Phim"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: examplesDirectory.appendingPathComponent("media/vtest.avi").path),
                   "needs the sample media that `make media` copies into Examples/media"))
    func examplesLoadInPlaceWithRealMedia() throws {
        for name in ["demo.json", "demo.yaml"] {
            let project = try ProjectLoader.load(from: examplesDirectory.appendingPathComponent(name))
            #expect(project.baseDirectory.path == examplesDirectory.standardizedFileURL.path)
        }
    }

    @Test func yamlPlainScalarsAreTypedByTheCoreSchema() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(yaml: """
            width: 640
            height: 360
            fps: 30000/1001
            clips:
              - duration: 3
                layers:
                  - {type: title, text: yes}
                  - {type: subtitle, text: 2024}
                  - {type: title, text: "on", font: 1.50}
                  - {type: video, path: media/intro.mp4, mute: TRUE, volume: 1}
                  - {type: title, text: !!str 3, fontSize: !!float 40}
            """)
        let texts = project.clips[0].layers.compactMap { layer -> String? in
            switch layer.content {
            case .title(let text), .subtitle(let text): text.text
            default: nil
            }
        }
        #expect(texts == ["yes", "2024", "on", "3"])
        #expect(project.frameRate.rate == Rational(30000, 1001))
        guard case .title(let on) = project.clips[0].layers[2].content,
              case .video(let video) = project.clips[0].layers[3].content,
              case .title(let tagged) = project.clips[0].layers[4].content else {
            Issue.record("the layers did not load as the kinds written")
            return
        }
        #expect(on.style.font == "1.50")
        #expect(video.mute)
        #expect(tagged.style.fontSize == 40)
    }

    @Test func yamlAnchorsAndMergeKeys() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(yaml: """
            width: 640
            height: 360
            styles:
            """.replacingOccurrences(of: "styles:", with: "") + """
            defaults: {transition: &quick {name: dissolve, duration: 0.25}}
            clips:
              - duration: 2
                transition: *quick
                layers:
                  - &caption {type: subtitle, text: first, color: yellow, fontSize: 20}
                  - <<: *caption
                    text: second
                  - <<: [*caption, {align: left}]
                    type: title
              - {duration: 2, layers: []}
            """)
        #expect(project.clips[0].transition == TransitionSpec(kind: .dissolve, duration: 0.25))
        let layers = project.clips[0].layers
        guard case .subtitle(let first) = layers[0].content, case .subtitle(let second) = layers[1].content,
              case .title(let third) = layers[2].content else {
            Issue.record("merge keys lost the layer types")
            return
        }
        #expect(first.text == "first" && second.text == "second" && third.text == "first")
        #expect(second.style == first.style)
        #expect(third.style.color == Color(red: 1, green: 1, blue: 0) && third.style.align == .left)
    }

    @Test func pathsResolveAgainstTheProjectFolder() throws {
        let fixture = try ProjectFixture()
        try fixture.touch("elsewhere/pic.jpg")
        let absolute = fixture.path("media/b.jpg")
        let project = try fixture.load(json: projectJSON(clips: """
            {"layers": [{"type": "image", "path": "./media/../elsewhere/pic.jpg"},
                        {"type": "image", "path": "\(absolute)"}]}
            """), name: "project.json")
        guard case .image(let relative) = project.clips[0].layers[0].content,
              case .image(let absoluteImage) = project.clips[0].layers[1].content else {
            Issue.record("the layers did not load as the kinds written")
            return
        }
        #expect(relative.path.path == fixture.path("elsewhere/pic.jpg"))
        #expect(absoluteImage.path.path == absolute)

        // A project in a subfolder resolves against that folder, not the working directory.
        try fixture.touch("sub/media/a.jpg")
        let nested = fixture.write(projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg"}]}"#),
                                   to: "sub/p.json")
        let nestedProject = try ProjectLoader.load(from: nested)
        guard case .image(let nestedImage) = nestedProject.clips[0].layers[0].content else {
            Issue.record("the layers did not load as the kinds written")
            return
        }
        #expect(nestedImage.path.path == fixture.path("sub/media/a.jpg"))
    }

    @Test func formatIsChosenByExtensionOrSniffed() throws {
        let fixture = try ProjectFixture()
        let json = projectJSON()
        let yaml = "width: 640\nheight: 360\nclips: [{layers: [{type: color, color: red}]}]\n"
        let a = try fixture.load(json: json, name: "a.txt")
        let b = try fixture.load(yaml: yaml, name: "b.project")
        let c = try fixture.load(yaml: yaml, name: "c.YML")
        let d = try fixture.load(json: "\u{FEFF}" + json, name: "d.JSON")
        #expect(a == b && b == c && c == d)
        #expect(ProjectFormat.detect(fileName: "x", data: Data("  {".utf8)) == .json)
        #expect(ProjectFormat.detect(fileName: "x", data: Data("a: 1".utf8)) == .yaml)
        #expect(ProjectFormat.detect(fileName: "x.yaml", data: Data("{}".utf8)) == .yaml)
        #expect(ProjectFormat(fileExtension: "yml") == .yaml)
        #expect(ProjectFormat(fileExtension: "txt") == nil)
    }

    @Test func decodeFromMemory() throws {
        let fixture = try ProjectFixture()
        let data = Data(projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg"}]}"#).utf8)
        let project = try ProjectLoader.decode(data, format: .json, baseDirectory: fixture.directory, fileName: "mem.json")
        #expect(project.baseDirectory.path == fixture.directory.standardizedFileURL.path)
        #expect(project.clips[0].layers[0].type == .image)
    }

    @Test func jsonEscapesAndNumbers() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: #"""
            {"duration": 2.5e0, "layers": [{"type": "title", "text": "a\"b\\c\/d\n\t\u00e9\ud83c\udfac", "fontSize": 4E1}]}
            """#, extra: #""width": 640.0, "fps": 3e1,"#.replacingOccurrences(of: #""width": 640.0, "#, with: "")))
        guard case .title(let title) = project.clips[0].layers[0].content else {
            Issue.record("the layers did not load as the kinds written")
            return
        }
        #expect(title.text == "a\"b\\c/d\n\té🎬")
        #expect(title.style.fontSize == 40)
        #expect(project.clips[0].duration == 2.5)
        #expect(project.frameRate == FrameRate(30))
        // Whole numbers written with a fraction are still whole numbers.
        #expect(try fixture.load(json: #"{"width": 640.0, "height": 3.6e2, "clips": [{"layers": []}]}"#).size
            == PixelSize(width: 640, height: 360))
    }
}
