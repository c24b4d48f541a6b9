import Foundation
import PhimCompose
import PhimCore
import PhimMedia
import PhimScript
import PhimSpeech
import PhimSubtitles

/// Where a storyboard and its sound and subtitle files go: beside the `--storyboard` file in `NAME.assets/`,
/// or in a temporary folder removed after the render.
///
/// A run that fails leaves things as they were: an existing `NAME.assets/` is moved aside while the new one is
/// written and put back on failure, and the storyboard file itself is only replaced once everything succeeded.
///
/// `@unchecked Sendable`: created and finished on one task; the worker that fills the folder only reads its paths.
final class StoryboardAssets: @unchecked Sendable {
    /// The project file.
    let project: URL
    /// The folder of narration, music and subtitle files.
    let folder: URL
    let isTemporary: Bool
    /// Subtitle files next to the MP4.
    let srt: URL
    let vtt: URL
    /// Where an existing assets folder waits while this run writes a new one.
    private var backup: URL?
    /// Undoes this run's changes if the command is stopped by a signal.
    private var registration: TemporaryFiles.Token?

    init(storyboard: URL?, output: URL) throws(PhimError) {
        let base = output.deletingPathExtension()
        srt = base.appendingPathExtension("srt")
        vtt = base.appendingPathExtension("vtt")
        if let storyboard {
            project = storyboard
            let name = storyboard.deletingPathExtension().lastPathComponent + ".assets"
            folder = storyboard.deletingLastPathComponent().appendingPathComponent(name, isDirectory: true)
            isTemporary = false
        } else {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("phim-make-\(UUID().uuidString)", isDirectory: true)
            project = temporary.appendingPathComponent("storyboard.json")
            folder = temporary.appendingPathComponent("assets", isDirectory: true)
            isTemporary = true
        }
        var info = stat()
        if !isTemporary, lstat(folder.path, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
            throw PhimError(.invalidInput, "\(folder.lastPathComponent.quoted()) is \(InputFile.kindName(info.st_mode)), not a folder; "
                            + "the storyboard's files go there", subject: .option("storyboard"))
        }
        if !isTemporary, FileManager.default.fileExists(atPath: folder.path) {
            let aside = folder.deletingLastPathComponent()
                .appendingPathComponent(".\(folder.lastPathComponent).\(UUID().uuidString.prefix(8)).previous", isDirectory: true)
            do { try FileManager.default.moveItem(at: folder, to: aside) } catch {
                throw PhimError(.writeFailed, "cannot move the previous \(folder.lastPathComponent.quoted()) aside", subject: .option("storyboard"))
            }
            backup = aside
        }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            restore()
            throw PhimError(.writeFailed, "cannot create the folder \(folder.displayPath.quoted())", subject: .option("storyboard"))
        }
        let folder = self.folder, isTemporary = self.isTemporary, backup = self.backup
        registration = TemporaryFiles.shared.add {
            try? FileManager.default.removeItem(at: isTemporary ? folder.deletingLastPathComponent() : folder)
            if let backup { try? FileManager.default.moveItem(at: backup, to: folder) }
        }
    }

    func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// After a failure: removes what this run wrote and puts back what was there.
    func removeAll() {
        if let registration { TemporaryFiles.shared.remove(registration) }
        registration = nil
        if isTemporary {
            try? FileManager.default.removeItem(at: folder.deletingLastPathComponent())
        } else {
            try? FileManager.default.removeItem(at: folder)
            restore()
        }
    }

    /// After success: the temporary folder, or the previous assets folder, goes.
    func finish() {
        if let registration { TemporaryFiles.shared.remove(registration) }
        registration = nil
        if isTemporary { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        if let backup { try? FileManager.default.removeItem(at: backup) }
        backup = nil
    }

    private func restore() {
        if let backup { try? FileManager.default.moveItem(at: backup, to: folder) }
        backup = nil
    }
}

/// Writes the storyboard: the narration WAV, the music bed, the subtitles, and the project file that ties them
/// to one clip per scene.
struct StoryboardWriter {
    let assets: StoryboardAssets
    let timeline: StoryTimeline
    let designer: SceneDesigner
    let options: MakeOptions
    let title: String
    let language: ScriptLanguage
    let images: [Int: ImageLibrary.Item]

    struct Written: Sendable {
        /// The project file's contents; the caller writes it once the render has succeeded.
        var project: Data
        /// Subtitle files to write beside the MP4 once it is rendered.
        var subtitleFiles: [(url: URL, text: String)]
    }

    func write() throws(PhimError) -> Written {
        let layout = designer.layout
        let fps = Double(timeline.frameRate)

        // Narration.
        let narration = timeline.narrationSamples()
        try WAVFile.write(narration.samples, sampleRate: narration.sampleRate, channelCount: 1, to: assets.file("narration.wav"))
        var audio = [AudioTrackSpec(path: assets.file("narration.wav"), role: .speech)]

        // Music, at most a minute of it, looped seamlessly for longer videos.
        var music: URL?
        switch options.music {
        case .none:
            break
        case .generated:
            let mood: MusicMood = switch options.style {
            case .explainer: .calm
            case .ad: .upbeat
            case .tutorial: .steady
            case .story: .warm
            }
            let samples = MusicBedSynthesizer(mood: mood, seed: options.seed).loop(covering: timeline.duration)
            try WAVFile.write(samples, sampleRate: AudioBuffer.standardSampleRate, channelCount: 2, to: assets.file("music.wav"))
            music = assets.file("music.wav")
        case .file(let url):
            music = url
        }
        if let music {
            audio.append(AudioTrackSpec(path: music, volume: 0.6, fadeIn: 1.5, fadeOut: 2.5, loop: true, duck: true))
        }

        // Subtitles from the word timings, cue by cue within each scene.
        let cueLayout = CueLayout(maxCharactersPerLine: layout.cueLayout.characters, maxLines: layout.cueLayout.lines)
        var cues: [SubtitleCue] = []
        // Vietnamese writes words syllable by syllable: keep listed two-syllable words in one cue.
        var keepsTogether: ((String, String) -> Bool)?
        if language == .vietnamese { keepsTogether = { VietnameseLexicon.joins($0, $1) } }
        for index in timeline.scenes.indices {
            cues += SubtitleCueBuilder.cues(for: timeline.words(ofScene: index), layout: cueLayout, keepsTogether: keepsTogether)
        }
        let vtt = SubtitleWriter.webVTT(cues, karaoke: options.karaoke)
        try SubtitleWriter.write(vtt, to: assets.file("subtitles.vtt"))
        let height = Double(options.aspect.size.height)
        let subtitles = SubtitleSpec(
            path: assets.file("subtitles.vtt"), position: .point(Point(x: 0.5, y: layout.subtitleY)),
            style: TextLayerStyle(font: designer.font, fontSize: (height * layout.subtitleSize).rounded(), outline: nil,
                                  boxColor: SceneDesigner.shade(0.55), maxWidth: 0.9),
            highlight: options.karaoke ? Color(red: 1, green: 212 / 255, blue: 0) : nil)

        // One clip per scene, dissolving into the next.
        let dissolve = TransitionSpec(kind: .dissolve, duration: Double(timeline.transitionFrames) / fps)
        var clips: [Clip] = []
        for (index, scene) in timeline.scenes.enumerated() {
            let duration = Double(scene.frameCount) / fps
            clips.append(Clip(
                duration: duration, transition: index + 1 < timeline.scenes.count && !dissolve.isCut ? dissolve : nil,
                layers: designer.layers(for: scene.narrated.scene, index: index, duration: duration, image: images[index], title: title),
                narration: scene.narrated.scene.narration.nfc))
        }
        let folder = assets.project.deletingLastPathComponent()
        let project = Project(
            size: options.aspect.size, frameRate: FrameRate(Rational(Int64(timeline.frameRate), 1)), background: .black,
            defaults: ProjectDefaults(font: designer.font), clips: clips, audio: audio, subtitles: subtitles, loudness: -14,
            baseDirectory: folder)
        // Paths in the assets folder are written relative to the storyboard, so the two can move together.
        let data = try ProjectWriter(relativeTo: folder).data(project)
        return Written(project: data,
                       subtitleFiles: [(assets.srt, SubtitleWriter.srt(cues)), (assets.vtt, vtt)])
    }
}
