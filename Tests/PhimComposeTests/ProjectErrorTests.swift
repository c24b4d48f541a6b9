import Foundation
import PhimCore
import Testing
@testable import PhimCompose

/// Every error names the offending field (or the file) and says what to fix, in one line.
@Suite struct ProjectErrorTests {
    /// (project JSON, the whole one-line message, the code).
    static let cases: [(String, String, PhimError.Code)] = [
        // Unknown fields, with a did-you-mean or the fields that are allowed.
        (projectJSON(clips: #"{"layers": []}, {"layers": [{"type": "color", "colour": "red"}]}"#),
         "clips[1].layers[0].colour: unknown field; did you mean 'color'?", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutfrom": 1, "cutTo": 2}]}"#),
         "clips[0].layers[0].cutfrom: unknown field; did you mean 'cutFrom'?", .invalidInput),
        (projectJSON(extra: #""frameRate": 30,"#),
         "frameRate: unknown field; expected one of $schema, width, height, fps, background, defaults, clips, audio, subtitles, loudness, output",
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "text": "hi"}]}"#),
         "clips[0].layers[0].text: not a field of image layers (title and subtitle layers have it)", .invalidInput),
        (projectJSON(clips: #"{"layers": [], "transition": {"name": "fade", "length": 1}}"#),
         "clips[0].transition.length: unknown field; expected one of name, duration, easing", .invalidInput),
        (projectJSON(extra: #""output": {"crf": 20, "bitrate": 5},"#),
         "output.bitrate: unknown field; expected one of crf, preset, audioBitrate", .invalidInput),
        (projectJSON(clips: #"{"duration": 1, "duration": 2, "layers": []}"#),
         "clips[0].duration: field appears more than once", .invalidInput),

        // Ill-typed fields name the type expected and the value found.
        (projectJSON(clips: #"{"duration": "long", "layers": []}"#),
         "clips[0].duration: expected a number, found the string 'long'", .invalidInput),
        (projectJSON(extra: #""fps": true,"#),
         #"fps: expected a number or a fraction such as "30000/1001", found the boolean true"#, .invalidInput),
        (#"{"width": "1280", "height": 720, "clips": [{"layers": []}]}"#,
         "width: expected a whole number, found the string '1280'", .invalidInput),
        (#"{"width": 1280.5, "height": 720, "clips": [{"layers": []}]}"#,
         "width: expected a whole number, found the number 1280.5", .invalidInput),
        (projectJSON(clips: #"{"layers": {"type": "color"}}"#),
         "clips[0].layers: expected an array, found an object", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "mute": 1}]}"#),
         "clips[0].layers[0].mute: expected true or false, found the number 1", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": 42}]}"#),
         "clips[0].layers[0].text: expected a string, found the number 42", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": "x", "position": 3}]}"#),
         #"clips[0].layers[0].position: expected "center", "top", "bottom" or {"x": …, "y": …}, found the number 3"#,
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": "x", "position": "middle"}]}"#),
         "clips[0].layers[0].position: unknown position 'middle'; expected one of center, top, bottom", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": "   "}]}"#),
         "clips[0].layers[0].text: must not be empty", .invalidInput),
        (projectJSON(clips: "null"), "clips[0]: expected an object, found null", .invalidInput),
        ("[1, 2]", "project.json: expected an object (with width, height and clips) at the top level, found an array",
         .invalidInput),

        // Required fields.
        (#"{"height": 720, "clips": [{"layers": []}]}"#, "width: required field missing", .invalidInput),
        (#"{"width": 640, "height": 360}"#, "clips: required field missing", .invalidInput),
        (projectJSON(clips: #"{"duration": 2}"#), "clips[0].layers: required field missing", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image"}]}"#), "clips[0].layers[0].path: required field missing",
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"color": "red"}]}"#),
         "clips[0].layers[0].type: required field missing; expected one of color, gradient, image, video, title, subtitle, backdrop, presenter, keywords, bullets, chart, generated",
         .invalidInput),
        (#"{"width": 640, "height": 360, "clips": []}"#, "clips: needs at least one clip", .invalidInput),

        // Unknown names list the valid ones.
        (projectJSON(clips: #"{"layers": [{"type": "text", "text": "hi"}]}"#),
         "clips[0].layers[0].type: unknown layer type 'text'; expected one of color, gradient, image, video, title, subtitle, backdrop, presenter, keywords, bullets, chart, generated",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "transition": {"name": "wipe"}, "layers": []}, {"layers": []}"#),
         "clips[0].transition.name: unknown transition 'wipe'; expected one of cut, fade, dissolve, wipeleft, wiperight, wipeup, wipedown, slideleft, slideright, zoomin, circleopen, circleclose",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "transition": "crossfade", "layers": []}, {"layers": []}"#),
         "clips[0].transition: unknown transition 'crossfade'; expected one of cut, fade, dissolve, wipeleft, wiperight, wipeup, wipedown, slideleft, slideright, zoomin, circleopen, circleclose",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "transition": {"name": "wipeLeft"}, "layers": []}, {"layers": []}"#),
         "clips[0].transition.name: unknown transition 'wipeLeft'; did you mean 'wipeleft'? Expected one of cut, fade, dissolve, wipeleft, wiperight, wipeup, wipedown, slideleft, slideright, zoomin, circleopen, circleclose",
         .invalidInput),
        (projectJSON(extra: #""defaults": {"transition": {"easing": "ease-in"}},"#),
         "defaults.transition.easing: unknown easing 'ease-in'; did you mean 'easeIn'? Expected one of linear, easeIn, easeOut, easeInOut",
         .invalidInput),
        (projectJSON(extra: #""output": {"preset": "veryfats"},"#),
         "output.preset: unknown preset 'veryfats'; did you mean 'veryfast'? Expected one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo",
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "fit": "fill"}]}"#),
         "clips[0].layers[0].fit: unknown fit 'fill'; expected one of cover, contain, stretch", .invalidInput),

        // Bad values.
        (projectJSON(clips: ##"{"layers": [{"type": "color", "color": "#ggg"}]}"##),
         "clips[0].layers[0].color: '#ggg' is not a colour; use #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) or a name such as 'white'",
         .invalidInput),
        (projectJSON(extra: #""background": "rgb(300, 0, 0)","#),
         "background: 'rgb(300, 0, 0)' is not a colour; use #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) or a name such as 'white'",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 0, "layers": []}"#), "clips[0].duration: must be greater than 0, got 0",
         .invalidInput),
        (projectJSON(clips: #"{"duration": -1.5, "layers": []}"#), "clips[0].duration: must be greater than 0, got -1.5",
         .invalidInput),
        (projectJSON(extra: #""defaults": {"duration": 0},"#), "defaults.duration: must be greater than 0, got 0",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "transition": {"duration": -0.5}, "layers": []}, {"layers": []}"#),
         "clips[0].transition.duration: must be at least 0, got -0.5", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutFrom": 3, "cutTo": 2}]}"#),
         "clips[0].layers[0].cutTo: 2 s is not after cutFrom (3 s)", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutFrom": 2, "cutTo": 2}]}"#),
         "clips[0].layers[0].cutTo: 2 s is not after cutFrom (2 s)", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutFrom": -1}]}"#),
         "clips[0].layers[0].cutFrom: must be at least 0, got -1", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutFrom": 1}]}"#),
         "clips[0].duration: required, because the video layer clips[0].layers[0] has no cutTo to take the length from",
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "video", "path": "media/intro.mp4", "cutTo": 3, "volume": 11}]}"#),
         "clips[0].layers[0].volume: must be between 0 and 10, got 11", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "color", "color": "red", "opacity": 1.5}]}"#),
         "clips[0].layers[0].opacity: must be between 0 and 1, got 1.5", .invalidInput),
        (projectJSON(clips: #"{"duration": 3, "layers": [{"type": "color", "color": "red", "start": 3}]}"#),
         "clips[0].layers[0].start: 3 s is not before the end of the clip (3 s)", .invalidInput),
        (projectJSON(clips: #"{"duration": 3, "layers": [{"type": "color", "color": "red", "start": 1, "stop": 1}]}"#),
         "clips[0].layers[0].stop: 1 s is not after start (1 s)", .invalidInput),
        (projectJSON(clips: #"{"duration": 3, "layers": [{"type": "color", "color": "red", "stop": 3.5}]}"#),
         "clips[0].layers[0].stop: 3.5 s is after the end of the clip (3 s)", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "gradient", "colors": ["red"]}]}"#),
         "clips[0].layers[0].colors: needs at least two colours, got 1", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "gradient", "colors": ["red", 3]}]}"#),
         "clips[0].layers[0].colors[1]: expected a string, found the number 3", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "gradient", "colors": ["red", "blue"], "shape": "radial", "angle": 45}]}"#),
         "clips[0].layers[0].angle: only linear gradients have an angle", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "zoom": {"from": 0}}]}"#),
         "clips[0].layers[0].zoom.from: must be between 0.1 and 10, got 0", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "pan": {"to": {"x": 1.2}}}]}"#),
         "clips[0].layers[0].pan.to.x: must be between 0 and 1, got 1.2", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "pan": {"to": {"z": 1}}}]}"#),
         "clips[0].layers[0].pan.to.z: unknown field; expected one of x, y", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": "x", "fontSize": 0}]}"#),
         "clips[0].layers[0].fontSize: must be between 1 and 4000, got 0", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "title", "text": "x", "maxWidth": 1.5}]}"#),
         "clips[0].layers[0].maxWidth: must be at most 1 (the full frame width), got 1.5", .invalidInput),
        (projectJSON(extra: #""loudness": -2,"#), "loudness: must be between -70 and -5, got -2", .invalidInput),
        (projectJSON(extra: #""output": {"crf": 60},"#), "output.crf: must be between 0 and 51, got 60", .invalidInput),
        (projectJSON(extra: #""output": {"audioBitrate": 128},"#),
         "output.audioBitrate: must be between 32000 and 512000, got 128", .invalidInput),

        // Frame size and rate.
        (#"{"width": 1279, "height": 720, "clips": [{"layers": []}]}"#,
         "width: 1279 is odd; H.264 video (yuv420p) needs an even size, such as 1278 or 1280", .invalidInput),
        (#"{"width": 1280, "height": 721, "clips": [{"layers": []}]}"#,
         "height: 721 is odd; H.264 video (yuv420p) needs an even size, such as 720 or 722", .invalidInput),
        (#"{"width": 0, "height": 720, "clips": [{"layers": []}]}"#, "width: must be greater than 0, got 0", .invalidInput),
        (#"{"width": 100000, "height": 100000, "clips": [{"layers": []}]}"#,
         "width: size 100000x100000 is too large (at most 16384 pixels a side and 67 megapixels)", .limitExceeded),
        (#"{"width": 640, "height": 20000, "clips": [{"layers": []}]}"#,
         "height: size 640x20000 is too large (at most 16384 pixels a side and 67 megapixels)", .limitExceeded),
        (#"{"width": 12000, "height": 12000, "clips": [{"layers": []}]}"#,
         "width: size 12000x12000 is too large (at most 16384 pixels a side and 67 megapixels)", .limitExceeded),
        (#"{"width": 1e300, "height": 720, "clips": [{"layers": []}]}"#, "width: 1e+300 is out of range (whole numbers must be within ±2^53)", .limitExceeded),
        (projectJSON(extra: #""fps": 0,"#), "fps: must be between 1 and 240, got 0", .invalidInput),
        (projectJSON(extra: #""fps": -30,"#), "fps: must be between 1 and 240, got -30", .invalidInput),
        (projectJSON(extra: #""fps": 500,"#), "fps: must be between 1 and 240, got 500", .limitExceeded),
        (projectJSON(extra: #""fps": "1000/1","#), "fps: must be between 1 and 240, got 1000", .limitExceeded),
        (projectJSON(extra: #""fps": "30/0","#),
         #"fps: expected a number or a fraction such as "30000/1001", found the string '30/0'"#, .invalidInput),

        // Durations.
        (projectJSON(clips: #"{"duration": 50000, "layers": []}, {"duration": 50000, "layers": []}"#),
         "clips: the video would last 100000 s, over the limit of 86400 s", .limitExceeded),
        (projectJSON(clips: #"{"duration": 0.01, "layers": []}"#),
         "clips[0].duration: 0.01 s is shorter than one frame at 30 fps", .invalidInput),

        // Transitions that do not fit their clips.
        (projectJSON(clips: #"{"duration": 2, "layers": []}, {"duration": 2, "layers": []}, {"duration": 3, "transition": {"name": "fade", "duration": 2}, "layers": []}, {"duration": 1.5, "layers": []}"#),
         "clips[2].transition.duration: 2 s is longer than the next clip, clips[3] (1.5 s)", .invalidInput),
        (projectJSON(clips: #"{"duration": 1, "transition": {"name": "dissolve", "duration": 1.25}, "layers": []}, {"duration": 3, "layers": []}"#),
         "clips[0].transition.duration: 1.25 s is longer than the clip (1 s)", .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "transition": {"duration": 1}, "layers": []}, {"duration": 1.5, "transition": {"duration": 1}, "layers": []}, {"duration": 2, "layers": []}"#),
         "clips[1].transition.duration: 1 s plus the 1 s transition into the clip is longer than the clip (1.5 s)",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "layers": []}, {"duration": 0.4, "layers": []}, {"duration": 2, "layers": []}"#,
                     extra: #""defaults": {"transition": {"name": "fade", "duration": 0.5}},"#),
         "defaults.transition.duration: 0.5 s, between clips[0] and clips[1], is longer than clips[1] (0.4 s)",
         .invalidInput),
        (projectJSON(clips: #"{"duration": 2, "layers": []}, {"duration": 0.8, "layers": []}, {"duration": 2, "layers": []}"#,
                     extra: #""defaults": {"transition": {"name": "fade", "duration": 0.5}},"#),
         "defaults.transition.duration: 0.5 s, between clips[1] and clips[2], plus the 0.5 s transition into clips[1] is longer than clips[1] (0.8 s)",
         .invalidInput),

        // Audio and subtitles.
        (projectJSON(extra: #""audio": [{"path": "music.mp3", "start": 4}],"#),
         "audio[0].start: 4 s is not before the end of the video (4 s)", .invalidInput),
        (projectJSON(extra: #""audio": [{"path": "voice.wav", "role": "speech", "duck": true}],"#),
         "audio[0].duck: only music tracks duck; this track's role is speech", .invalidInput),
        (projectJSON(extra: #""audio": [{"path": "music.mp3", "role": "voice"}],"#),
         "audio[0].role: unknown audio role 'voice'; expected one of music, speech", .invalidInput),
        (projectJSON(extra: #""audio": [{"path": "music.mp3", "fadeIn": -1}],"#),
         "audio[0].fadeIn: must be at least 0, got -1", .invalidInput),
        (projectJSON(extra: #""audio": [{"path": "music.mp3", "loop": "yes"}],"#),
         "audio[0].loop: expected true or false, found the string 'yes'", .invalidInput),
        (projectJSON(extra: #""subtitles": {"path": "music.mp3"},"#),
         "subtitles.path: 'music.mp3' is not a subtitle file; expected .srt, .vtt or .ass", .invalidInput),
        (projectJSON(extra: #""subtitles": {"path": "subs.srt", "position": "left"},"#),
         "subtitles.position: unknown position 'left'; expected one of center, top, bottom", .invalidInput),

        // Media files.
        (projectJSON(clips: #"{"layers": []}, {"layers": []}, {"layers": [{"type": "video", "path": "intro.mp4", "cutTo": 2}]}"#),
         "clips[2].layers[0].path: no such file 'intro.mp4'", .fileNotFound),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media"}]}"#),
         "clips[0].layers[0].path: 'media' is a folder, not a file", .unreadableFile),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg/x.jpg"}]}"#),
         "clips[0].layers[0].path: no such file 'media/a.jpg/x.jpg'", .fileNotFound),
        (projectJSON(clips: #"{"layers": [{"type": "image", "path": ""}]}"#),
         "clips[0].layers[0].path: must not be empty", .invalidInput),
        (projectJSON(extra: #""audio": [{"path": "missing.mp3"}],"#), "audio[0].path: no such file 'missing.mp3'",
         .fileNotFound),
        (projectJSON(extra: #""subtitles": {"path": "missing.srt"},"#), "subtitles.path: no such file 'missing.srt'",
         .fileNotFound),

        // Generated layers: a model folder, a whole seed, a class by name or index.
        (projectJSON(clips: #"{"layers": []}, {"layers": [{"type": "generated", "seed": 7}]}"#),
         "clips[1].layers[0].model: required field missing", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": 3}]}"#),
         "clips[0].layers[0].model: expected a string, found the number 3", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/none"}]}"#),
         "clips[0].layers[0].model: no such folder 'models/none'", .fileNotFound),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny/model.json"}]}"#),
         "clips[0].layers[0].model: 'models/tiny/model.json' is a file; expected a model folder (with model.json and model.safetensors, as phim train writes)",
         .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "seed": -1}]}"#),
         "clips[0].layers[0].seed: must be at least 0, got -1", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "seed": "seven"}]}"#),
         "clips[0].layers[0].seed: expected a whole number, found the string 'seven'", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "seed": 1.5}]}"#),
         "clips[0].layers[0].seed: expected a whole number, found the number 1.5", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "class": true}]}"#),
         "clips[0].layers[0].class: expected a class name or index, found the boolean true", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "class": -2}]}"#),
         "clips[0].layers[0].class: must be at least 0, got -2", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "class": ""}]}"#),
         "clips[0].layers[0].class: must not be empty", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "fit": "fill"}]}"#),
         "clips[0].layers[0].fit: unknown fit 'fill'; expected one of cover, contain, stretch", .invalidInput),
        (projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "path": "media/a.jpg"}]}"#),
         "clips[0].layers[0].path: not a field of generated layers (image and video layers have it)", .invalidInput),
    ]

    @Test(arguments: cases.indices)
    func errorNamesTheField(_ index: Int) throws {
        let (json, expected, code) = Self.cases[index]
        let fixture = try ProjectFixture()
        let error = try #require(fixture.error(json), "expected an error: \(expected)")
        #expect(error.description == expected)
        #expect(error.code == code)
        #expect(error.isInvalidInput)
    }

    // MARK: Syntax and encoding

    @Test(arguments: [
        ("{\n  \"width\": 640,\n  \"height\": 360\n  \"clips\": []\n}",
         "project.json: invalid JSON at line 4, column 3: expected ',' or '}' after a field, found '\"'"),
        ("{\"width\": 640,}", "project.json: invalid JSON at line 1, column 15: trailing comma before '}'"),
        ("{\"width\": [1, 2,]}", "project.json: invalid JSON at line 1, column 17: trailing comma before ']'"),
        ("{\n  // note\n  \"width\": 640\n}", "project.json: invalid JSON at line 2, column 3: JSON does not allow comments"),
        ("{'width': 640}", "project.json: invalid JSON at line 1, column 2: field names need double quotes, not single quotes"),
        ("{\"text\": \"Đây là\nPhim\"}",
         "project.json: invalid JSON at line 1, column 17: control character in a string (write a line break as \\n)"),
        ("{\"width\": 640", "project.json: invalid JSON at line 1, column 14: unterminated object, found the end of the file"),
        ("{\"width\": 0640}", "project.json: invalid JSON at line 1, column 11: numbers may not start with a leading zero"),
        ("{\"width\": yes}", "project.json: invalid JSON at line 1, column 11: expected a value, found 'y'"),
        ("{\"width\": tru}", "project.json: invalid JSON at line 1, column 11: expected a value, found 't' (strings need double quotes)"),
        ("{\"a\": \"\\x\"}", "project.json: invalid JSON at line 1, column 8: invalid escape '\\x' in a string"),
        ("{\"a\": \"\\ud800\"}", "project.json: invalid JSON at line 1, column 14: unpaired UTF-16 surrogate in a \\u escape"),
        ("{\"a\": 1e999}", "project.json: invalid JSON at line 1, column 7: the number 1e999 is out of range"),
        ("{} {}", "project.json: invalid JSON at line 1, column 4: unexpected '{' after the end of the document"),
        ("{\"a\": \"unterminated}", "project.json: invalid JSON at line 1, column 7: unterminated string"),
    ])
    func invalidJSONGivesLineAndColumn(_ text: String, _ expected: String) throws {
        let fixture = try ProjectFixture()
        let error = try #require(fixture.error(text))
        #expect(error.description == expected)
        #expect(error.code == .invalidInput)
    }

    @Test func invalidYAMLGivesLineAndColumn() throws {
        let fixture = try ProjectFixture()
        let badIndent = "width: 640\nheight: 360\nclips:\n  - layers: []\n   duration: 2\n"
        let message = fixture.message(badIndent, name: "project.yaml")
        #expect(message == "project.yaml: invalid YAML at line 5, column 4: did not find expected '-' indicator (while parsing a block collection at line 4, column 3)")
        #expect(!message.contains("\n"))
        #expect(fixture.message("width: [640\nheight: 360\n", name: "p.yml")
            == "p.yml: invalid YAML at line 2, column 7: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 8)")
        #expect(fixture.message("width: 640\nwidth: 720\n", name: "d.yaml") == "d.yaml: invalid YAML at line 1: duplicate key 'width'")
        #expect(fixture.message("width: *nothing\n", name: "a.yaml") == "a.yaml: invalid YAML at line 1, column 8: found undefined alias")
        #expect(fixture.message("a: 1\n---\nb: 2\n", name: "two.yaml").hasPrefix("two.yaml: invalid YAML at line 2, column 1: but found another document"))
        #expect(fixture.message("width: !!int wide\n", name: "t.yaml") == "t.yaml: invalid YAML at line 1, column 8: 'wide' is not a number")
        #expect(fixture.message("width: !custom 3\n", name: "t.yaml") == "t.yaml: invalid YAML at line 1, column 8: unsupported tag '!custom'")
    }

    @Test func yamlErrorsNameFieldPaths() throws {
        let fixture = try ProjectFixture()
        let base = "width: 640\nheight: 360\nclips:\n  - duration: 2\n    layers:\n"
        #expect(fixture.message(base + "      - {type: video, path: media/intro.mp4, mute: yes}\n", name: "p.yaml")
            == "clips[0].layers[0].mute: expected true or false, found the string 'yes'")
        #expect(fixture.message(base + "      - {type: color, color: red, opacity: \"0.5\"}\n", name: "p.yaml")
            == "clips[0].layers[0].opacity: expected a number, found the string '0.5'")
        #expect(fixture.message(base + "      - {type: title, text: ~}\n", name: "p.yaml")
            == "clips[0].layers[0].text: expected a string, found null")
        #expect(fixture.message(base + "      - {type: color, color: red, opacity: .nan}\n", name: "p.yaml")
            == "clips[0].layers[0].opacity: expected a finite number, found nan")
        #expect(fixture.message(base + "      - {type: colour}\n", name: "p.yaml")
            == "clips[0].layers[0].type: unknown layer type 'colour'; did you mean 'color'? Expected one of color, gradient, image, video, title, subtitle, backdrop, presenter, keywords, bullets, chart, generated")
        #expect(fixture.message("width: 640\nheight: 360\nclips: []\n\"my key\": 1\n", name: "p.yaml")
            == #"["my key"]: unknown field; expected one of $schema, width, height, fps, background, defaults, clips, audio, subtitles, loudness, output"#)
    }

    @Test func emptyAndBlankFilesAreErrors() throws {
        let fixture = try ProjectFixture()
        #expect(fixture.message("") == "project.json: the file is empty")
        #expect(fixture.message(" \n\t\n") == "project.json: the file is empty")
        #expect(fixture.message("", name: "p.yaml") == "p.yaml: the file is empty")
        #expect(fixture.message("# only a comment\n", name: "p.yaml") == "p.yaml: the file has no content, only comments")
        #expect(fixture.error("")?.code == .invalidInput)
    }

    @Test func nonUTF8InputIsAnErrorNamingTheFile() throws {
        let fixture = try ProjectFixture()
        var bytes = Array("{\n  \"text\": \"caf".utf8)
        bytes.append(0xE9)  // Latin-1 é
        bytes += Array("\"\n}".utf8)
        let url = fixture.write(Data(bytes), to: "latin1.json")
        do {
            _ = try ProjectLoader.load(from: url)
            Issue.record("loaded Latin-1 input")
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.description.hasSuffix("latin1.json: is not UTF-8 text (byte 0xE9 at line 2, column 15)"))
        }
        let utf16 = fixture.write(Data([0xFF, 0xFE] + Array("{}".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
                                  to: "utf16.yaml")
        #expect(throws: PhimError.self) { try ProjectLoader.load(from: utf16) }
        do { _ = try ProjectLoader.load(from: utf16) } catch {
            #expect(error.description.hasSuffix("utf16.yaml: is UTF-16LE text; save it as UTF-8"))
        }
    }

    @Test func missingOrFolderProjectFile() throws {
        let fixture = try ProjectFixture()
        do {
            _ = try ProjectLoader.load(from: fixture.directory.appendingPathComponent("nope.json"))
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .fileNotFound)
            #expect(error.description == fixture.directory.appendingPathComponent("nope.json").path + ": no such file")
        }
        do {
            _ = try ProjectLoader.load(from: fixture.directory.appendingPathComponent("media"))
            Issue.record("loaded a folder")
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.message == "is a folder, not a file")
        }
    }

    @Test func hostileNestingIsRefused() throws {
        let fixture = try ProjectFixture()
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(fixture.error("{\"a\": \(deep)}")?.code == .limitExceeded)
        #expect(fixture.error("a: \(deep)\n", name: "deep.yaml")?.code == .limitExceeded)
        // "Billion laughs": aliases that expand exponentially.
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(fixture.error(yaml, name: "laughs.yaml")?.code == .limitExceeded)
    }

    @Test(.enabled(if: getuid() != 0, "root can read any file, so permissions cannot be tested as root"))
    func unreadableMediaFile() throws {
        let fixture = try ProjectFixture()
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: fixture.path("media/a.jpg"))
        #expect(fixture.message(projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg"}]}"#))
            == "clips[0].layers[0].path: cannot read 'media/a.jpg' (permission denied)")
    }

    @Test func specialFilesAreNotMedia() throws {
        let fixture = try ProjectFixture()
        #expect(fixture.message(projectJSON(clips: #"{"layers": [{"type": "image", "path": "/dev/null"}]}"#))
            == "clips[0].layers[0].path: '/dev/null' is not a regular file (a character device)")
    }
}
