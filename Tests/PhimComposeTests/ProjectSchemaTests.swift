import Foundation
import PhimCore
import PhimGraphics
import PhimTesting
import Testing
@testable import PhimCompose

/// `Schemas/project.schema.json` agrees with the loader: the same fields, names, defaults and verdicts.
@Suite struct ProjectSchemaTests {
    typealias Object = [String: Any]

    static func loadSchema() throws -> Object {
        let data = try Data(contentsOf: ProjectSchemaValidator.schemaURL)
        return try #require(try JSONSerialization.jsonObject(with: data) as? Object)
    }

    static func definition(_ name: String, in schema: Object) throws -> Object {
        let definitions = try #require(schema["$defs"] as? Object)
        return try #require(definitions[name] as? Object, "no $defs/\(name) in the schema")
    }

    static func propertyNames(_ object: Object) -> [String] {
        ((object["properties"] as? Object)?.keys).map(Array.init) ?? []
    }

    static func enumValues(_ object: Object?) -> [String] { object?["enum"] as? [String] ?? [] }

    @Test func fieldNamesMatchTheLoader() throws {
        let schema = try Self.loadSchema()
        #expect(Set(Self.propertyNames(schema)) == Set(ProjectFields.project))
        var pairs: [(String, [String])] = [
            ("defaults", ProjectFields.defaults), ("transitionObject", ProjectFields.transition),
            ("clip", ProjectFields.clip), ("zoom", ProjectFields.zoom), ("pan", ProjectFields.pan),
            ("point", ProjectFields.point), ("audioTrack", ProjectFields.audioTrack),
            ("subtitles", ProjectFields.subtitles), ("output", ProjectFields.output),
        ]
        pairs += LayerType.allCases.map { ("\($0.rawValue)Layer", ProjectFields.layer($0)) }
        for (name, fields) in pairs {
            let definition = try Self.definition(name, in: schema)
            #expect(Set(Self.propertyNames(definition)) == Set(fields), "$defs/\(name)")
            #expect(fields.count == Set(fields).count, "\(name) lists a field twice")
        }
    }

    @Test func namesMatchTheSwiftEnumerations() throws {
        let schema = try Self.loadSchema()
        func properties(_ name: String) throws -> Object { try #require(try Self.definition(name, in: schema)["properties"] as? Object) }

        #expect(Self.enumValues(try Self.definition("transitionName", in: schema)) == TransitionKind.allCases.map(\.rawValue))
        #expect(Self.enumValues(try properties("transitionObject")["easing"] as? Object) == Easing.allCases.map(\.rawValue))
        #expect(Self.enumValues(try Self.definition("fit", in: schema)) == FitMode.allCases.map(\.rawValue))
        #expect(Self.enumValues(try properties("output")["preset"] as? Object) == EncoderPreset.allCases.map(\.rawValue))
        #expect(Self.enumValues(try properties("audioTrack")["role"] as? Object) == AudioRole.allCases.map(\.rawValue))
        #expect(Self.enumValues(try properties("gradientLayer")["shape"] as? Object) == GradientShape.allCases.map(\.rawValue))
        for layer in ["titleLayer", "subtitleLayer", "subtitles"] {
            #expect(Self.enumValues(try properties(layer)["align"] as? Object) == TextAlignment.allCases.map(\.rawValue))
        }

        // The layer union lists one definition per layer type, each selected by its `type` constant.
        let union = try #require(try Self.definition("layer", in: schema)["oneOf"] as? [Object])
        var types: [String] = []
        for reference in union {
            let name = try #require((reference["$ref"] as? String)?.split(separator: "/").last.map(String.init))
            let type = try #require((try properties(name)["type"] as? Object)?["const"] as? String)
            #expect(name == type + "Layer")
            types.append(type)
        }
        #expect(types == LayerType.allCases.map(\.rawValue))
    }

    @Test func everyObjectForbidsUnknownFields() throws {
        var checked = 0
        func walk(_ value: Any, path: String) {
            if let object = value as? Object {
                if object["properties"] != nil {
                    checked += 1
                    #expect(object["additionalProperties"] as? Bool == false, "\(path) allows unknown fields")
                }
                for (key, child) in object { walk(child, path: path + "/" + key) }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() { walk(child, path: path + "/\(index)") }
            }
        }
        walk(try Self.loadSchema(), path: "#")
        #expect(checked >= 16, "the schema has at least 16 object definitions")
    }

    @Test func defaultsMatchTheLoader() throws {
        let schema = try Self.loadSchema()
        func defaultValue(_ definition: String?, _ field: String) throws -> Any? {
            let object = try definition.map { try Self.definition($0, in: schema) } ?? schema
            return ((object["properties"] as? Object)?[field] as? Object)?["default"]
        }
        let output = OutputSettings(), defaults = ProjectDefaults()
        #expect(try defaultValue(nil, "fps") as? Int == 30)
        #expect(try defaultValue(nil, "background") as? String == Color.black.description)
        #expect(try defaultValue("output", "crf") as? Int == output.crf)
        #expect(try defaultValue("output", "preset") as? String == output.preset.rawValue)
        #expect(try defaultValue("output", "audioBitrate") as? Int == output.audioBitrate)
        #expect(try defaultValue("defaults", "duration") as? Double == defaults.duration)
        #expect(try defaultValue("defaults", "font") as? String == defaults.font)
        #expect(try defaultValue("defaults", "fit") as? String == defaults.fit.rawValue)
        #expect(try defaultValue("transitionObject", "duration") as? Double == TransitionSpec.defaultDuration)
        #expect(try defaultValue("transitionObject", "easing") as? String == ProjectReader.builtInTransition.easing.rawValue)
        #expect(try defaultValue("transitionObject", "name") as? String == ProjectReader.builtInTransition.kind.rawValue)
        #expect(try defaultValue("gradientLayer", "angle") as? Double == GradientLayer.defaultAngle)
        #expect(try defaultValue("titleLayer", "maxWidth") as? Double == TextLayerStyle.defaultMaxWidth)
        #expect(try defaultValue("titleLayer", "position") as? String == "center")
        #expect(try defaultValue("subtitleLayer", "position") as? String == "bottom")
        #expect(try defaultValue("videoLayer", "volume") as? Double == 1)
        #expect(try defaultValue("audioTrack", "role") as? String == AudioRole.music.rawValue)
    }

    // MARK: Python's jsonschema as a second opinion

    /// Documents both the schema and the loader must reject (the loader's reasons are in ProjectErrorTests).
    static let invalidProjects = [
        projectJSON(extra: #""frameRate": 30,"#),
        projectJSON(clips: #"{"layers": [{"type": "color", "colour": "red"}]}"#),
        projectJSON(clips: #"{"layers": [{"type": "text", "text": "hi"}]}"#),
        projectJSON(clips: #"{"layers": [{"type": "image", "path": "media/a.jpg", "text": "hi"}]}"#),
        projectJSON(clips: #"{"duration": 2, "transition": {"name": "wipe"}, "layers": []}, {"layers": []}"#),
        projectJSON(clips: #"{"duration": 0, "layers": []}"#),
        projectJSON(clips: #"{"layers": [{"type": "color", "color": "red", "opacity": 1.5}]}"#),
        projectJSON(clips: ##"{"layers": [{"type": "color", "color": "#ggg"}]}"##),
        projectJSON(clips: #"{"layers": [{"type": "gradient", "colors": ["red"]}]}"#),
        projectJSON(clips: #"{"layers": [{"color": "red"}]}"#),
        projectJSON(clips: #"{"layers": [{"type": "title"}]}"#),
        projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny", "seed": -1}]}"#),
        projectJSON(clips: #"{"layers": [{"type": "generated", "seed": 7}]}"#),
        projectJSON(extra: #""output": {"crf": 60},"#),
        projectJSON(extra: #""output": {"preset": "veryfats"},"#),
        projectJSON(extra: #""fps": 500,"#),
        projectJSON(extra: #""fps": true,"#),
        projectJSON(extra: #""loudness": -2,"#),
        projectJSON(extra: #""audio": [{"path": "music.mp3", "role": "voice"}],"#),
        projectJSON(extra: #""subtitles": {"path": "subs.srt", "position": "left"},"#),
        #"{"width": 1279, "height": 720, "clips": [{"layers": []}]}"#,
        #"{"width": 100000, "height": 100000, "clips": [{"layers": []}]}"#,
        #"{"width": 640, "height": 360, "clips": []}"#,
        #"{"height": 360, "clips": [{"layers": []}]}"#,
    ]

    @Test(.enabled(if: ProjectSchemaValidator.isAvailable, "needs Python's jsonschema package to validate documents against the schema"))
    func schemaAndLoaderAgreeOnValidAndInvalidProjects() throws {
        let fixture = try ProjectFixture()
        var files: [String] = [], expectValid: [Bool] = []
        let demo = try exampleCopy("demo.json", in: fixture)
        files.append(demo.path)
        expectValid.append(true)
        files.append(fixture.write(ProjectLoaderTests.everyField, to: "every-field.json").path)
        expectValid.append(true)
        files.append(fixture.write(projectJSON(), to: "minimal.json").path)
        expectValid.append(true)
        for (index, text) in Self.invalidProjects.enumerated() {
            files.append(fixture.write(text, to: "invalid-\(index).json").path)
            expectValid.append(false)
        }
        let verdicts = try #require(ProjectSchemaValidator.verdicts(for: files.map { URL(fileURLWithPath: $0) }), "the validator failed")
        for (index, verdict) in verdicts.enumerated() {
            let name = URL(fileURLWithPath: files[index]).lastPathComponent
            #expect(verdict.hasPrefix("valid") == expectValid[index], "jsonschema on \(name): \(verdict)")
            // The loader reaches the same verdict.
            let loaderError = fixture.error(try String(contentsOfFile: files[index], encoding: .utf8), name: name)
            #expect((loaderError == nil) == expectValid[index], "loader on \(name): \(loaderError?.description ?? "loaded")")
        }
    }

    @Test(.enabled(if: ProjectSchemaValidator.isAvailableWithYAML, "needs Python's jsonschema and PyYAML packages to validate the YAML example"))
    func yamlExampleMatchesTheSchema() throws {
        #expect(ProjectSchemaValidator.verdicts(for: [examplesDirectory.appendingPathComponent("demo.yaml")]) == ["valid"])
    }
}
