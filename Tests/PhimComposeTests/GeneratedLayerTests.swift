import Foundation
import PhimCore
import PhimMedia
import PhimProvenance
import PhimTesting
import Testing
@testable import PhimCompose

/// A stand-in for PhimGen's `GeneratedClips`: one solid-colour frame a colour, at a fixed rate, whatever the layer
/// asks for (so the renderer's timing, not the source's, decides what shows when).
struct SolidColourClips: GeneratedClipSource {
    var colours: [Color]
    var size = PixelSize(width: 32, height: 32)
    var fps = 4.0

    func clip(for layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) -> GeneratedClip {
        GeneratedClip(frames: colours.map { colour in
            var frame = PixelBuffer(size: size)
            frame.fill(colour)
            return frame
        }, fps: fps)
    }
}

/// A source that refuses every layer when checked, as PhimGen's does a model that does not load.
struct RefusingClips: GeneratedClipSource {
    func check(_ layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) {
        throw PhimError(.limitExceeded, "lasts \(duration) s", subject: .field(fieldPath))
    }

    func clip(for layer: GeneratedLayer, duration: Double, fieldPath: String) throws(PhimError) -> GeneratedClip {
        throw PhimError(.operationFailed, "a clip was asked for after its check failed", subject: .field(fieldPath))
    }
}

/// `type: generated` layers in project files: read with their defaults, written back, and the errors that name them.
@Suite struct GeneratedLayerReadingTests {
    @Test func readsAModelFolderWithTheDefaults() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"duration": 2, "layers": [
              {"type": "generated", "model": "models/tiny"},
              {"type": "generated", "model": "./models/tiny/", "seed": 0, "class": 2, "fit": "cover", "start": 0.5},
              {"type": "generated", "model": "models/tiny", "seed": 9007199254740991, "class": "orbit"}]}
            """, extra: #""defaults": {"fit": "contain"},"#))
        let layers = project.clips[0].layers
        let folder = fixture.folder("models/tiny")
        #expect(layers[0].content == .generated(GeneratedLayer(model: folder, seed: 1, classChoice: nil, fit: .contain)))
        #expect(layers[1].content == .generated(GeneratedLayer(model: folder, seed: 0, classChoice: "2", fit: .cover)))
        #expect(layers[1].start == 0.5 && layers[1].stop == 2)
        #expect(layers[2].content == .generated(GeneratedLayer(model: folder, seed: 9_007_199_254_740_991, classChoice: "orbit",
                                                               fit: .contain)))
        #expect(layers.map(\.type) == [.generated, .generated, .generated])
        guard case .generated(let generated) = layers[0].content else { return }
        #expect(generated.weights.path == fixture.path("models/tiny/model.safetensors"))
    }

    @Test func writerRoundTripsAndLeavesOutTheDefaults() throws {
        let fixture = try ProjectFixture()
        let project = try fixture.load(json: projectJSON(clips: """
            {"duration": 2, "layers": [
              {"type": "generated", "model": "models/tiny"},
              {"type": "generated", "model": "models/tiny", "seed": 7, "class": 2, "fit": "stretch"},
              {"type": "generated", "model": "models/tiny", "class": "orbit"}]}
            """))
        let data = try ProjectWriter(relativeTo: fixture.directory).data(project)
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let clips = try #require(top["clips"] as? [[String: Any]])
        let layers = try #require(clips[0]["layers"] as? [[String: Any]])
        #expect(Set(layers[0].keys) == ["type", "model"])
        #expect(layers[0]["model"] as? String == "models/tiny", "relative to the project's folder")
        #expect(Set(layers[1].keys) == ["type", "model", "seed", "class", "fit"])
        #expect(layers[1]["seed"] as? Int == 7 && layers[1]["class"] as? Int == 2, "an index is written as a number")
        #expect(layers[2]["class"] as? String == "orbit")
        let again = try ProjectWriterTests.load(data, in: fixture.directory)
        #expect(again == project)
        #expect(try ProjectWriter(relativeTo: fixture.directory).data(again) == data, "writing is a fixed point")

        // A layer built in code, with a class that only looks like a number, reads back the same.
        var built = project
        built.clips[0].layers[2].content = .generated(GeneratedLayer(model: fixture.folder("models/tiny"), seed: 3,
                                                                     classChoice: "02", fit: .contain))
        let rewritten = try ProjectWriter(relativeTo: fixture.directory).data(built)
        #expect(ProjectWriterTests.withoutFieldPaths(try ProjectWriterTests.load(rewritten, in: fixture.directory))
                == ProjectWriterTests.withoutFieldPaths(built))
    }

    @Test func sourceTypeAndIngredientsNameTheModel() throws {
        let fixture = try ProjectFixture()
        let generated = try fixture.load(json: projectJSON(clips: #"{"layers": [{"type": "generated", "model": "models/tiny"}]}"#))
        #expect(generated.madeFrom.sourceType == .compositeWithTrainedAlgorithmicMedia)
        #expect(generated.mediaFiles.map(\.path) == [fixture.path("models/tiny/model.safetensors")])
        let withPicture = try fixture.load(json: projectJSON(clips: """
            {"layers": [{"type": "image", "path": "media/a.jpg"}, {"type": "generated", "model": "models/tiny"},
                        {"type": "generated", "model": "models/tiny", "seed": 2}]}
            """))
        #expect(withPicture.madeFrom.sourceType == .compositeWithTrainedAlgorithmicMedia)
        #expect(withPicture.mediaFiles.map(\.lastPathComponent) == ["a.jpg", "model.safetensors"], "each file once")
        let drawn = try fixture.load(json: projectJSON())
        #expect(drawn.madeFrom.sourceType == .digitalCreation)
    }

    @Test func frameCountAndIndexFollowTheModelsRate() {
        #expect(GeneratedClip.frameCount(duration: 1, fps: 4) == 4)
        #expect(GeneratedClip.frameCount(duration: 1.01, fps: 4) == 5)
        #expect(GeneratedClip.frameCount(duration: 0.1, fps: 30) == 3, "0.1 × 30 is 3.0000000000000004")
        #expect(GeneratedClip.frameCount(duration: 0.01, fps: 4) == 1, "at least one")
        #expect(GeneratedClip.frameCount(duration: 64, fps: 16) == 1024)
        let clip = GeneratedClip(frames: Array(repeating: PixelBuffer(size: PixelSize(width: 2, height: 2)), count: 4), fps: 4)
        #expect([0, 0.2499, 0.25, 0.5, 0.7499, 0.75, 0.9999, 1, 7].map(clip.frameIndex(at:)) == [0, 0, 1, 2, 2, 3, 3, 3, 3])
        // Output frame 82 at 20 fps is 4.1 s, and 82 / 20 × 30 is 122.99999999999999 in binary: frame 123 at 30 fps.
        let thirty = GeneratedClip(frames: Array(repeating: PixelBuffer(size: PixelSize(width: 2, height: 2)), count: 200), fps: 30)
        #expect(thirty.frameIndex(at: 82.0 / 20) == 123)
    }
}

/// Generated layers rendered through a stand-in source: timing at the model's rate, fit, provenance, and the errors
/// that stop a render before it starts.
@Suite struct GeneratedLayerRenderTests {
    let folder = TemporaryFolder("phim-render-generated")

    static let red = Color(red: 1, green: 0, blue: 0), green = Color(red: 0, green: 1, blue: 0),
               blue = Color(red: 0, green: 0, blue: 1), white = Color.white

    init() throws {
        // A model folder as far as PhimCompose can tell (the stand-in source never reads it).
        try FileManager.default.createDirectory(at: folder.file("model"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.file("model/model.json"))
        try Data("weights".utf8).write(to: folder.file("model/model.safetensors"))
    }

    func write(_ json: String) throws -> Project {
        let projectURL = folder.file("project-\(UUID().uuidString.prefix(8)).json")
        try Data(json.utf8).write(to: projectURL)
        return try ProjectLoader.load(from: projectURL)
    }

    func render(_ json: String, source: (any GeneratedClipSource)?) async throws -> URL {
        let output = folder.file("out-\(UUID().uuidString.prefix(8)).mp4")
        _ = try await ProjectRenderer(project: try write(json), options: RenderOptions(generatedClips: source)).render(to: output)
        return output
    }

    /// The error rendering `json` gives; checks that nothing was written.
    func renderError(_ json: String, source: (any GeneratedClipSource)?) async -> PhimError? {
        do {
            _ = try await render(json, source: source)
        } catch {
            #expect(!folder.contents.contains { $0.hasSuffix(".mp4") || $0.hasSuffix(".part") }, "\(folder.contents)")
            return error as? PhimError
        }
        return nil
    }

    func near(_ pixel: RGBA8, _ colour: Color, tolerance: Int = 24) -> Bool {
        abs(Int(pixel.r) - Int(colour.red * 255)) <= tolerance && abs(Int(pixel.g) - Int(colour.green * 255)) <= tolerance
            && abs(Int(pixel.b) - Int(colour.blue * 255)) <= tolerance
    }

    @Test func framesChangeAtTheModelsRateFromTheLayersStart() async throws {
        // 4 frames at 4 fps in a layer shown from 0.25 s to 1.75 s of a 2 s clip at 20 fps: a generated frame every
        // 5 output frames from frame 5, the last held until the layer stops at frame 35.
        let source = SolidColourClips(colours: [Self.red, Self.green, Self.blue, Self.white])
        let url = try await render("""
        { "width": 160, "height": 96, "fps": 20, "background": "#000000",
          "clips": [ { "duration": 2, "layers": [
            { "type": "generated", "model": "model", "fit": "stretch", "start": 0.25, "stop": 1.75 } ] } ] }
        """, source: source)
        let frames = try OutputInspector.frames(url)
        #expect(frames.count == 40)
        for (index, frame) in frames.enumerated() {
            let expected: Color = switch index {
            case 5..<10: Self.red
            case 10..<15: Self.green
            case 15..<20: Self.blue
            case 20..<35: Self.white
            default: .black
            }
            let pixel = frame.pixels.averagePixel(x: 40, y: 24, width: 80, height: 48)
            #expect(near(pixel, expected), "frame \(index): \(pixel), expected \(expected)")
        }
        // Trained-model output composed into the frame, with the model's weights as an ingredient.
        let manifest = try C2PAVerifier.localAuthority().verify(url)
        #expect(manifest.actions.first?.sourceType == DigitalSourceType.compositeWithTrainedAlgorithmicMedia.iri,
                "\(manifest.actions)")
        #expect(manifest.ingredients.map(\.title) == ["model.safetensors"])
    }

    @Test func fitPlacesTheClipAsItDoesAVideo() async throws {
        // A square clip in a 2:1 frame: `contain` (here from defaults.fit) leaves the background at the sides,
        // `cover` fills the frame.
        let url = try await render("""
        { "width": 160, "height": 80, "fps": 10, "background": "#0000ff", "defaults": { "fit": "contain" },
          "clips": [ { "duration": 0.2, "layers": [ { "type": "generated", "model": "model" } ] },
                     { "duration": 0.2, "layers": [ { "type": "generated", "model": "model", "fit": "cover" } ] } ] }
        """, source: SolidColourClips(colours: [Self.red]))
        let frames = try OutputInspector.frames(url)
        #expect(frames.count == 4)
        let contain = frames[0].pixels, cover = frames[2].pixels
        #expect(near(contain.averagePixel(x: 4, y: 20, width: 24, height: 40), Self.blue), "a bar at the left")
        #expect(near(contain.averagePixel(x: 132, y: 20, width: 24, height: 40), Self.blue), "a bar at the right")
        #expect(near(contain.averagePixel(x: 50, y: 10, width: 60, height: 60), Self.red))
        #expect(near(cover.averagePixel(x: 4, y: 4, width: 24, height: 72), Self.red), "no bars with cover")
        #expect(near(cover.averagePixel(x: 132, y: 4, width: 24, height: 72), Self.red))
    }

    @Test func renderingWithoutASourceNamesTheLayersModel() async throws {
        let error = await renderError("""
        { "width": 160, "height": 96, "clips": [ { "duration": 1, "layers": [ { "type": "color", "color": "red" } ] },
          { "duration": 1, "layers": [ { "type": "generated", "model": "model" } ] } ] }
        """, source: nil)
        #expect(error?.subject == .field("clips[1].layers[0].model"))
        #expect(error?.code == .unsupported && error?.isInvalidInput == true)
        #expect(error?.message.contains("model support") == true, "\(String(describing: error))")
    }

    @Test func aFolderWithoutModelJSONIsRefusedBeforeRendering() async throws {
        try FileManager.default.createDirectory(at: folder.file("empty"), withIntermediateDirectories: true)
        let error = await renderError("""
        { "width": 160, "height": 96, "clips": [ { "duration": 1, "layers": [ { "type": "generated", "model": "empty" } ] } ] }
        """, source: SolidColourClips(colours: [Self.red]))
        #expect(error?.subject == .field("clips[0].layers[0].model"))
        #expect(error?.code == .fileNotFound)
        #expect(error?.message == "'empty' has no model.json, so it is not a model folder (phim train writes model.json and model.safetensors)")
    }

    @Test func theSourceChecksEveryLayerBeforeAnyOutput() throws {
        let project = try write("""
        { "width": 160, "height": 96, "clips": [ { "duration": 3, "layers": [
          { "type": "generated", "model": "model", "start": 1 } ] } ] }
        """)
        #expect {
            _ = try ProjectRenderer(project: project, options: RenderOptions(generatedClips: RefusingClips()))
        } throws: { error in
            (error as? PhimError)?.subject == .field("clips[0].layers[0]") && (error as? PhimError)?.message == "lasts 2.0 s"
        }
    }
}
