import Foundation
import PhimCompose
import PhimCore
import PhimMedia
import PhimSpeech
import PhimSubtitles
import PhimTesting
import Testing
@testable import PhimMake
import PhimScript

/// `phim make` end to end: decoded outputs checked for exact duration, subtitle timing against the audio,
/// Vietnamese text from input to subtitles to pixels, ducking and loudness, and the storyboard round trip.
@Suite(.serialized) struct MakeTests {
    let folder = TemporaryFolder("phim-make")

    static let english = """
    # Why bees matter

    Bees pollinate about 75% of the crops we eat. Without them, farms would produce far less fruit and fewer vegetables.

    ## A quiet decline

    In some regions, bee colonies fell by 30% in a single winter. Pesticides, disease and the loss of wild flowers all play a part.

    ## What we can do

    Small gardens matter more than most people think. A balcony of herbs can feed hundreds of bees every day.
    """

    static let vietnamese = """
    # Tiếng Việt trong video

    Tiếng Việt có sáu thanh điệu và nhiều dấu phụ. Phụ đề phải giữ đúng từng dấu như ữ, ặ, ộ và ờ.

    ## Vì sao điều này quan trọng

    Người xem đọc phụ đề rất nhanh. Một dấu sai có thể làm đổi nghĩa cả câu.
    """

    func make(_ text: String, duration: Double?, aspect: Aspect = .square, music: MusicChoice = .none, storyboard: Bool = false,
              language: ScriptLanguage? = nil, karaoke: Bool = false) async throws -> (MakeReport, MakeOptions) {
        let name = UUID().uuidString.prefix(8)
        let input = folder.file("article-\(name).md")
        try Data(text.utf8).write(to: input)
        let options = MakeOptions(input: input, output: folder.file("video-\(name).mp4"), duration: duration, aspect: aspect,
                                  language: language, music: music,
                                  storyboard: storyboard ? folder.file("story-\(name).json") : nil, karaoke: karaoke, preview: true)
        return (try await VideoMaker(options: options).make(), options)
    }

    @Test(arguments: [9.5, 14.0])
    func videoLastsExactlyTheDurationAskedFor(seconds: Double) async throws {
        let (report, options) = try await make(Self.english, duration: seconds)
        let info = try MediaProbe.probe(options.output)
        let expected = Int((seconds * 30).rounded())
        #expect(report.frameCount == expected)
        #expect(info.primaryVideo?.frameCount == expected)
        #expect(abs((info.primaryVideo?.duration ?? 0) - seconds) < 0.001)
        #expect(abs((info.primaryAudio?.duration ?? 0) - seconds) < 0.05)
        #expect(abs(report.rateFactor - 1) <= 0.1 + 1e-9)
        // Subtitles beside the video, covering only what is spoken, inside the video.
        let cues = try SubtitleFile.load(options.output.deletingPathExtension().appendingPathExtension("srt"))
        #expect(!cues.isEmpty)
        #expect(cues.last!.end <= seconds + 0.001)
    }

    @Test func subtitleCuesStartWhenTheirFirstWordIsHeard() async throws {
        let (_, options) = try await make(Self.english, duration: nil)
        let cues = try SubtitleFile.load(options.output.deletingPathExtension().appendingPathExtension("srt"))
        let audio = try OutputInspector.audio(options.output)
        let rate = 48_000.0
        func level(_ from: Double, _ to: Double) -> Double {
            let a = max(0, Int(from * rate)), b = min(audio.count / 2, Int(to * rate))
            guard b > a else { return -120 }
            return OutputInspector.rmsDecibels(audio, frames: a..<b)
        }
        var checked = 0
        for cue in cues {
            // Cues after a silence: the first 5 ms window louder than −45 dBFS is the spoken onset.
            guard level(cue.start - 0.3, cue.start - 0.12) < -55 else { continue }
            var onset: Double?
            var t = cue.start - 0.25
            while t < cue.start + 0.4 {
                if level(t, t + 0.005) > -45 { onset = t; break }
                t += 0.005
            }
            let heard = try #require(onset, "no sound near the cue at \(cue.start) s: \(cue.text)")
            #expect(abs(heard - cue.start) <= 0.1, "cue '\(cue.text)' starts at \(cue.start) s, speech at \(heard) s")
            checked += 1
        }
        #expect(checked >= 3, "only \(checked) cues follow a silence")
    }

    @Test func vietnameseDiacriticsSurviveFromTextToSubtitlesToPixels() async throws {
        let (report, options) = try await make(Self.vietnamese, duration: nil, storyboard: true, language: nil)
        #expect(report.language == .vietnamese)
        let srt = try String(contentsOf: options.output.deletingPathExtension().appendingPathExtension("srt"), encoding: .utf8)
        for word in ["Tiếng", "điệu", "ữ,", "ặ,", "ộ", "ờ.", "Người", "nghĩa"] {
            #expect(srt.contains(word.nfc), "the SRT lost '\(word)'")
        }
        #expect(srt == srt.nfc)
        // Render the storyboard again with the diacritics stripped from the subtitles: the subtitle band differs.
        let storyboard = try #require(options.storyboard)
        let vtt = storyboard.deletingPathExtension().appendingPathExtension("assets").appendingPathComponent("subtitles.vtt")
        let original = try String(contentsOf: vtt, encoding: .utf8)
        let cues = try SubtitleFile.parse(original, name: "subtitles.vtt")
        let cue = try #require(cues.first { $0.text.contains("ữ") || $0.text.contains("Tiếng") })
        let stripped = original.folding(options: .diacriticInsensitive, locale: nil).replacingOccurrences(of: "đ", with: "d")
        try stripped.write(to: vtt, atomically: true, encoding: .utf8)
        let plain = folder.file("stripped.mp4")
        _ = try await ProjectRenderer(project: try ProjectLoader.load(from: storyboard), options: RenderOptions(preview: true)).render(to: plain)
        let time = (cue.start + cue.end) / 2
        let a = try frame(options.output, at: time), b = try frame(plain, at: time)
        // The subtitle band (around y = 0.88 of 540 px) holds the cue; count pixels that differ clearly.
        var differing = 0
        for y in 420..<520 { for x in 0..<540 {
            let p = a.pixel(x: x, y: y), q = b.pixel(x: x, y: y)
            if abs(Int(p.r) - Int(q.r)) + abs(Int(p.g) - Int(q.g)) + abs(Int(p.b) - Int(q.b)) > 90 { differing += 1 }
        } }
        #expect(differing > 40, "diacritics changed only \(differing) pixels of the subtitle band")
    }

    func frame(_ url: URL, at time: Double) throws -> PixelBuffer {
        let decoder = try VideoDecoder(url: url)
        var last: PixelBuffer?
        while let frame = try decoder.nextFrame() {
            last = frame.pixels
            if frame.time >= time { break }
        }
        return try #require(last)
    }

    @Test func musicDucksUnderTheNarrationAndTheMixIsAtMinus14LUFS() async throws {
        // A 50 Hz hum as the "music": speech has almost no energy there, so its level shows the ducking.
        let hum = try WAVWriter.tone(to: folder.file("hum.wav"), seconds: 8, frequency: 50, amplitude: 0.3)
        let (_, options) = try await make(Self.english, duration: 40, music: .file(hum))
        let audio = try OutputInspector.audio(options.output)
        var meter = LoudnessMeter(sampleRate: 48_000, channelCount: 2)
        meter.process(audio)
        #expect(abs(meter.integratedLoudness - -14) <= 1, "integrated \(meter.integratedLoudness) LUFS")
        #expect(meter.truePeak <= -1, "true peak \(meter.truePeak) dBTP")

        let cues = try SubtitleFile.load(options.output.deletingPathExtension().appendingPathExtension("srt"))
        func humLevel(_ from: Double, _ to: Double) -> Double {
            20 * log10(max(1e-9, OutputInspector.toneAmplitude(audio, frequency: 50, frames: Int(from * 48_000)..<Int(to * 48_000))))
        }
        // Under speech: the middle of each cue. In the clear: pauses between cues, after the ducker's hold and release.
        var under: [Double] = [], clear: [Double] = []
        for cue in cues where cue.end - cue.start > 1 { under.append(humLevel(cue.start + 0.3, cue.end - 0.3)) }
        for (a, b) in zip(cues, cues.dropFirst()) where b.start - a.end > 1.0 {
            clear.append(humLevel(a.end + 0.65, b.start - 0.1))
        }
        #expect(under.count >= 3 && !clear.isEmpty, "\(under.count) speech and \(clear.count) clear windows")
        let depth = (clear.reduce(0, +) / Double(clear.count)) - (under.reduce(0, +) / Double(under.count))
        #expect(depth >= 8, "music ducks only \(depth) dB under the narration")
    }

    @Test func picturesAreMatchedToScenesByTheirFileNames() async throws {
        let pictures = folder.file("pictures")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        // A red picture named after the pesticide paragraph, a green one that matches nothing.
        for (name, color) in [("Pesticides_and-Disease.png", "red"), ("holiday-snaps.png", "green")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=\(color):s=320x240",
                                 "-frames:v", "1", pictures.appendingPathComponent(name).path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let input = folder.file("bees-images.md")
        try Data(Self.english.utf8).write(to: input)
        var options = MakeOptions(input: input, output: folder.file("with-images.mp4"), duration: nil, aspect: .landscape,
                                  music: MusicChoice.none, images: pictures, storyboard: folder.file("with-images.json"), preview: true)
        options.seed = 5
        _ = try await VideoMaker(options: options).make()
        let project = try ProjectLoader.load(from: folder.file("with-images.json"))
        var shown: [(clip: Int, path: String)] = []
        for (index, clip) in project.clips.enumerated() {
            for layer in clip.layers { if case .image(let image) = layer.content { shown.append((index, image.path.lastPathComponent)) } }
        }
        #expect(shown.map(\.path) == ["Pesticides_and-Disease.png"], "\(shown)")
        // That clip is the one whose narration mentions pesticides, and its picture fills the frame in the video.
        let clip = try #require(shown.first?.clip)
        let srt = try SubtitleFile.load(folder.file("with-images.srt"))
        let timeline = try TimelineResolver.resolve(project)
        let resolved = timeline.clips[clip]
        let middle = Double(resolved.startFrame + resolved.frameCount / 2) / 30
        #expect(srt.contains { $0.text.lowercased().contains("pesticides") && abs($0.start - middle) < Double(resolved.frameCount) / 30 })
        let frame = try self.frame(options.output, at: middle)
        let corner = frame.averagePixel(x: 0, y: frame.height / 3, width: 40, height: 40)
        #expect(corner.r > 80 && corner.g < 40 && corner.b < 40, "\(corner)")
    }

    /// The storyboard and its assets folder hold the whole video: moved to another folder, away from everything
    /// `phim make` wrote or read, they render to the very same frames and sound.
    @Test func storyboardRendersToTheSameVideo() async throws {
        let (_, options) = try await make(Self.english, duration: 10, aspect: .portrait, music: .generated, storyboard: true, karaoke: true)
        let written = try #require(options.storyboard)
        let text = try String(contentsOf: written, encoding: .utf8)
        #expect(text.contains("\"type\" : \"presenter\"") && text.contains("\"highlight\""))
        let elsewhere = TemporaryFolder("phim-moved-storyboard")
        let storyboard = elsewhere.file(written.lastPathComponent)
        let assets = written.deletingPathExtension().appendingPathExtension("assets")
        try FileManager.default.moveItem(at: written, to: storyboard)
        try FileManager.default.moveItem(at: assets, to: elsewhere.file(assets.lastPathComponent))
        let project = try ProjectLoader.load(from: storyboard)
        #expect(project.clips.contains { $0.narration?.contains("Bees pollinate") == true })
        // The storyboard is what the project writer writes: read and written again, it is the same file.
        #expect(try ProjectWriter(relativeTo: elsewhere.url).data(project) == Data(contentsOf: storyboard))
        if ProjectSchemaValidator.isAvailable {
            #expect(ProjectSchemaValidator.verdicts(for: [storyboard]) == ["valid"])
        }
        let again = elsewhere.file("again.mp4")
        _ = try await ProjectRenderer(project: project, options: RenderOptions(preview: true)).render(to: again)
        let first = try VideoDecoder(url: options.output), second = try VideoDecoder(url: again)
        var frames = 0
        // The same frames, but for the watermark: each export carries its own payload, a few luma steps here and
        // there, which the encoder then treats a little differently.
        while let a = try first.nextFrame() {
            let b = try #require(try second.nextFrame())
            #expect(a.pixels.pixel(x: 100, y: 100).distance(to: b.pixels.pixel(x: 100, y: 100)) <= 16)
            #expect(a.pixels.averagePixel(x: 0, y: 0, width: a.pixels.width, height: a.pixels.height)
                .distance(to: b.pixels.averagePixel(x: 0, y: 0, width: b.pixels.width, height: b.pixels.height)) <= 3)
            frames += 1
        }
        #expect(try second.nextFrame() == nil)
        #expect(frames == 300)
        let firstAudio = try OutputInspector.audio(options.output), secondAudio = try OutputInspector.audio(again)
        #expect(firstAudio == secondAudio)
    }
}
