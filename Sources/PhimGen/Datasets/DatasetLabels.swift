import Foundation
import PhimCore

/// A training set's `labels.json`: the clips under `clips/`, their size, length and frame rate, and, for a labelled
/// set, each clip's class. `phim dataset shapes` and `phim dataset cut` write it; `phim train` reads it.
public struct DatasetLabels: Codable, Sendable, Equatable {
    public static let fileName = "labels.json"
    public static let clipsFolder = "clips"
    /// Limits on what a set may declare (and `phim dataset` may make).
    public static let sizes = 16...512
    public static let frameCounts = 2...256
    public static let frameRates = 1...120

    /// `shapes` or `cut`.
    public var kind: String
    public var version: Int? = 1
    /// Every clip is `size`×`size` pixels, `frames` frames at `fps`.
    public var size: Int
    public var frames: Int
    public var fps: Int
    /// The seed a procedural set was made from.
    public var seed: UInt64?
    /// Class names, indexed by each clip's `class`; empty for an unlabelled set.
    public var classes: [String]
    public var clips: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        /// The clip's path inside the set's folder (`clips/00000.mp4`).
        public var file: String
        /// Index into ``DatasetLabels/classes``.
        public var classIndex: Int?
        /// A shapes clip's motion, background and objects.
        public var motion: ShapeMotion?
        public var background: ShapeBackground?
        public var objects: [ShapeObject]?
        /// A cut clip's source video (as given) and where in it the clip starts, in seconds.
        public var source: String?
        public var start: Double?

        enum CodingKeys: String, CodingKey {
            case file, classIndex = "class", motion, background, objects, source, start
        }

        public init(file: String, classIndex: Int? = nil, shapes: ShapeClip? = nil, source: String? = nil, start: Double? = nil) {
            self.file = file
            self.classIndex = classIndex
            motion = shapes?.motion
            background = shapes?.background
            objects = shapes?.objects
            self.source = source
            self.start = start
        }
    }

    public init(kind: String, size: Int, frames: Int, fps: Int, seed: UInt64? = nil, classes: [String], clips: [Entry]) {
        self.kind = kind
        self.size = size
        self.frames = frames
        self.fps = fps
        self.seed = seed
        self.classes = classes
        self.clips = clips
    }

    /// Makes the `clips/` folder of a set being built.
    static func makeClipsFolder(in folder: OutputFolder) throws(PhimError) {
        let clips = folder.file(clipsFolder)
        do {
            try FileManager.default.createDirectory(at: clips, withIntermediateDirectories: false)
        } catch {
            throw PhimError(.writeFailed, "cannot create the clips folder: \(error.localizedDescription)", subject: .file(clips.displayPath))
        }
    }

    /// Writes `labels.json` into a set being built and moves the set into place.
    func finish(_ folder: OutputFolder) throws(PhimError) {
        try OutputFile.write(encoded(), to: folder.file(Self.fileName))
        try folder.commit()
    }

    /// The JSON, pretty-printed with sorted keys (so that the same set gives the same bytes).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Reads and checks `folder/labels.json`.
    /// - Throws: `PhimError` naming the file (and the field) when it is missing, not JSON, or declares sizes out of
    ///   range, classes that do not exist, or clips outside the folder.
    public static func load(from folder: URL) throws(PhimError) -> DatasetLabels { try read(from: folder).labels }

    /// The checked labels and the file's bytes (which key the clip cache).
    static func read(from folder: URL) throws(PhimError) -> (labels: DatasetLabels, data: Data) {
        let url = folder.appendingPathComponent(fileName)
        let subject = PhimError.Subject.file(url.displayPath)
        let data = try InputFile.read(url, subject: subject, maxBytes: 256 << 20)
        let labels: DatasetLabels
        do {
            labels = try JSONDecoder().decode(DatasetLabels.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw PhimError(.invalidInput, "missing field \(Self.path(context.codingPath + [key]))", subject: subject)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw PhimError(.invalidInput, "\(Self.path(context.codingPath)): \(context.debugDescription)", subject: subject)
        } catch let DecodingError.dataCorrupted(context) {
            let place = context.codingPath.isEmpty ? "" : "\(Self.path(context.codingPath)): "
            throw PhimError(.invalidInput, place + "not valid JSON or not a value this field takes", subject: subject)
        } catch {
            throw PhimError(.invalidInput, "cannot read: \(error)", subject: subject)
        }
        try labels.check(subject: subject)
        return (labels, data)
    }

    func check(subject: PhimError.Subject) throws(PhimError) {
        func fail(_ message: String) -> PhimError { PhimError(.invalidInput, message, subject: subject) }
        guard Self.sizes.contains(size) else { throw fail("size: \(size) is out of range (\(Self.sizes))") }
        guard Self.frameCounts.contains(frames) else { throw fail("frames: \(frames) is out of range (\(Self.frameCounts))") }
        guard Self.frameRates.contains(fps) else { throw fail("fps: \(fps) is out of range (\(Self.frameRates))") }
        guard !clips.isEmpty else { throw fail("clips: the set has no clips") }
        for (index, clip) in clips.enumerated() {
            let parts = clip.file.split(separator: "/", omittingEmptySubsequences: false)
            guard !clip.file.hasPrefix("/"), !parts.contains(".."), !clip.file.isEmpty else {
                throw fail("clips[\(index)].file: \(clip.file.quoted()) is not a path inside the set's folder")
            }
            if let classIndex = clip.classIndex, !classes.indices.contains(classIndex) {
                throw fail("clips[\(index)].class: \(classIndex) is not one of the \(classes.count) classes")
            }
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { path, key in
            if let index = key.intValue { return path + "[\(index)]" }
            return path.isEmpty ? key.stringValue : path + "." + key.stringValue
        }
    }
}
