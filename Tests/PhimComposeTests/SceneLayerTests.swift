import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing
@testable import PhimCompose

/// The scene layers `phim make` builds on (backdrop, presenter, keywords, bullets, chart), rendered and decoded.
@Suite struct SceneLayerTests {
    let folder = TemporaryFolder("phim-scenes")

    func render(_ json: String) async throws -> [VideoFrame] {
        let projectURL = folder.file("project-\(UUID().uuidString.prefix(8)).json")
        try Data(json.utf8).write(to: projectURL)
        let project = try ProjectLoader.load(from: projectURL)
        let output = folder.file("out-\(UUID().uuidString.prefix(8)).mp4")
        _ = try await ProjectRenderer(project: project).render(to: output)
        return try OutputInspector.frames(output)
    }

    /// Mean absolute difference of two frames' luma-ish values over a region.
    func difference(_ a: VideoFrame, _ b: VideoFrame, x: Int, y: Int, width: Int, height: Int) -> Double {
        var total = 0.0
        for row in stride(from: y, to: y + height, by: 2) {
            for column in stride(from: x, to: x + width, by: 2) {
                let p = a.pixels.averagePixel(x: column, y: row, width: 2, height: 2)
                let q = b.pixels.averagePixel(x: column, y: row, width: 2, height: 2)
                total += Double(abs(Int(p.r) - Int(q.r)) + abs(Int(p.g) - Int(q.g)) + abs(Int(p.b) - Int(q.b)))
            }
        }
        return total / Double((width / 2) * (height / 2))
    }

    @Test func backdropDriftsOnlyWithMotionAndCoversTheFrame() async throws {
        for motion in [0.0, 2.0] {
            let frames = try await render("""
            { "width": 320, "height": 240, "fps": 10, "background": "#ff00ff",
              "clips": [ { "duration": 2, "layers": [
                { "type": "backdrop", "colors": ["#102040", "#203080"], "motif": "bubbles", "seed": 4, "motion": \(motion) } ] } ] }
            """)
            #expect(frames.count == 20)
            let change = difference(frames[0], frames[19], x: 0, y: 0, width: 320, height: 240)
            if motion == 0 { #expect(change < 2, "still backdrop changed by \(change)") } else { #expect(change > 3, "drifting backdrop changed only \(change)") }
            // The magenta background never shows through.
            let corner = frames[10].pixels.averagePixel(x: 0, y: 0, width: 320, height: 240)
            #expect(!(corner.r > 150 && corner.b > 150 && corner.g < 80))
        }
    }

    @Test func presenterMouthOpensWithTheNarration() async throws {
        // Silence for a second, then a loud buzz for a second.
        let voice = try WAVWriter.write(to: folder.file("voice.wav"), seconds: 2) { _, t in
            t < 1 ? 0 : 0.5 * sin(2 * .pi * 180 * t) * (0.6 + 0.4 * sin(2 * .pi * 4 * t))
        }
        let frames = try await render("""
        { "width": 400, "height": 400, "fps": 10, "background": "#406080",
          "clips": [ { "duration": 2, "layers": [
            { "type": "presenter", "seed": 1, "area": { "x": 0, "y": 0, "width": 1, "height": 1 } } ] } ],
          "audio": [ { "path": "\(voice.path)", "role": "speech" } ] }
        """)
        // The figure is 400 px tall and 280 wide, centred; its mouth is near (200, 182). Count dark-red pixels.
        func mouthPixels(_ frame: VideoFrame) -> Int {
            var count = 0
            for y in 165..<215 { for x in 170..<230 {
                let p = frame.pixels.averagePixel(x: x, y: y, width: 1, height: 1)
                if p.r > 60, p.r < 150, p.g < 60, p.b < 80 { count += 1 }
            } }
            return count
        }
        let quiet = (2...8).map { mouthPixels(frames[$0]) }.max() ?? 0
        let loud = (12...18).map { mouthPixels(frames[$0]) }.max() ?? 0
        #expect(quiet < 20, "mouth open in silence: \(quiet) px")
        #expect(loud > 80, "mouth closed while speaking: \(loud) px")
    }

    @Test func keywordCardsAndBulletsAppearInTurn() async throws {
        let frames = try await render("""
        { "width": 480, "height": 270, "fps": 10, "background": "#000000",
          "clips": [ { "duration": 2, "layers": [
            { "type": "keywords", "words": ["Mặt trời", "Gió"], "stagger": 1, "cardColor": "#ffffff", "color": "#000000",
              "area": { "x": 0, "y": 0, "width": 1, "height": 0.4 } },
            { "type": "bullets", "items": ["Một", "Hai"], "stagger": 1, "area": { "x": 0.1, "y": 0.5, "width": 0.8, "height": 0.5 } } ] } ] }
        """)
        func brightness(_ frame: VideoFrame, y: Int, height: Int, width: Int = 480) -> Double {
            let p = frame.pixels.averagePixel(x: 0, y: y, width: width, height: height)
            return Double(Int(p.r) + Int(p.g) + Int(p.b)) / 3
        }
        // Nothing before the first entrance; the first card after it; both cards later.
        #expect(brightness(frames[0], y: 0, height: 108) < 3)
        let one = brightness(frames[6], y: 0, height: 108), two = brightness(frames[16], y: 0, height: 108)
        #expect(one > 5 && two > one * 1.4, "cards \(one) then \(two)")
        let bulletsOne = brightness(frames[6], y: 170, height: 60, width: 120)
        let bulletsTwo = brightness(frames[16], y: 170, height: 60, width: 120)
        #expect(bulletsOne > 2 && bulletsTwo > bulletsOne * 1.4, "first \(one) \(two) bullets \(bulletsOne) then \(bulletsTwo)")
    }

    @Test func chartBarsGrowToTheirValues() async throws {
        let frames = try await render("""
        { "width": 400, "height": 300, "fps": 10, "background": "#000000",
          "clips": [ { "duration": 2, "layers": [
            { "type": "chart", "values": [25, 100], "unit": "%", "labels": ["A", "B"], "barColors": ["#ff0000"], "grow": 0.5,
              "area": { "x": 0, "y": 0, "width": 1, "height": 1 } } ] } ] }
        """)
        // Height of the red column through each bar's centre (x = 100 and 300).
        func barHeight(_ frame: VideoFrame, x: Int) -> Int {
            (0..<300).filter { y in
                let p = frame.pixels.averagePixel(x: x, y: y, width: 1, height: 1)
                return p.r > 180 && p.g < 80 && p.b < 80
            }.count
        }
        let last = frames[19]
        let small = barHeight(last, x: 100), big = barHeight(last, x: 300)
        #expect(big > 120, "the full bar is \(big) px")
        #expect(abs(Double(small) / Double(big) - 0.25) < 0.05, "bars \(small) and \(big) px for 25 and 100")
        #expect(barHeight(frames[1], x: 300) < big / 2, "bars should still be growing at 0.1 s")
    }

    @Test func sceneLayerFieldsAreChecked() throws {
        let fixture = try ProjectFixture()
        func message(_ layer: String) -> String? {
            do {
                _ = try fixture.load(json: #"{ "width": 320, "height": 240, "clips": [ { "duration": 1, "layers": [ \#(layer) ] } ] }"#)
                return nil
            } catch { return "\(error)" }
        }
        #expect(message(##"{ "type": "chart", "values": [1, 2], "labels": ["a"] }"##)
            == "clips[0].layers[0].labels: has 1 labels for 2 values")
        #expect(message(##"{ "type": "presenter", "area": { "x": 0.5, "y": 0, "width": 0.6, "height": 1 } }"##)
            == "clips[0].layers[0].area: reaches outside the frame (x + width and y + height must be at most 1)")
        #expect(message(##"{ "type": "backdrop", "colors": ["#000000"] }"##) == "clips[0].layers[0].colors: needs two to four colours, got 1")
        #expect(message(##"{ "type": "keywords", "words": [] }"##) == "clips[0].layers[0].words: needs one to 8 entries, got 0")
        #expect(message(##"{ "type": "backdrop", "colors": ["#000000", "#ffffff"], "motif": "stars" }"##)?
            .hasPrefix("clips[0].layers[0].motif: unknown backdrop motif 'stars'") == true)
        #expect(message(##"{ "type": "bullets", "items": ["a"], "words": ["b"] }"##)?
            .hasPrefix("clips[0].layers[0].words: not a field of bullets layers") == true)
    }
}
