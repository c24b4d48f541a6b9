import Foundation
import PhimCore
import PhimMedia
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
        #expect(error?.subject == "clips[0].layers[1].path")
        #expect(error?.isInvalidInput == true)
    }

    @Test func textFileAsVideoIsRefused() async throws {
        try Data("hello".utf8).write(to: folder.file("clip.mp4"))
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [ { "type": "video", "path": "clip.mp4" } ] } ] }
        """)
        #expect(error?.subject == "clips[0].layers[0].path")
    }

    @Test func cutFromPastTheEndIsRefused() async throws {
        let source = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2)
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "video", "path": "\(source.path)", "cutFrom": 5 } ] } ] }
        """)
        #expect(error?.subject == "clips[0].layers[0].cutFrom")
    }

    @Test func missingFontIsRefusedBeforeRendering() async throws {
        let error = try await renderError("""
        { "width": 160, "height": 120, "clips": [ { "duration": 1, "layers": [
          { "type": "title", "text": "x", "font": "Nonexistent Sans 42" } ] } ] }
        """)
        #expect(error?.subject == "clips[0].layers[0].font")
        #expect(error?.message.contains("not installed") == true)
    }
}
