import Foundation
import PhimCore
import PhimMedia
import PhimProvenance
import PhimTesting
import Testing
@testable import PhimCompose

/// Renders small projects and checks what the MP4 holds: frame counts, colours at known times, transition
/// blends, text, retimed video, audio sync, loudness and ducking.
@Suite struct RenderTests {
    let folder = TemporaryFolder("phim-render")

    func render(_ json: String, preview: Bool = false) async throws -> (url: URL, report: RenderReport) {
        let projectURL = folder.file("project-\(UUID().uuidString.prefix(8)).json")
        try Data(json.utf8).write(to: projectURL)
        let project = try ProjectLoader.load(from: projectURL)
        let output = folder.file("out-\(UUID().uuidString.prefix(8)).mp4")
        let report = try await ProjectRenderer(project: project, options: RenderOptions(preview: preview)).render(to: output)
        return (output, report)
    }

    func near(_ pixel: RGBA8, _ r: Int, _ g: Int, _ b: Int, tolerance: Int = 14) -> Bool {
        abs(Int(pixel.r) - r) <= tolerance && abs(Int(pixel.g) - g) <= tolerance && abs(Int(pixel.b) - b) <= tolerance
    }

    @Test func durationIsExactAndDissolveMidpointIsABlend() async throws {
        let (url, report) = try await render("""
        { "width": 320, "height": 240, "fps": 25,
          "clips": [
            { "duration": 1, "transition": { "name": "dissolve", "duration": 0.4, "easing": "linear" },
              "layers": [ { "type": "color", "color": "#ff0000" } ] },
            { "duration": 1, "layers": [ { "type": "color", "color": "#0000ff" } ] } ] }
        """)
        #expect(report.frameCount == 40)
        let info = try MediaProbe.probe(url)
        #expect(info.primaryVideo?.frameCount == 40)
        #expect(abs((info.primaryVideo?.duration ?? 0) - 1.6) < 0.001)
        #expect(abs((info.duration ?? 0) - 1.6) < 0.03)
        let frames = try OutputInspector.frames(url)
        #expect(frames.count == 40)
        #expect(near(frames[5].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80), 255, 0, 0))
        #expect(near(frames[35].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80), 0, 0, 255))
        // The transition spans frames 15..<25; its middle is an even blend of red and blue.
        let middle = frames[20].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80)
        #expect(abs(Int(middle.r) - Int(middle.b)) < 40 && middle.r > 90 && middle.b > 90, "midpoint \(middle)")
        #expect(info.primaryVideo?.codec == "h264" && info.primaryVideo?.pixelFormat == "yuv420p")
        #expect(info.primaryAudio?.codec == "aac")
    }

    @Test func wipeAndSlideAndCircleShowBothClipsMidway() async throws {
        for (name, leftIsNew) in [("wipeleft", false), ("wiperight", true), ("slideleft", false), ("slideright", true)] {
            let (url, _) = try await render("""
            { "width": 320, "height": 240, "fps": 20,
              "clips": [
                { "duration": 1, "transition": { "name": "\(name)", "duration": 1, "easing": "linear" },
                  "layers": [ { "type": "color", "color": "#ff0000" } ] },
                { "duration": 1, "layers": [ { "type": "color", "color": "#00ff00" } ] } ] }
            """)
            let frames = try OutputInspector.frames(url)
            #expect(frames.count == 20)
            let mid = frames[10].pixels
            let left = mid.averagePixel(x: 20, y: 100, width: 40, height: 40)
            let right = mid.averagePixel(x: 260, y: 100, width: 40, height: 40)
            let (newSide, oldSide) = leftIsNew ? (left, right) : (right, left)
            #expect(newSide.g > 200 && newSide.r < 60, "\(name): new clip side \(newSide)")
            #expect(oldSide.r > 200 && oldSide.g < 60, "\(name): old clip side \(oldSide)")
        }
        let (url, _) = try await render("""
        { "width": 320, "height": 240, "fps": 20,
          "clips": [
            { "duration": 1, "transition": { "name": "circleopen", "duration": 1, "easing": "linear" },
              "layers": [ { "type": "color", "color": "#ff0000" } ] },
            { "duration": 1, "layers": [ { "type": "color", "color": "#00ff00" } ] } ] }
        """)
        let mid = try OutputInspector.frames(url)[10].pixels
        #expect(mid.averagePixel(x: 150, y: 110, width: 20, height: 20).g > 200)
        #expect(mid.averagePixel(x: 0, y: 0, width: 12, height: 12).r > 200)
    }

    @Test func fadeGoesThroughBlack() async throws {
        let (url, _) = try await render("""
        { "width": 160, "height": 120, "fps": 20,
          "clips": [
            { "duration": 1.5, "transition": { "name": "fade", "duration": 1, "easing": "linear" },
              "layers": [ { "type": "color", "color": "#ffffff" } ] },
            { "duration": 1.5, "layers": [ { "type": "color", "color": "#ffffff" } ] } ] }
        """)
        let frames = try OutputInspector.frames(url)
        #expect(frames.count == 40)
        let levels = frames.map { Int($0.pixels.averagePixel(x: 40, y: 30, width: 80, height: 60).g) }
        #expect(levels[5] > 245 && levels[35] > 245, "\(levels)")
        // The fade spans frames 10..<30: darkest in the middle, brightening symmetrically on either side.
        #expect(levels[20] < 20, "the middle of a fade is near black: \(levels)")
        #expect(levels[15] > levels[18] && levels[25] > levels[22], "\(levels)")
    }

    @Test func titleTextIsDrawn() async throws {
        let (url, _) = try await render("""
        { "width": 640, "height": 360, "fps": 10,
          "clips": [ { "duration": 0.5, "layers": [
            { "type": "color", "color": "#000000" },
            { "type": "title", "text": "Xin chào Việt Nam", "fontSize": 48, "color": "#ffffff" } ] } ] }
        """)
        let frame = try OutputInspector.frames(url)[2].pixels
        var bright = 0
        for y in stride(from: 130, to: 230, by: 2) {
            for x in stride(from: 80, to: 560, by: 2) where frame.pixel(x: x, y: y).g > 200 { bright += 1 }
        }
        #expect(bright > 300, "white glyph pixels in the middle band: \(bright)")
        #expect(frame.averagePixel(x: 0, y: 0, width: 60, height: 60).g < 10)
    }

    @Test func videoLayerIsRetimedToTheClip() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), size: PixelSize(width: 320, height: 240),
                                                  fps: 25, seconds: 3)
        // Three seconds of source (red, green, blue seconds) squeezed into a 1.5 s clip: twice the speed.
        let (url, _) = try await render("""
        { "width": 320, "height": 240, "fps": 20,
          "clips": [ { "duration": 1.5, "layers": [
            { "type": "video", "path": "\(source.path)", "cutFrom": 0, "cutTo": 3 } ] } ] }
        """)
        let frames = try OutputInspector.frames(url)
        #expect(frames.count == 30)
        #expect(near(frames[5].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80), 255, 0, 0))
        #expect(near(frames[15].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80), 0, 255, 0))
        #expect(near(frames[25].pixels.averagePixel(x: 100, y: 80, width: 100, height: 80), 0, 0, 255))
    }

    @Test func clipSoundStaysInSyncWithItsPicture() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), size: PixelSize(width: 320, height: 240),
                                                  fps: 25, seconds: 4)
        // The source's tone plays during the first half of each second, when its colour changes.
        let (url, _) = try await render("""
        { "width": 320, "height": 240, "fps": 25,
          "clips": [
            { "duration": 1.6, "layers": [ { "type": "color", "color": "#202020" } ] },
            { "duration": 3, "layers": [ { "type": "video", "path": "\(source.path)", "cutFrom": 1, "cutTo": 4 } ] } ] }
        """)
        let samples = try OutputInspector.audio(url)
        let frames = try OutputInspector.frames(url)
        // Picture: the colour changes from green (source second 1) to blue (second 2) at output 2.6 s.
        let changeFrame = try #require((40..<frames.count).first { frames[$0].pixels.pixel(x: 160, y: 120).b > 128 })
        let pictureChange = Double(changeFrame) / 25
        // Sound: the tone's onset after a silent half second.
        let searchStart = Int(2.3 * 48_000)
        let onset = try #require((searchStart..<(searchStart + 24_000)).first { abs(samples[$0 * 2]) > 0.05 })
        let soundChange = Double(onset) / 48_000
        #expect(abs(pictureChange - 2.6) < 0.001, "picture changes at \(pictureChange) s")
        #expect(abs(soundChange - pictureChange) < 1.0 / 25, "sound at \(soundChange) s, picture at \(pictureChange) s")
        #expect(abs(Double(samples.count / 2) / 48_000 - 4.6) < 0.03)
    }

    @Test func mixIsNormalisedToTheLoudnessTarget() async throws {
        let quiet = try WAVWriter.tone(to: folder.file("quiet.wav"), seconds: 4, frequency: 440, amplitude: 0.05)
        let (url, report) = try await render("""
        { "width": 160, "height": 120, "fps": 25, "loudness": -14,
          "clips": [ { "duration": 4, "layers": [ { "type": "color", "color": "#000000" } ] } ],
          "audio": [ { "path": "\(quiet.path)" } ] }
        """)
        #expect(report.appliedGainDB > 10)
        var meter = LoudnessMeter(sampleRate: 48_000, channelCount: 2)
        let samples = try OutputInspector.audio(url)
        meter.process(samples)
        #expect(abs(meter.integratedLoudness - -14) < 1.0, "integrated \(meter.integratedLoudness) LUFS")
        #expect(meter.truePeak <= -1.0, "true peak \(meter.truePeak) dBTP")
    }

    @Test func musicDucksUnderSpeech() async throws {
        let music = try WAVWriter.tone(to: folder.file("music.wav"), seconds: 6, frequency: 220, amplitude: 0.3)
        // "Speech": a 1 kHz tone from 2 s to 4 s.
        let speech = try WAVWriter.write(to: folder.file("speech.wav"), seconds: 6) { _, t in
            (2..<4).contains(t) ? 0.3 * sin(2 * .pi * 1000 * t) : 0
        }
        let (url, _) = try await render("""
        { "width": 160, "height": 120, "fps": 25,
          "clips": [ { "duration": 6, "layers": [ { "type": "color", "color": "#000000" } ] } ],
          "audio": [ { "path": "\(music.path)", "duck": true }, { "path": "\(speech.path)", "role": "speech" } ] }
        """)
        let samples = try OutputInspector.audio(url)
        let before = OutputInspector.toneAmplitude(samples, frequency: 220, frames: 48_000..<(48_000 + 38_400))
        let during = OutputInspector.toneAmplitude(samples, frequency: 220, frames: 144_000..<(144_000 + 38_400))
        let after = OutputInspector.toneAmplitude(samples, frequency: 220, frames: 240_000..<(240_000 + 38_400))
        let depth = 20 * log10(before / during)
        #expect(depth >= 8, "music dropped \(depth) dB under speech")
        #expect(abs(20 * log10(after / before)) < 1.5, "music recovers after speech")
        let voice = OutputInspector.toneAmplitude(samples, frequency: 1000, frames: 144_000..<(144_000 + 38_400))
        #expect(voice > 0.1, "speech itself is not ducked")
    }

    @Test func awkwardRatesStayFrameExact() async throws {
        let (url, report) = try await render("""
        { "width": 160, "height": 90, "fps": 29.97,
          "defaults": { "transition": { "name": "dissolve", "duration": 0.3 } },
          "clips": [
            { "duration": 0.7, "layers": [ { "type": "color", "color": "red" } ] },
            { "duration": 1.1, "layers": [ { "type": "color", "color": "lime" } ] },
            { "duration": 0.9, "layers": [ { "type": "color", "color": "blue" } ] } ] }
        """)
        // 0.7 + 1.1 + 0.9 - 2 * 0.3 = 2.1 s at 30000/1001 fps = 62.937 frames, rounded to 63.
        #expect(report.frameCount == 63)
        let info = try MediaProbe.probe(url)
        #expect(info.primaryVideo?.frameCount == 63)
        let audioFrames = try OutputInspector.audio(url).count / 2
        let expected = FrameRate(29.97).samples(beforeFrame: 63, sampleRate: 48_000)
        #expect(abs(audioFrames - expected) <= 1024, "audio \(audioFrames) vs video \(expected) samples")
    }

    @Test func previewRendersAtHalfSize() async throws {
        let (url, report) = try await render("""
        { "width": 640, "height": 360, "fps": 10,
          "clips": [ { "duration": 0.5, "layers": [ { "type": "title", "text": "Preview" } ] } ] }
        """, preview: true)
        #expect(report.size == PixelSize(width: 320, height: 180))
        #expect(try MediaProbe.probe(url).primaryVideo?.width == 320)
    }
}

@Suite struct RenderBadInputTests {
    let folder = TemporaryFolder("phim-render-bad")

    func renderError(_ json: String) async throws -> PhimError? {
        let projectURL = folder.file("project.json")
        try Data(json.utf8).write(to: projectURL)
        let output = folder.file("out.mp4")
        do {
            let project = try ProjectLoader.load(from: projectURL)
            _ = try await ProjectRenderer(project: project).render(to: output)
        } catch {
            #expect(!FileManager.default.fileExists(atPath: output.path), "no output after a failure")
            #expect(folder.contents == ["project.json"] || folder.contents.allSatisfy { !$0.contains("out.mp4") })
            return error
        }
        return nil
    }

    @Test func corruptImageNamesItsField() async throws {
        try Data("not a jpeg".utf8).write(to: folder.file("broken.jpg"))
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "color", "color": "#000" }, { "type": "image", "path": "broken.jpg" } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[1].path"))
        #expect(error?.isInvalidInput == true)
    }

    @Test func textFileAsVideoIsRefused() async throws {
        try Data("hello".utf8).write(to: folder.file("clip.mp4"))
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [ { "type": "video", "path": "clip.mp4" } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].path"))
    }

    @Test func cutFromPastTheEndIsRefused() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2)
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "video", "path": "\(source.path)", "cutFrom": 5 } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].cutFrom"))
    }

    @Test func cutToPastTheEndIsRefused() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2)
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "video", "path": "\(source.path)", "cutFrom": 0, "cutTo": 9 } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].cutTo"))
        #expect(error?.message == "cutTo 9 s is past the end of 'bars.mp4' (2 s)")
    }

    @Test func truncatedVideoIsReportedNotFrozen() async throws {
        // Ten seconds of video cut a third of the way into its media data: the container still claims ten seconds.
        let whole = try MediaGenerator.colorBars(to: folder.file("whole.mp4"), seconds: 10, toneFrequency: nil)
        let data = try Data(contentsOf: whole)
        let mediaStart = try #require(data.range(of: Data("mdat".utf8))).lowerBound
        let firstThird = data.prefix(mediaStart + (data.count - mediaStart) / 3)
        try firstThird.write(to: folder.file("cut.mp4"))
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 2, "layers": [
          { "type": "video", "path": "cut.mp4", "cutFrom": 0, "cutTo": 9 } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].path"))
        #expect(error?.message.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test func absurdPictureIsRefused() async throws {
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        png.append(contentsOf: Array("IHDR".utf8))
        for value in [UInt32(100_000), UInt32(100_000)] { withUnsafeBytes(of: value.bigEndian) { png.append(contentsOf: $0) } }
        png.append(contentsOf: [8, 6, 0, 0, 0, 0, 0, 0, 0])
        try png.write(to: folder.file("huge.png"))
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [ { "type": "image", "path": "huge.png" } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].path"))
        #expect(error?.isInvalidInput == true)
    }

    @Test func missingFontIsRefusedBeforeRendering() async throws {
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "title", "text": "x", "font": "Nonexistent Sans 42" } ] } ] }
        """)
        #expect(error?.subject == .field("clips[0].layers[0].font"))
        #expect(error?.message.contains("not installed") == true)
    }
}

@Suite struct RenderLayerTests {
    let folder = TemporaryFolder("phim-render-layers")

    func render(_ json: String) async throws -> URL {
        let projectURL = folder.file("project-\(UUID().uuidString.prefix(8)).json")
        try Data(json.utf8).write(to: projectURL)
        let output = folder.file("out-\(UUID().uuidString.prefix(8)).mp4")
        _ = try await ProjectRenderer(project: try ProjectLoader.load(from: projectURL)).render(to: output)
        return output
    }

    /// A 4x2 picture: left half red, right half blue, written as PNG through the encoder-independent path
    /// (an MP4 frame would do, but a still exercises the image decoder).
    func halfAndHalfPicture() throws -> URL {
        let url = folder.file("halves.mp4")
        var frame = PixelBuffer(size: PixelSize(width: 400, height: 200))
        frame.fill(Color(red: 0, green: 0, blue: 1))
        frame.draw { $0.fill(rect: Rect(x: 0, y: 0, width: 200, height: 200), with: .color(Color(red: 1, green: 0, blue: 0))) }
        let export = VideoExport(video: VideoEncoderSettings(size: PixelSize(width: 400, height: 200), frameRate: FrameRate(1), crf: 0),
                                 provenance: Provenance(sourceType: .digitalCreation))
        _ = try export.write(GeneratedFrames(count: 1) { _ in frame }, to: url)
        return url
    }

    @Test func containLetterboxesAndCoverCrops() async throws {
        let picture = try halfAndHalfPicture()
        // A 2:1 picture in a 1:1 frame: contain leaves bars above and below; cover shows only the middle.
        let contain = try OutputInspector.frames(try await render("""
        { "width": 200, "height": 200, "fps": 5, "background": "#00ff00",
          "clips": [ { "duration": 0.4, "layers": [ { "type": "video", "path": "\(picture.path)", "fit": "contain" } ] } ] }
        """))[0].pixels
        #expect(contain.averagePixel(x: 80, y: 5, width: 40, height: 20).g > 200, "green bar at the top")
        #expect(contain.averagePixel(x: 10, y: 90, width: 40, height: 20).r > 200)
        #expect(contain.averagePixel(x: 150, y: 90, width: 40, height: 20).b > 200)
        let cover = try OutputInspector.frames(try await render("""
        { "width": 200, "height": 200, "fps": 5, "background": "#00ff00",
          "clips": [ { "duration": 0.4, "layers": [ { "type": "video", "path": "\(picture.path)", "fit": "cover" } ] } ] }
        """))[0].pixels
        #expect(cover.averagePixel(x: 80, y: 5, width: 15, height: 20).r > 200, "no bars with cover")
        #expect(cover.averagePixel(x: 105, y: 5, width: 15, height: 20).b > 200)
    }

    @Test(.enabled(if: SampleMedia.isAvailable("messi5.jpg"), "needs opencv-doc's messi5.jpg (make media)"))
    func kenBurnsZoomMovesThePicture() async throws {
        let image = try SampleMedia.url("messi5.jpg")
        let frames = try OutputInspector.frames(try await render("""
        { "width": 320, "height": 180, "fps": 10,
          "clips": [ { "duration": 2, "layers": [ { "type": "image", "path": "\(image.path)", "zoom": { "from": 1, "to": 1.5 } } ] } ] }
        """))
        #expect(frames.count == 20)
        // Consecutive frames differ a little (smooth motion); first and last differ a lot (the zoom happened).
        func difference(_ a: PixelBuffer, _ b: PixelBuffer) -> Double {
            var total = 0
            for y in stride(from: 0, to: 180, by: 4) { for x in stride(from: 0, to: 320, by: 4) { total += a.pixel(x: x, y: y).distance(to: b.pixel(x: x, y: y)) } }
            return Double(total) / Double(45 * 80)
        }
        let step = difference(frames[9].pixels, frames[10].pixels)
        let whole = difference(frames[0].pixels, frames[19].pixels)
        #expect(step > 0.5 && step < whole / 4, "step \(step), whole \(whole)")
    }

    @Test func subtitleFileIsBurnedInAtItsTimes() async throws {
        let srt = folder.file("subs.srt")
        try Data("1\n00:00:01,000 --> 00:00:02,000\nĐây là phụ đề\n".utf8).write(to: srt)
        let frames = try OutputInspector.frames(try await render("""
        { "width": 320, "height": 180, "fps": 10,
          "clips": [ { "duration": 3, "layers": [ { "type": "color", "color": "#000000" } ] } ],
          "subtitles": { "path": "subs.srt", "color": "#ffff00", "fontSize": 28 } }
        """))
        func yellow(_ frame: PixelBuffer) -> Int {
            var count = 0
            for y in 120..<180 { for x in 0..<320 { let p = frame.pixel(x: x, y: y); if p.r > 180 && p.g > 180 && p.b < 90 { count += 1 } } }
            return count
        }
        #expect(yellow(frames[5].pixels) == 0)
        #expect(yellow(frames[15].pixels) > 100)
        #expect(yellow(frames[25].pixels) == 0)
    }

    @Test func loopedTrackFillsTheVideoAndFadesOut() async throws {
        let beep = try WAVWriter.tone(to: folder.file("beep.wav"), seconds: 0.5, frequency: 880, amplitude: 0.4)
        let url = try await render("""
        { "width": 160, "height": 90, "fps": 10,
          "clips": [ { "duration": 3, "layers": [ { "type": "color", "color": "#000000" } ] } ],
          "audio": [ { "path": "\(beep.path)", "loop": true, "fadeOut": 1 } ] }
        """)
        let samples = try OutputInspector.audio(url)
        let early = OutputInspector.toneAmplitude(samples, frequency: 880, frames: 24_000..<33_600)
        let looped = OutputInspector.toneAmplitude(samples, frequency: 880, frames: 72_000..<81_600)
        let fading = OutputInspector.toneAmplitude(samples, frequency: 880, frames: 127_200..<136_800)
        #expect(abs(looped - early) < 0.05 * early, "the loop repeats at the same level: \(early) vs \(looped)")
        #expect(fading < early * 0.3, "the fade-out lowers the end: \(fading) vs \(early)")
    }
}

@Suite struct LongSyncTests {
    let folder = TemporaryFolder("phim-render-sync")

    /// Over 20 s at 29.97 fps, every colour change of the picture and every tone onset of the sound stay within
    /// one frame of each other.
    @Test func soundAndPictureStayTogetherOverTheWholeFile() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), size: PixelSize(width: 160, height: 120),
                                                  fps: 25, seconds: 20)
        let projectURL = folder.file("p.json")
        try Data("""
        { "width": 160, "height": 120, "fps": 29.97,
          "clips": [ { "duration": 20, "layers": [ { "type": "video", "path": "\(source.path)" } ] } ] }
        """.utf8).write(to: projectURL)
        let output = folder.file("out.mp4")
        _ = try await ProjectRenderer(project: try ProjectLoader.load(from: projectURL)).render(to: output)
        let frames = try OutputInspector.frames(output)
        let samples = try OutputInspector.audio(output)
        let frameDuration = 1001.0 / 30000
        for second in 1..<20 {
            let expected = MediaGenerator.barColor(second)
            // First output frame showing the new colour.
            let change = try #require(frames.firstIndex { frame in
                frame.time > Double(second) - 0.5 && abs(Double(frame.pixels.pixel(x: 80, y: 60).r) - expected.red * 255) < 60
                    && abs(Double(frame.pixels.pixel(x: 80, y: 60).g) - expected.green * 255) < 60
                    && abs(Double(frame.pixels.pixel(x: 80, y: 60).b) - expected.blue * 255) < 60
            })
            let pictureTime = frames[change].time
            let start = Int((Double(second) - 0.3) * 48_000)
            let onset = try #require((start..<(start + 24_000)).first { abs(samples[$0 * 2]) > 0.05 })
            let soundTime = Double(onset) / 48_000
            #expect(abs(pictureTime - soundTime) <= frameDuration + 1e-3, "second \(second): picture \(pictureTime), sound \(soundTime)")
        }
        #expect(abs(Double(samples.count / 2) / 48_000 - Double(frames.count) * frameDuration) < frameDuration)
    }
}

/// A render awaited by a task stops within a few frames of the task's cancellation, and leaves nothing behind.
@Suite struct RenderCancellationTests {
    let folder = TemporaryFolder("phim-render-cancel")

    /// The last frame count the render reported. `@unchecked Sendable`: guarded by `lock`.
    final class Encoded: @unchecked Sendable {
        let lock = NSLock()
        private var frames = 0
        var count: Int { lock.lock(); defer { lock.unlock() }; return frames }
        func report(_ update: ProgressUpdate) { lock.lock(); frames = max(frames, update.completed); lock.unlock() }
    }

    @Test func cancellingTheTaskStopsTheRender() async throws {
        let projectURL = folder.file("long.json")
        try Data("""
        { "width": 640, "height": 360, "fps": 30,
          "clips": [ { "duration": 120, "layers": [ { "type": "gradient", "colors": ["#000000", "#ffffff"], "shape": "radial" } ] } ] }
        """.utf8).write(to: projectURL)
        let encoded = Encoded()
        let renderer = try ProjectRenderer(project: try ProjectLoader.load(from: projectURL),
                                           options: RenderOptions(progress: { encoded.report($0) }))
        let output = folder.file("long.mp4")
        let task = Task { () async throws -> RenderReport in try await renderer.render(to: output) }
        // Cancel once the render is under way (counted in frames, not seconds, so a loaded machine changes nothing).
        var polls = 0
        while encoded.count < 10 && polls < 30_000 {
            try await Task.sleep(nanoseconds: 20_000_000)
            polls += 1
        }
        try #require(encoded.count >= 10, "the render never got going")
        let atCancel = encoded.count
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("the render finished despite the cancellation")
            return
        }
        #expect((error as? PhimError)?.code == .cancelled, "\(error)")
        // Progress comes every 5 frames: at most the report in flight and one more.
        #expect(encoded.count - atCancel <= 10, "\(encoded.count - atCancel) frames encoded after the cancellation")
        #expect(folder.contents == ["long.json"], "left: \(folder.contents)")
    }
}
