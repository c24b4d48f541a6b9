import Foundation
import PhimCompose
import PhimCore
import PhimMedia
import PhimProvenance
import PhimScript
import PhimSpeech

/// What `phim make` produced and how long each stage took.
public struct MakeReport: Sendable {
    /// One scene of the storyboard, for printing.
    public struct Scene: Sendable {
        public var start: Double
        public var duration: Double
        public var title: String
        public var narration: String
    }

    /// The video written, or nil with `renderVideo` off.
    public var output: URL?
    public var subtitles: [URL]
    public var storyboard: URL?
    public var language: ScriptLanguage
    public var sceneCount: Int
    public var wordCount: Int
    public var duration: Double
    public var frameCount: Int
    /// The speaking rate used, as a multiple of the requested one.
    public var rateFactor: Double
    /// Seconds per stage: reading and writing the script, speech synthesis and fitting, layout (storyboard,
    /// subtitles, music), and the render.
    public var scriptSeconds: Double
    public var speechSeconds: Double
    public var layoutSeconds: Double
    public var renderSeconds: Double
    public var totalSeconds: Double { scriptSeconds + speechSeconds + layoutSeconds + renderSeconds }
    /// Why the LLM was not used, when it was asked for and failed.
    public var llmFallback: String?
    /// The render, or nil with `renderVideo` off.
    public var render: RenderReport?
    public var scenes: [Scene]
}

/// `phim make`: text in, finished video out. Reads the input, writes a script (extractive, or by an LLM), speaks
/// it, fits it to the duration, designs the scenes, writes the storyboard as a project file, and renders that
/// file exactly as `phim render` would.
public struct VideoMaker: Sendable {
    public let options: MakeOptions
    /// Receives stage progress (`script`, `speech`, `layout`, `render`).
    public var progress: ProgressHandler?
    /// Receives warnings (the LLM fallback) as one line each.
    public var warn: (@Sendable (String) -> Void)?
    /// Checked between stages and every rendered frame; set by the caller (a signal) or when the awaiting task is
    /// cancelled.
    public var cancellation: CancellationFlag

    public init(options: MakeOptions, progress: ProgressHandler? = nil, warn: (@Sendable (String) -> Void)? = nil,
                cancellation: CancellationFlag? = nil) {
        self.options = options
        self.progress = progress
        self.warn = warn
        self.cancellation = cancellation ?? CancellationFlag()
    }

    /// What the script stage hands on.
    struct PreparedInput: Sendable {
        var text: String
        var language: ScriptLanguage
        var writer: ScriptWriter
        var library: ImageLibrary?
        var synthesizer: any SpeechSynthesizer
        var voice: VoiceSettings
        /// The engine Phim runs itself, or nil for a `--tts-command`.
        var engine: VoiceSelection.Engine?
        var wordsPerSecond: Double
    }


    /// Words per minute at `--rate 1` (espeak-ng's voices at these rates; Festival's at its own pace for English).
    static func baseWordsPerMinute(_ language: ScriptLanguage) -> Double { language == .vietnamese ? 150 : 165 }

    /// Runs everything. Nothing is left at the output paths when it fails.
    /// - Throws: `PhimError` naming the input file, the option or the field at fault.
    public func make() async throws(PhimError) -> MakeReport {
        try options.validate()
        let clock = MonotonicClock.now()
        // Every output can be written (a writable folder, nothing but a regular file in the way), before any work.
        if options.renderVideo {
            try OutputFile.checkDestination(options.output)
            let base = options.output.deletingPathExtension()
            for subtitles in ["srt", "vtt"] { try OutputFile.checkDestination(base.appendingPathExtension(subtitles)) }
        }
        if let storyboard = options.storyboard { try OutputFile.checkDestination(storyboard) }

        // 1. Script. Blocking work (files, synthesis, drawing) runs on threads of its own, off Swift's pool.
        let options = self.options
        let prepared = try await runBlocking(named: "phim-make-script", cancellation: cancellation) { () throws(PhimError) -> PreparedInput in
            let text = try InputText.read(options.input)
            let language = options.language ?? LanguageDetector.detect(text)
            let writer = ScriptWriter(document: SourceDocument.parse(text), language: language, style: options.style)
            guard writer.availableWords > 0 else {
                throw PhimError(.invalidInput, "has no sentences to narrate", subject: .file(options.input.displayPath))
            }
            let library = try options.images.map { (folder) throws(PhimError) in try ImageLibrary.load(folder, warn: { warn?($0) }) }
            if case .file(let music) = options.music {
                let info: MediaInfo
                do throws(PhimError) { info = try MediaProbe.probe(music) } catch { throw error.about(.option("music")) }
                guard !info.audio.isEmpty else {
                    throw PhimError(.invalidInput, "\(music.displayPath.quoted()) has no sound", subject: .option("music"))
                }
            }
            let synthesizer: any SpeechSynthesizer, voiceName: String?, engine: VoiceSelection.Engine?
            if let command = options.ttsCommand {
                // One rate for every clip, so that the scenes' narration joins into one track.
                synthesizer = ProsodicSynthesizer(try CommandSynthesizer(template: command, sampleRate: AudioBuffer.standardSampleRate))
                voiceName = options.voice
                engine = nil
            } else {
                // Festival's clips are decoded at one rate too: a passage it cannot say comes from espeak-ng.
                let selection = try VoiceSelection.choose(option: options.voice, language: language.rawValue,
                                                          sampleRate: AudioBuffer.standardSampleRate, warn: warn)
                if let warning = selection.warning { warn?(warning) }
                if selection.engine != .espeak, options.pitch != 50 {
                    let engine = selection.engine == .piper ? "Piper's" : "Festival's"
                    warn?("warning: --pitch \(options.pitch): \(engine) voices keep their own pitch; --pitch changes espeak-ng voices")
                }
                synthesizer = selection.synthesizer
                voiceName = selection.voice
                engine = selection.engine
            }
            let voice = VoiceSettings(language: language.rawValue, voice: voiceName,
                                      wordsPerMinute: Self.baseWordsPerMinute(language) * options.rate, pitch: options.pitch)
            // Festival starts a process per thread that speaks: start them while the rate is measured.
            synthesizer.prepare(voice, concurrency: ProcessInfo.processInfo.activeProcessorCount)
            let wordsPerSecond = try SpeakingRate.measure(synthesizer, voice: voice)
            return PreparedInput(text: text, language: language, writer: writer, library: library, synthesizer: synthesizer,
                                 voice: voice, engine: engine, wordsPerSecond: wordsPerSecond)
        }
        var llmScript: Script?
        var llmFallback: String?
        if let endpoint = options.llm {
            do {
                llmScript = try await LLMScriptWriter(endpoint: endpoint, model: options.llmModel)
                    .script(for: prepared.text, language: prepared.language, style: options.style, targetSeconds: options.duration,
                            wordsPerSecond: prepared.wordsPerSecond)
            } catch {
                llmFallback = error.message
                warn?("warning: --llm \(endpoint.absoluteString): \(error.message); using the built-in script writer")
            }
        }
        let scriptSeconds = MonotonicClock.now() - clock
        progress?(ProgressUpdate(stage: "script", completed: 1, total: 1, elapsed: scriptSeconds))
        try cancellation.check()

        // 2. Speech, fitted to the duration.
        let speechStart = MonotonicClock.now()
                func fit(_ fixedScript: Script?) async throws(PhimError) -> Result<NarrationPlan, NarrationFitter.FixedScriptTooLong> {
            try await runBlocking(named: "phim-make-speech", cancellation: cancellation) { () throws(PhimError) -> Result<NarrationPlan, NarrationFitter.FixedScriptTooLong> in
                let voice = prepared.voice, synthesizer = prepared.synthesizer, writer = prepared.writer
                let speak: @Sendable (String, Double) throws(PhimError) -> SpeechClip = { text, factor throws(PhimError) in
                    var fitted = voice
                    fitted.wordsPerMinute = voice.wordsPerMinute * factor
                    return try synthesizer.synthesize(text, voice: fitted)
                }
                var fitter = if let fixedScript {
                    NarrationFitter(write: { _ in fixedScript }, minimumWords: fixedScript.wordCount,
                                    availableWords: fixedScript.wordCount, speak: speak, wordsPerSecond: prepared.wordsPerSecond)
                } else {
                    NarrationFitter(write: { writer.script(maxWords: $0) }, minimumWords: writer.minimumWords,
                                    availableWords: writer.availableWords, speak: speak, wordsPerSecond: prepared.wordsPerSecond)
                }
                fitter.isFixed = fixedScript != nil
                return try fitter.plan(target: options.duration)
            }
        }
        let plan: NarrationPlan
        switch try await fit(llmScript) {
        case .success(let fitted):
            plan = fitted
        case .failure(let tooLong):
            // The LLM wrote more than fits: say so, and let the built-in writer choose what does.
            llmFallback = tooLong.reason
            warn?("warning: --llm \(options.llm?.absoluteString ?? ""): \(tooLong.reason); using the built-in script writer")
            guard case .success(let fitted) = try await fit(nil) else {
                throw PhimError(.operationFailed, "the built-in script does not fit either")
            }
            plan = fitted
        }
        if let duration = options.duration, plan.tail > NarrationFitter.maxTail + 5 {
            warn?(String(format: "warning: the text gives %.0f s of narration; the closing scene holds for the last %.0f s of --duration %g (give more text, or --llm)",
                         plan.speechSeconds, plan.tail, duration))
        }
        let speechSeconds = MonotonicClock.now() - speechStart
        progress?(ProgressUpdate(stage: "speech", completed: plan.scenes.count, total: plan.scenes.count, elapsed: speechSeconds))
        try cancellation.check()

        // 3. Layout: timeline, narration and music files, subtitles, storyboard.
        let layoutStart = MonotonicClock.now()
        let assets = try StoryboardAssets(storyboard: options.storyboard, output: options.output)
        var succeeded = false
        defer { if !succeeded { assets.removeAll() } }
        let timeline = StoryTimeline(plan: plan, frameRate: MakeOptions.frameRate, duration: options.duration)
        let storyboard = try await runBlocking(named: "phim-make-layout", cancellation: cancellation) { () throws(PhimError) -> StoryboardWriter.Written in
            let designer = SceneDesigner(aspect: options.aspect, style: options.style, seed: options.seed, language: prepared.language)
            let images = prepared.library?.assign(to: plan.scenes.map { [$0.scene.title] + $0.scene.keywords + $0.scene.sentences }) ?? [:]
            return try StoryboardWriter(assets: assets, timeline: timeline, designer: designer, options: options,
                                        title: plan.script.title, language: plan.script.language, images: images).write()
        }
        let language = prepared.language
        let layoutSeconds = MonotonicClock.now() - layoutStart
        progress?(ProgressUpdate(stage: "layout", completed: 1, total: 1, elapsed: layoutSeconds))
        try cancellation.check()

        let fps = Double(timeline.frameRate)
        let scenes = timeline.scenes.map { scene in
            MakeReport.Scene(start: Double(scene.startFrame) / fps, duration: Double(scene.frameCount) / fps,
                             title: scene.narrated.scene.title, narration: scene.narrated.scene.narration)
        }
        // The storyboard and the subtitle files are written beside their destinations and moved into place only
        // when the video is done, so a failure anywhere leaves none of them.
        let storyboardFile = try OutputFile(assets.project)
        do { try storyboard.project.write(to: storyboardFile.temporary) } catch {
            throw PhimError(.writeFailed, "cannot be written: \(error.localizedDescription)", subject: .file(assets.project.displayPath))
        }
        guard options.renderVideo else {
            try storyboardFile.commit()
            succeeded = true
            assets.finish()
            return MakeReport(
                output: nil, subtitles: [], storyboard: options.storyboard, language: language, sceneCount: plan.scenes.count,
                wordCount: plan.script.wordCount, duration: timeline.duration, frameCount: timeline.totalFrames,
                rateFactor: plan.rateFactor, scriptSeconds: scriptSeconds, speechSeconds: speechSeconds,
                layoutSeconds: layoutSeconds, renderSeconds: 0, llmFallback: llmFallback, render: nil, scenes: scenes)
        }
        var subtitleFiles: [OutputFile] = []
        for file in storyboard.subtitleFiles {
            let output = try OutputFile(file.url)
            do { try Data(file.text.utf8).write(to: output.temporary) } catch {
                throw PhimError(.writeFailed, "cannot be written: \(error.localizedDescription)", subject: .file(file.url.displayPath))
            }
            subtitleFiles.append(output)
        }

        // 4. Render the storyboard like `phim render` does.
        let renderStart = MonotonicClock.now()
        let projectData = storyboard.project
        let project = try await runBlocking(named: "phim-make-load", cancellation: cancellation) { () throws(PhimError) -> Project in
            try ProjectLoader.decode(projectData, format: .json, baseDirectory: assets.project.deletingLastPathComponent(),
                                     fileName: assets.project.displayPath)
        }
        // The manifest says what made this video: the script and the voice are generated (by trained models when an
        // LLM wrote the script, a command engine, which may be neural, Festival's HTS voices, statistical models
        // trained on recorded speech, or Piper's neural voices spoke it), around any media the user gave.
        var userMusic = false
        if case .file = options.music { userMusic = true }
        let madeFrom = MadeFrom(userMedia: options.images != nil || userMusic, algorithmicContent: true,
                                trainedModels: (llmScript != nil && llmFallback == nil) || options.ttsCommand != nil
                                    || prepared.engine == .festival || prepared.engine == .piper)
        let renderer = try ProjectRenderer(project: project, options: RenderOptions(
            preview: options.preview, progress: progress, stages: options.stages, cancellation: cancellation, madeFrom: madeFrom))
        let report = try await renderer.render(to: options.output)
        let renderSeconds = MonotonicClock.now() - renderStart
        do {
            for file in subtitleFiles { try file.commit() }
            try storyboardFile.commit()
        } catch {
            // Too late to leave the video alone: it would be missing its subtitles or storyboard.
            try? FileManager.default.removeItem(at: options.output)
            for file in storyboard.subtitleFiles { try? FileManager.default.removeItem(at: file.url) }
            throw error
        }
        let subtitles = storyboard.subtitleFiles.map(\.url)
        succeeded = true
        assets.finish()
        return MakeReport(
            output: options.output, subtitles: subtitles, storyboard: options.storyboard, language: language,
            sceneCount: plan.scenes.count, wordCount: plan.script.wordCount, duration: report.duration, frameCount: report.frameCount,
            rateFactor: plan.rateFactor, scriptSeconds: scriptSeconds, speechSeconds: speechSeconds, layoutSeconds: layoutSeconds,
            renderSeconds: renderSeconds, llmFallback: llmFallback, render: report, scenes: scenes)
    }
}
