import Foundation
import PhimCore
import PhimProvenance
import PhimTesting
import Testing
@testable import PhimMedia

/// The one export path: stages, sealers, copied sound, and nothing left behind when any part fails.
@Suite struct VideoExportTests {
    static let made = Provenance(sourceType: .digitalCreation)
    let folder = TemporaryFolder("phim-export")
    let size = PixelSize(width: 64, height: 48)

    /// Grey frames, `count` of them.
    func greyFrames(_ count: Int, level: Double = 0.5) -> GeneratedFrames {
        GeneratedFrames(count: count) { [size] _ in
            var frame = PixelBuffer(size: size)
            frame.fill(Color(red: level, green: level, blue: level))
            return frame
        }
    }

    func settings(fps: Double = 25) -> VideoEncoderSettings {
        VideoEncoderSettings(size: size, frameRate: FrameRate(fps), crf: 0, preset: "ultrafast")
    }

    @Test func transformsRunBeforeObserversAndReachTheVideo() throws {
        let target = folder.file("out.mp4"), raw = folder.file("frames.yuv")
        let log = StageLog()
        // Given in the wrong order on purpose: the observer must still see the painted frame.
        let export = VideoExport(video: settings(), provenance: Self.made, stages: [RawVideoCopy(to: raw), PaintLeftHalfWhite(log: log)])
        let report = try export.write(greyFrames(5), to: target)
        #expect(report.frameCount == 5)
        #expect(log.indices == [0, 1, 2, 3, 4])

        let frames = try OutputInspector.frames(target)
        #expect(frames.count == 5)
        for frame in frames {
            #expect(frame.pixels.averagePixel(x: 4, y: 4, width: 20, height: 40).r > 245, "painted half")
            #expect(abs(Int(frame.pixels.averagePixel(x: 40, y: 4, width: 20, height: 40).r) - 128) < 6, "grey half")
        }
        // The raw copy holds the encoder's input: the painted half is white in the luma plane (235, limited range).
        let bytes = [UInt8](try Data(contentsOf: raw))
        #expect(bytes.count == 5 * size.area * 3 / 2)
        #expect(bytes[10] >= 234, "left luma \(bytes[10])")
        #expect(bytes[50] < 140, "right luma \(bytes[50])")
    }

    /// The export holds no second reference to a frame it has encoded, so the source can reuse every buffer
    /// (a compositor's pool would otherwise allocate 8 MB per 1080p frame).
    @Test func encodedFramesGoBackToTheSourceForReuse() throws {
        let source = RecyclingSource(count: 12, size: size)
        _ = try VideoExport(video: settings(), provenance: Self.made, stages: [PaintLeftHalfWhite(log: StageLog())]).write(source, to: folder.file("out.mp4"))
        #expect(source.reusable == 12, "\(source.reusable) of 12 frames came back unshared")
    }

    @Test func sealersSeeTheWholeFileBeforeItTakesItsName() throws {
        let target = folder.file("sealed.mp4")
        let sealer = ProbingSealer()
        let export = VideoExport(video: settings(), provenance: Self.made, metadata: ["comment": "sealed"], sealers: [sealer])
        _ = try export.write(greyFrames(10), to: target)
        #expect(sealer.sawDestination == false, "the destination existed while sealing")
        #expect(sealer.frameCount == 10)
        #expect(sealer.comment == "sealed")
        // What the sealer appended is in the committed file.
        let data = try Data(contentsOf: target)
        #expect(data.suffix(8) == Data("PHIMSEAL".utf8))
        // The export signed the file last, over what the sealer wrote: the C2PA manifest box follows `ftyp`.
        let ftypSize = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
        #expect(data[ftypSize + 4..<ftypSize + 8] == Data("uuid".utf8))
        #expect(Array(data[ftypSize + 8..<ftypSize + 24]) == [0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81])
    }

    @Test func aFailingSealerOrStageLeavesNothing() throws {
        let target = folder.file("out.mp4"), raw = folder.file("frames.yuv")
        let refusing = VideoExport(video: settings(), provenance: Self.made, stages: [RawVideoCopy(to: raw)], sealers: [RefusingSealer()])
        let sealError = #expect(throws: PhimError.self) { try refusing.write(greyFrames(3), to: target) }
        #expect(sealError?.message.contains("refused") == true)
        #expect(folder.contents.isEmpty, "left: \(folder.contents)")

        let failing = VideoExport(video: settings(), provenance: Self.made, stages: [RawVideoCopy(to: raw), FailAt(index: 2)])
        #expect(throws: PhimError.self) { try failing.write(greyFrames(5), to: target) }
        #expect(folder.contents.isEmpty, "left: \(folder.contents)")
    }

    @Test func cancellingOrRunningShortLeavesNothing() throws {
        let target = folder.file("out.mp4")
        let flag = CancellationFlag()
        let cancelling = GeneratedFrames(count: 50) { [size] index in
            if index == 3 { flag.cancel() }
            return PixelBuffer(size: size)
        }
        let cancelled = #expect(throws: PhimError.self) {
            try VideoExport(video: settings(), provenance: Self.made, cancellation: flag).write(cancelling, to: target)
        }
        #expect(cancelled?.code == .cancelled)
        #expect(folder.contents.isEmpty)

        let short = #expect(throws: PhimError.self) { try VideoExport(video: settings(), provenance: Self.made).write(greyFrames(4), frameCount: 6, to: target) }
        #expect(short?.message.contains("4 of 6") == true)
        #expect(folder.contents.isEmpty)

        let wrongSize = GeneratedFrames(count: 2) { _ in PixelBuffer(size: PixelSize(width: 32, height: 32)) }
        #expect(throws: PhimError.self) { try VideoExport(video: settings(), provenance: Self.made).write(wrongSize, to: target) }
        #expect(throws: PhimError.self) { try VideoExport(video: settings(), provenance: Self.made).write(greyFrames(1), to: folder.file("no/such/folder.mp4")) }
        var odd = settings()
        odd.size = PixelSize(width: 63, height: 48)
        #expect(throws: PhimError.self) { try VideoExport(video: odd, provenance: Self.made).write(greyFrames(1), to: target) }
        #expect(folder.contents.isEmpty)
    }

    @Test func copiedSoundIsTheSourceSoundUnchanged() throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2, toneFrequency: 330)
        let target = folder.file("copy.mp4")
        let export = VideoExport(video: settings(fps: 25), provenance: Self.made, audio: .copy(from: source))
        _ = try export.write(greyFrames(50), to: target)

        let info = try MediaProbe.probe(target)
        let audio = try #require(info.primaryAudio)
        #expect(audio.codec == "aac" && audio.sampleRate == 48_000 && audio.channels == 2)
        // Packets copied as they are decode to the very same samples.
        let original = try OutputInspector.audio(source), copied = try OutputInspector.audio(target)
        #expect(copied.count > 95_000 * 2, "\(copied.count / 2) sample frames")
        #expect(abs(copied.count - original.count) <= 2 * 1024 * 2, "\(copied.count) vs \(original.count)")
        let common = min(copied.count, original.count)
        #expect(copied[..<common] == original[..<common])
        // The tone still plays in the first half of each second only.
        #expect(OutputInspector.toneAmplitude(copied, frequency: 330, frames: 4_800..<19_200) > 0.3)
        #expect(OutputInspector.toneAmplitude(copied, frequency: 330, frames: 28_800..<43_200) < 0.01)
    }

    @Test func copiedSoundEndsWithTheVideo() throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let target = folder.file("short.mp4")
        _ = try VideoExport(video: settings(fps: 25), provenance: Self.made, audio: .copy(from: source)).write(greyFrames(25), to: target)
        let seconds = Double(try OutputInspector.audio(target).count / 2) / 48_000
        #expect(seconds > 0.95 && seconds < 1.05, "\(seconds) s of sound under 1 s of video")
    }

    @Test func copyingFromAFileWithoutSoundNamesTheFile() throws {
        let silent = try MediaGenerator.colorBars(to: folder.file("silent.mp4"), seconds: 1, toneFrequency: nil)
        let error = #expect(throws: PhimError.self) {
            try VideoExport(video: settings(), provenance: Self.made, audio: .copy(from: silent)).write(greyFrames(2), to: folder.file("out.mp4"))
        }
        #expect(error?.subject == .file(silent.displayPath))
        #expect(error?.message.contains("no audio") == true)
        #expect(folder.contents == ["silent.mp4"])
    }
}

/// Frames whose return it counts: a frame that comes back uniquely owned can be reused.
final class RecyclingSource: VideoFrameSource {
    let count: Int, size: PixelSize
    var next = 0, reusable = 0
    init(count: Int, size: PixelSize) { self.count = count; self.size = size }

    func nextFrame() throws(PhimError) -> PixelBuffer? {
        guard next < count else { return nil }
        next += 1
        return PixelBuffer(size: size)
    }

    func recycle(_ frame: inout PixelBuffer?) {
        if frame?.isUniquelyOwned() == true { reusable += 1 }
        frame = nil
    }
}

/// Records the frames it saw. `@unchecked Sendable`: used by one export at a time.
final class StageLog: @unchecked Sendable {
    var indices: [Int] = []
}

/// Paints the left half of each frame white.
final class PaintLeftHalfWhite: FrameStage, @unchecked Sendable {
    let log: StageLog
    init(log: StageLog) { self.log = log }

    func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError) {
        log.indices.append(index)
        let half = frame.size.width / 2, bytesPerRow = frame.bytesPerRow, height = frame.size.height
        frame.withUnsafeMutableBytes { bytes in
            for y in 0..<height {
                for x in 0..<half * 4 { bytes[y * bytesPerRow + x] = 255 }
            }
        }
    }
}

/// Fails on one frame.
final class FailAt: FrameStage {
    let index: Int
    init(index: Int) { self.index = index }
    func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError) {
        if index == self.index { throw PhimError(.operationFailed, "stage failed at \(index)") }
    }
}

/// Probes the file it is given, then appends a marker to it.
final class ProbingSealer: ExportSealer, @unchecked Sendable {
    var sawDestination: Bool?
    var frameCount: Int?
    var comment: String?

    func seal(_ file: URL, context: ExportContext) throws(PhimError) {
        sawDestination = FileManager.default.fileExists(atPath: context.destination.path)
        let info = try MediaProbe.probe(file)
        frameCount = info.primaryVideo?.frameCount
        comment = info.tags["comment"]
        guard let handle = FileHandle(forUpdatingAtPath: file.path) else { throw PhimError(.writeFailed, "cannot open", subject: .file(file.path)) }
        handle.seekToEndOfFile()
        // A whole box (a `free` box holding the mark), so the file stays an MP4 for the C2PA writer after it.
        handle.write(Data([0, 0, 0, 16]) + Data("freePHIMSEAL".utf8))
        try? handle.close()
    }
}

final class RefusingSealer: ExportSealer {
    func seal(_ file: URL, context: ExportContext) throws(PhimError) {
        throw PhimError(.operationFailed, "the sealer refused", subject: .file(file.path))
    }
}
