import Foundation
import PhimCore
@testable import PhimCompose

/// A temporary folder holding empty stand-ins for media files, and helpers to load project text from it.
/// The loader only checks that media files exist and are readable, so empty files are enough.
final class ProjectFixture {
    let directory: URL

    /// Media files created in every fixture, relative to ``directory`` (`models/tiny` stands for a model folder).
    static let mediaFiles = ["media/a.jpg", "media/b.jpg", "media/intro.mp4", "media/clip.mp4", "music.mp3",
                             "voice.wav", "subs.srt", "models/tiny/model.json", "models/tiny/model.safetensors"]

    init(extraFiles: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("phim-project-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("media"),
                                                withIntermediateDirectories: true)
        for file in Self.mediaFiles + extraFiles { try touch(file) }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Creates an empty file (and its folders) at `relativePath`.
    func touch(_ relativePath: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
    }

    /// Writes `contents` to `name` in the fixture folder and returns its URL.
    @discardableResult
    func write(_ contents: String, to name: String) -> URL {
        write(Data(contents.utf8), to: name)
    }

    @discardableResult
    func write(_ data: Data, to name: String) -> URL {
        let url = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: data)
        // Relative to the fixture, as a path typed on the command line is relative to the working directory,
        // so that errors name the file as `project.json`.
        return URL(fileURLWithPath: name, relativeTo: directory)
    }

    /// A folder of the fixture as the reader gives it: absolute, standardised, a directory URL.
    func folder(_ relativePath: String) -> URL {
        URL(fileURLWithPath: path(relativePath), isDirectory: true)
    }

    /// The absolute path of a file in the fixture.
    func path(_ relativePath: String) -> String {
        directory.appendingPathComponent(relativePath).standardizedFileURL.path
    }

    /// Loads `text` as `project.json` (or another name).
    func load(json text: String, name: String = "project.json") throws(PhimError) -> Project {
        try ProjectLoader.load(from: write(text, to: name))
    }

    /// Loads `text` as `project.yaml` (or another name).
    func load(yaml text: String, name: String = "project.yaml") throws(PhimError) -> Project {
        try ProjectLoader.load(from: write(text, to: name))
    }

    /// The error loading `text` as `name` gives, or `nil` if it loads.
    func error(_ text: String, name: String = "project.json") -> PhimError? {
        do {
            _ = try ProjectLoader.load(from: write(text, to: name))
            return nil
        } catch {
            return error
        }
    }

    /// The one-line message of the error loading `text`, or "loaded" when there is none.
    func message(_ text: String, name: String = "project.json") -> String {
        error(text, name: name)?.description ?? "loaded"
    }
}

/// A small valid project in JSON whose clips are `clips` (a JSON array body) and whose other top-level fields
/// are `extra` (JSON members, each followed by a comma).
func projectJSON(clips: String = #"{"layers": [{"type": "color", "color": "red"}]}"#, extra: String = "") -> String {
    #"{"width": 640, "height": 360, \#(extra) "clips": [\#(clips)]}"#
}

/// The repository's `Examples` folder.
let examplesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Examples")

/// A copy of an example project in a fixture folder with empty stand-ins for its `media/` files, so that the
/// tests do not depend on `make media` having run.
func exampleCopy(_ name: String, in fixture: ProjectFixture) throws -> URL {
    let text = try String(contentsOf: examplesDirectory.appendingPathComponent(name), encoding: .utf8)
    for sample in ["messi5.jpg", "fruits.jpg", "starry_night.jpg", "baboon.jpg", "vtest.avi", "Megamind.avi"] {
        try fixture.touch("media/" + sample)
    }
    return fixture.write(text, to: name)
}
