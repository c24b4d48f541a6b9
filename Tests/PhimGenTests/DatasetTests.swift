import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing
@testable import PhimGen

@Suite struct ShapesDatasetTests {
    @Test func clipsFollowFromTheSeedAndTheClassesTakeTurns() {
        let dataset = ShapesDataset(seed: 7)
        #expect(dataset.clip(12) == ShapesDataset(seed: 7).clip(12))
        #expect(dataset.clip(12) != ShapesDataset(seed: 8).clip(12))
        let motions = (0..<100).map { dataset.clip($0).motion }
        for motion in ShapeMotion.allCases { #expect(motions.filter { $0 == motion }.count == 20) }
        // Variety: every shape, several colours, one and two objects, both kinds of background.
        let clips = (0..<200).map(dataset.clip)
        let objects = clips.flatMap(\.objects)
        #expect(Set(objects.map(\.shape)) == Set(ShapeKind.allCases))
        #expect(Set(objects.map(\.color)).count == ShapesDataset.palette.count)
        #expect(Set(objects.map(\.speed)) == Set(ShapesDataset.speeds))
        #expect(clips.contains { $0.objects.count == 2 } && clips.contains { $0.objects.count == 1 })
        #expect(clips.contains { $0.background.colors.count == 2 } && clips.contains { $0.background.colors.count == 1 })
        #expect(objects.filter { $0.shape == .digit }.allSatisfy { (0...9).contains($0.digit ?? -1) })
    }

    /// Every object stays whole in the frame on every frame (bounce and orbit included), and moves.
    @Test func objectsStayInTheFrameAndMove() {
        let dataset = ShapesDataset(seed: 3)
        for index in 0..<500 {
            let clip = dataset.clip(index)
            for object in clip.objects {
                var centres: [Point] = []
                for frame in 0..<dataset.frames {
                    let state = object.state(motion: clip.motion, time: Double(frame) / Double(dataset.fps), span: dataset.span)
                    let half = object.size * state.scale / 2
                    #expect(state.center.x - half > -0.01 && state.center.x + half < 1.01, "clip \(index) frame \(frame) x")
                    #expect(state.center.y - half > -0.01 && state.center.y + half < 1.01, "clip \(index) frame \(frame) y")
                    centres.append(state.center)
                }
                let first = object.state(motion: clip.motion, time: 0, span: dataset.span)
                let last = object.state(motion: clip.motion, time: dataset.span, span: dataset.span)
                let moved = hypot(last.center.x - first.center.x, last.center.y - first.center.y)
                switch clip.motion {
                case .linear, .bounce, .orbit: #expect(moved > 0.05 || centres.contains { hypot($0.x - first.center.x, $0.y - first.center.y) > 0.1 })
                case .zoom: #expect(abs(last.scale - first.scale) > 0.3)
                case .rotate: #expect(abs(last.angle - first.angle) > 60)
                }
            }
        }
    }

    @Test func reflectionFoldsIntoTheRange() {
        #expect(abs(ShapeObject.reflect(0.5, 0.1) - 0.5) < 1e-12)
        #expect(abs(ShapeObject.reflect(0.95, 0.1) - 0.85) < 1e-12)  // past the wall by 0.05: back by 0.05
        #expect(abs(ShapeObject.reflect(-0.05, 0.1) - 0.25) < 1e-12)
        #expect(abs(ShapeObject.reflect(2.5, 0.1) - ShapeObject.reflect(2.5 - 1.6, 0.1)) < 1e-12)  // period 2 × 0.8
    }

    /// The set as written: playable MP4s of the right size and length, each object's colour where the labels put it,
    /// labels that read back as written.
    @Test func writesAPlayableLabelledSet() throws {
        let folder = TemporaryFolder("phim-shapes")
        let dataset = ShapesDataset(seed: 11, size: 64, frames: 8, fps: 16)
        let destination = folder.file("set")
        let labels = try dataset.write(count: 15, to: destination, threads: 2)
        #expect(try DatasetLabels.load(from: destination) == labels)
        #expect(labels.clips.count == 15 && labels.classes == ShapeMotion.allCases.map(\.rawValue))
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path).sorted() == ["clips", "labels.json"])
        var checked = 0
        for (index, entry) in labels.clips.enumerated() {
            let frames = try OutputInspector.frames(destination.appendingPathComponent(entry.file))
            #expect(frames.count == 8)
            #expect(frames.first?.pixels.size == PixelSize(width: 64, height: 64))
            let clip = dataset.clip(index)
            #expect(entry.motion == clip.motion && entry.objects == clip.objects)
            // A lone shape (digits have holes at their centre): its colour at its centre, first and last frame.
            guard clip.objects.count == 1, let object = clip.objects.first, object.shape != .digit else { continue }
            for frame in [0, 7] {
                let state = object.state(motion: clip.motion, time: Double(frame) / 16, span: dataset.span)
                let pixel = frames[frame].pixels.pixel(x: Int(state.center.x * 64), y: Int(state.center.y * 64))
                let expected = try #require(Color(parsing: object.rgb))
                let error = [abs(Double(pixel.r) - expected.red * 255), abs(Double(pixel.g) - expected.green * 255),
                             abs(Double(pixel.b) - expected.blue * 255)].max()!
                #expect(error < 40, "clip \(index) frame \(frame): \(pixel) against \(object.rgb)")
            }
            checked += 1
        }
        #expect(checked >= 4)
    }

    @Test func writesOnlyIntoANewOrEmptyFolder() throws {
        let folder = TemporaryFolder("phim-shapes")
        let full = folder.file("full")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: full.appendingPathComponent("mine.txt"))
        let error = #expect(throws: PhimError.self) { try OutputFolder(full) }
        #expect(error?.description.contains("full") == true && error?.description.contains("not empty") == true)
        #expect(folder.contents == ["full"], "nothing beside it")
        let file = folder.file("file")
        try Data("x".utf8).write(to: file)
        #expect(throws: PhimError.self) { try OutputFolder(file) }
        #expect(throws: PhimError.self) { try OutputFolder(folder.file("missing/set")) }
        // An empty folder is fine; a failed write leaves it as it was and nothing else.
        let empty = folder.file("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        let cancelled = CancellationFlag()
        cancelled.cancel()
        let failure = #expect(throws: PhimError.self) {
            try ShapesDataset().write(count: 4, to: empty, cancellation: cancelled)
        }
        #expect(failure?.code == .cancelled)
        #expect(folder.contents == ["empty", "file", "full"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
    }

    @Test(arguments: [
        (#"{"kind": "shapes", "size": 64, "frames": 16, "fps": 16, "classes": [], "clips": [{"file": "a.mp4", "class": 2}]}"#,
         "clips[0].class: 2 is not one of the 0 classes"),
        (#"{"kind": "shapes", "size": 64, "frames": 16, "fps": 16, "classes": [], "clips": [{"file": "../a.mp4"}]}"#,
         "clips[0].file"),
        (#"{"kind": "shapes", "size": 9999, "frames": 16, "fps": 16, "classes": [], "clips": [{"file": "a.mp4"}]}"#,
         "size: 9999 is out of range"),
        (#"{"kind": "shapes", "frames": 16, "fps": 16, "classes": [], "clips": []}"#, "missing field size"),
        (#"{"kind": "shapes", "size": "big", "frames": 16, "fps": 16, "classes": [], "clips": []}"#, "size"),
        (#"{"kind": "shapes", "size": 64, "frames": 16, "fps": 16, "classes": [], "clips": []}"#, "no clips"),
        ("{", "not valid JSON"),
    ])
    func badLabelsAreNamed(text: String, expected: String) throws {
        let folder = TemporaryFolder("phim-labels")
        try Data(text.utf8).write(to: folder.file("labels.json"))
        let error = #expect(throws: PhimError.self) { try DatasetLabels.load(from: folder.url) }
        #expect(error?.description.contains("labels.json") == true, "\(String(describing: error))")
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }
}

@Suite struct ClipCutterTests {
    /// Colour bars change colour every second (a scene cut each time): at 8 fps, clips of 4 frames fill each second
    /// twice, and none mixes two colours.
    @Test func clipsNeverSpanASceneCut() throws {
        let folder = TemporaryFolder("phim-cut")
        let video = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), size: PixelSize(width: 160, height: 90),
                                                 fps: 25, seconds: 3, toneFrequency: nil)
        let destination = folder.file("set")
        let report = try ClipCutter(size: 32, frames: 4, fps: 8).write([video], to: destination)
        #expect(report.sceneCuts == 2)
        #expect(report.labels.clips.count == 6)
        #expect(try DatasetLabels.load(from: destination) == report.labels)
        for entry in report.labels.clips {
            let frames = try OutputInspector.frames(destination.appendingPathComponent(entry.file))
            #expect(frames.count == 4 && frames.first?.pixels.size == PixelSize(width: 32, height: 32))
            let second = Int((entry.start ?? -1) + 1e-6)
            let expected = MediaGenerator.barColor(second)
            for frame in frames {
                let pixel = frame.pixels.pixel(x: 16, y: 16)
                #expect(abs(Double(pixel.r) - expected.red * 255) < 30 && abs(Double(pixel.g) - expected.green * 255) < 30
                        && abs(Double(pixel.b) - expected.blue * 255) < 30, "\(entry.file) at \(entry.start ?? -1): \(pixel)")
            }
        }
    }

    @Test func videosShorterThanAClipAreAnError() throws {
        let folder = TemporaryFolder("phim-cut")
        let video = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), size: PixelSize(width: 64, height: 64),
                                                 fps: 25, seconds: 1, toneFrequency: nil)
        let error = #expect(throws: PhimError.self) {
            try ClipCutter(size: 32, frames: 16, fps: 8).write([video], to: folder.file("set"))
        }
        #expect(error?.description.contains("no clip of 16 frames") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: folder.file("set").path))
        #expect(folder.contents == ["bars.mp4"])
    }
}

@Suite struct ClipStoreTests {
    /// Clips decoded once into shards: the bytes are the clip's pixels, a second open reads the cache, and a changed
    /// labels.json makes it again.
    @Test func decodesOnceAndReadsBack() throws {
        let folder = TemporaryFolder("phim-store")
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 2, size: 32, frames: 6, fps: 12).write(count: 5, to: set)
        let store = try ClipStore.open(set)
        #expect(store.count == 5 && store.clipBytes == 6 * 32 * 32 * 3)
        #expect(store.cache.standardizedFileURL.path == set.appendingPathComponent("cache").standardizedFileURL.path)
        let frames = try OutputInspector.frames(set.appendingPathComponent("clips/00003.mp4"))
        let bytes = try store.clip(3)
        for (frame, (x, y)) in [(0, (3, 4)), (5, (20, 17)), (2, (31, 0))] {
            let pixel = frames[frame].pixels.pixel(x: x, y: y)
            let offset = ((frame * 32 + y) * 32 + x) * 3
            #expect([bytes[offset], bytes[offset + 1], bytes[offset + 2]] == [pixel.r, pixel.g, pixel.b])
        }
        let shard = store.cache.appendingPathComponent("shard-00000.safetensors")
        let made = try FileManager.default.attributesOfItem(atPath: shard.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        let again = try ClipStore.open(set)
        #expect(try again.clip(3) == bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: shard.path)[.modificationDate] as? Date == made, "read, not made again")
        // Another labels.json (one clip fewer): the cache is made again for it.
        var labels = try DatasetLabels.load(from: set)
        labels.clips.removeLast()
        try labels.encoded().write(to: set.appendingPathComponent("labels.json"))
        #expect(try ClipStore.open(set).count == 4)
        // A damaged shard is made again, not an error.
        try Data("garbage".utf8).write(to: shard)
        #expect(try ClipStore.open(set).clip(3) == bytes)
    }

    @Test func clipsOfAnotherSizeOrTooShortAreNamed() throws {
        let folder = TemporaryFolder("phim-store")
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 2, size: 32, frames: 6, fps: 12).write(count: 3, to: set)
        var labels = try DatasetLabels.load(from: set)
        labels.frames = 7
        try labels.encoded().write(to: set.appendingPathComponent("labels.json"))
        let short = #expect(throws: PhimError.self) { try ClipStore.open(set) }
        #expect(short?.description.contains("00000.mp4: has 6 frames; the set's clips have 7") == true, "\(String(describing: short))")
        labels.frames = 6
        labels.size = 48
        try labels.encoded().write(to: set.appendingPathComponent("labels.json"))
        let size = #expect(throws: PhimError.self) { try ClipStore.open(set) }
        #expect(size?.description.contains("00000.mp4: is 32×32; the set's clips are 48×48") == true, "\(String(describing: size))")
        labels.size = 32
        labels.clips[1].file = "clips/missing.mp4"
        try labels.encoded().write(to: set.appendingPathComponent("labels.json"))
        let missing = #expect(throws: PhimError.self) { try ClipStore.open(set) }
        #expect(missing?.description.contains("missing.mp4") == true, "\(String(describing: missing))")
    }
}
