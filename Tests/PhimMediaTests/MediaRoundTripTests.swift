import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimMedia

@Suite struct MediaRoundTripTests {
    let folder = TemporaryFolder("phim-media")

    @Test func writtenMP4ProbesAsH264AndAAC() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let info = try MediaProbe.probe(url)
        let video = try #require(info.primaryVideo)
        let audio = try #require(info.primaryAudio)
        #expect(info.format.contains("mp4"))
        #expect(video.codec == "h264")
        #expect(video.pixelFormat == "yuv420p")
        #expect(video.width == 320 && video.height == 240)
        #expect(abs(video.frameRate - 25) < 0.01)
        #expect(video.frameCount == 75)
        #expect(audio.codec == "aac" && audio.sampleRate == 48_000 && audio.channels == 2)
        #expect(abs((info.duration ?? 0) - 3.0) < 0.05)
        #expect(info.tags["comment"] == "Phim test media")
    }

    @Test func indexComesFirstForStreaming() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 1)
        let data = try Data(contentsOf: url)
        // Top-level MP4 boxes in order: with +faststart the index (moov) precedes the media data (mdat).
        var offset = 0
        var boxes: [String] = []
        while offset + 8 <= data.count {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            boxes.append(String(decoding: data[offset + 4..<offset + 8], as: UTF8.self))
            guard size >= 8 else { break }
            offset += size
        }
        let moov = try #require(boxes.firstIndex(of: "moov"))
        let mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "boxes: \(boxes)")
    }

    @Test func decodedFramesShowTheColoursWritten() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let decoder = try VideoDecoder(url: url)
        var frames: [VideoFrame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        #expect(frames.count == 75)
        for (index, frame) in frames.enumerated() {
            #expect(abs(frame.time - Double(index) / 25) < 1e-6)
        }
        for second in 0..<3 {
            let frame = frames[second * 25 + 12]
            let expected = MediaGenerator.barColor(second)
            let pixel = frame.pixels.averagePixel(x: 100, y: 80, width: 100, height: 80)
            #expect(abs(Double(pixel.r) - expected.red * 255) < 12, "second \(second): \(pixel)")
            #expect(abs(Double(pixel.g) - expected.green * 255) < 12, "second \(second): \(pixel)")
            #expect(abs(Double(pixel.b) - expected.blue * 255) < 12, "second \(second): \(pixel)")
        }
    }

    @Test func audioStaysInSyncWithVideo() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let decoder = try AudioDecoder(url: url)
        var samples: [Float] = []
        while let chunk = try decoder.nextChunk() { samples.append(contentsOf: chunk.buffer.samples) }
        let frames = samples.count / 2
        #expect(abs(frames - 3 * 48_000) <= 1024, "decoded \(frames) sample frames")
        // The tone starts with each second: its onset must be within a millisecond of the second mark.
        for second in 1..<3 {
            let start = second * 48_000 - 2_400
            let onset = (start..<(start + 4_800)).first { abs(samples[$0 * 2]) > 0.05 }
            let onsetSeconds = Double(try #require(onset)) / 48_000
            #expect(abs(onsetSeconds - Double(second)) < 0.002, "tone onset at \(onsetSeconds)")
        }
    }

    @Test func cursorSeeksForwardAndBack() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let cursor = VideoFrameCursor(decoder: try VideoDecoder(url: url))
        let late = try #require(try cursor.frame(at: 2.21))
        #expect(abs(late.time - 2.2) < 1e-6)
        #expect(late.pixels.pixel(x: 10, y: 10).b > 200)
        let early = try #require(try cursor.frame(at: 0.3))
        #expect(abs(early.time - 0.28) < 1e-6)
        #expect(early.pixels.pixel(x: 10, y: 10).r > 200)
        let after = try #require(try cursor.frame(at: 10))
        #expect(abs(after.time - 2.96) < 1e-6)
    }

    @Test func audioSeekIsSampleExact() throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 3)
        let decoder = try AudioDecoder(url: url)
        let buffer = try decoder.read(from: 0.99, frameCount: 960)
        // 10 ms of silence then the tone begins exactly at 1.0 s, i.e. at frame 480.
        let onset = try #require((0..<960).first { abs(buffer.samples[$0 * 2]) > 0.05 })
        #expect(abs(onset - 480) <= 48)
    }

    @Test(.enabled(if: SampleMedia.isAvailable("vtest.avi"), "needs opencv-doc's vtest.avi (make media)"))
    func decodesOpenCVSampleVideo() throws {
        let url = try SampleMedia.url("vtest.avi")
        let info = try MediaProbe.probe(url)
        let video = try #require(info.primaryVideo)
        #expect(video.width == 768 && video.height == 576)
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied,
                                                                               outputSize: PixelSize(width: 384, height: 288)))
        var count = 0
        while count < 20, let frame = try decoder.nextFrame() {
            #expect(frame.pixels.size == PixelSize(width: 384, height: 288))
            count += 1
        }
        #expect(count == 20)
    }

    @Test(.enabled(if: SampleMedia.isAvailable("messi5.jpg"), "needs opencv-doc's messi5.jpg (make media)"))
    func loadsJPEG() throws {
        let image = try ImageLoader.load(try SampleMedia.url("messi5.jpg"))
        #expect(image.size == PixelSize(width: 548, height: 342))
        // Grass covers the lower part of the picture.
        let grass = image.averagePixel(x: 0, y: 300, width: 100, height: 40)
        #expect(grass.g > grass.r && grass.g > grass.b)
    }
}

@Suite struct MediaBadInputTests {
    let folder = TemporaryFolder("phim-media-bad")

    @Test func missingFileNamesTheFile() {
        let error = #expect(throws: PhimError.self) { try MediaProbe.probe(URL(fileURLWithPath: "/nonexistent/a.mp4")) }
        #expect(error?.code == .fileNotFound)
        #expect(error?.description == "/nonexistent/a.mp4: no such file")
    }

    @Test func textFileIsNotMedia() throws {
        let url = folder.file("notes.mp4")
        try Data("this is not a video\n".utf8).write(to: url)
        let error = #expect(throws: PhimError.self) { try VideoDecoder(url: url) }
        #expect(error?.isInvalidInput == true)
        #expect(error?.subject == .file(url.path))
    }

    @Test func emptyFileIsRefused() throws {
        let url = folder.file("empty.jpg")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
        let error = #expect(throws: PhimError.self) { try ImageLoader.load(url) }
        #expect(error?.description == "\(url.path): file is empty")
    }

    @Test func truncatedVideoDecodesWhatIsThereOrFailsCleanly() throws {
        let whole = try MediaGenerator.colorBars(to: folder.file("whole.mp4"), seconds: 2)
        let data = try Data(contentsOf: whole)
        let cut = folder.file("cut.mp4")
        try data.prefix(data.count / 2).write(to: cut)
        do {
            let decoder = try VideoDecoder(url: cut)
            var frames = 0
            while try decoder.nextFrame() != nil { frames += 1 }
            #expect(frames < 50)
        } catch {
            #expect(error.isInvalidInput)
        }
    }

    @Test func absurdImageDimensionsAreRefused() throws {
        // A PNG header claiming 100000 x 100000 pixels, with no data behind it.
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var ihdr = Data("IHDR".utf8)
        for value in [UInt32(100_000), UInt32(100_000)] { withUnsafeBytes(of: value.bigEndian) { ihdr.append(contentsOf: $0) } }
        ihdr.append(contentsOf: [8, 6, 0, 0, 0])
        withUnsafeBytes(of: UInt32(13).bigEndian) { png.append(contentsOf: $0) }
        png.append(ihdr)
        png.append(contentsOf: [0, 0, 0, 0])
        let url = folder.file("huge.png")
        try png.write(to: url)
        let error = #expect(throws: PhimError.self) { try ImageLoader.load(url) }
        #expect(error?.isInvalidInput == true)
    }

    @Test func writerLeavesNothingWhenNotFinished() throws {
        let target = folder.file("unfinished.mp4")
        do {
            let writer = try MP4Writer(destination: target,
                                       video: VideoEncoderSettings(size: PixelSize(width: 64, height: 64), frameRate: FrameRate(25)),
                                       audio: .encode(AudioEncoderSettings()))
            var frame = PixelBuffer(size: PixelSize(width: 64, height: 64))
            frame.fill(.white)
            try writer.appendVideo(frame)
            // Written out but never committed: still nothing at the destination.
            try writer.finishWriting()
            #expect(FileManager.default.fileExists(atPath: writer.temporaryURL.path))
        }
        #expect(folder.contents.isEmpty)
    }
}
