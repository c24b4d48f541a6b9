import ArgumentParser
import Foundation
import PhimCore
import PhimMedia
import PhimMake
import PhimScript

/// `phim make INPUT -o OUT.mp4`: an article, outline or topic to a finished, narrated video.
struct MakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Make a narrated video from an article, an outline or a topic (.txt or .md).",
        discussion: """
        Writes OUT.mp4 with OUT.srt and OUT.vtt beside it. Everything runs on this machine: the script is \
        extracted from the text (or written by --llm), spoken by Festival (English, when installed) or espeak-ng \
        (or --tts-command), fitted to --duration to the frame, and rendered with a generated music bed ducked under \
        the voice. 'phim voices' lists the voices installed.
        """)

    @Argument(help: "The article, outline or one-line topic (UTF-8 .txt or .md).") var input: String
    @OptionGroup var video: VideoOutputOptions
    @Option(parsing: .unconditional, help: "The exact length in seconds (default: what the text needs).") var duration: Double?
    @Option(help: "Frame shape: 16:9 (1920×1080), 9:16 (1080×1920) or 1:1 (1080×1080).") var aspect: Aspect = .landscape
    @Option(help: "Language of the text and voice: vi, en or auto.") var lang: LanguageChoice = .auto
    @Option(help: "festival, festival:NAME, or an espeak-ng voice such as vi, en-us, en+f3 (default: Festival for English when installed, else espeak-ng; see 'phim voices').")
    var voice: String?
    @Option(parsing: .unconditional, help: "Speaking rate as a multiple of normal (0.5 to 2).") var rate: Double = 1
    @Option(parsing: .unconditional, help: "Voice pitch from 0 to 100 (50 is the voice's own).") var pitch: Int = 50
    @Option(help: "explainer, ad, tutorial or story: hook and closing lines, colours, music mood.") var style: ScriptStyle = .explainer
    @Option(help: "Background music: generated, none, or an audio file.") var music: String = "generated"
    @Option(help: "A folder of your pictures and clips, matched to scenes by words in their file names.") var images: String?
    @Option(help: "Also write the storyboard (a project file for 'phim render') here, with its files in NAME.assets/.")
    var storyboard: String?
    @Option(help: "An OpenAI-compatible server (Ollama, llama.cpp, vLLM) that writes the script; falls back to the built-in writer.")
    var llm: String?
    @Option(help: "The model name to ask --llm for.") var llmModel: String?
    @Option(help: "A shell command that speaks {text} into the WAV file {output} (also {lang}, {voice}, {rate}); the text is on stdin too.")
    var ttsCommand: String?
    @Flag(help: "Highlight each word of the subtitles as it is spoken.") var karaoke = false
    @Option(parsing: .unconditional, help: "Chooses the presenter, backdrops and music.") var seed: Int = 1
    @Flag(help: "Write the storyboard (--storyboard) and print its scenes without rendering: edit it, then 'phim render' it.")
    var noRender = false
    @Flag(help: "Print each stage's time.") var timings = false

    func validate() throws {
        if noRender {
            guard storyboard != nil else { throw ValidationError("--no-render: needs --storyboard FILE to write the storyboard to") }
        } else if video.output == nil {
            throw ValidationError("Missing expected option '--output <output>'.")
        }
        if let llm, URL(string: llm) == nil {
            throw ValidationError("--llm: '\(llm)' is not an http:// or https:// address")
        }
    }

    func run() async throws {
        let musicChoice: MusicChoice
        switch music {
        case "generated": musicChoice = .generated
        case "none": musicChoice = .none
        default:
            let url = URL(fileURLWithPath: music)
            try InputFile.check(url, subject: .option("music"), written: music)
            musicChoice = .file(url)
        }
        var options = MakeOptions(
            input: URL(fileURLWithPath: input), output: video.outputURL ?? URL(fileURLWithPath: "phim-make.mp4"), duration: duration,
            aspect: aspect, language: lang.language, voice: voice, rate: rate, pitch: pitch, style: style, music: musicChoice, images: images.map { URL(fileURLWithPath: $0) },
            storyboard: storyboard.map { URL(fileURLWithPath: $0) }, llm: llm.flatMap { URL(string: $0) }, llmModel: llmModel,
            ttsCommand: ttsCommand, karaoke: karaoke, preview: video.preview, seed: seed, stages: video.stages)
        options.renderVideo = !noRender
        let bar = ProgressBar(label: "render")
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let stages = StageReporter(bar: bar)
        let maker = VideoMaker(options: options, progress: stages.handler, warn: { line in
            Console.shared.warning(line)
        }, cancellation: cancellation)
        let report = try await maker.make()
        Console.shared.keepStatus()
        if let render = report.render {
            var line = String(format: "wrote %@: %dx%d, %d frames, %.3f s, %d scenes, %d words (%@)", options.output.path,
                              render.size.width, render.size.height, report.frameCount, report.duration,
                              report.sceneCount, report.wordCount, report.language.rawValue)
            if abs(report.rateFactor - 1) > 0.001 { line += String(format: ", rate ×%.2f", report.rateFactor) }
            line += "; subtitles " + report.subtitles.map(\.lastPathComponent).joined(separator: ", ")
            if let storyboard = report.storyboard { line += "; storyboard " + storyboard.path }
            Console.shared.line(line)
        } else {
            // The storyboard's scenes on stdout, one per line: start, length, title, what is said.
            for (index, scene) in report.scenes.enumerated() {
                print(String(format: "%2d  %7.2f s  %6.2f s  %@: %@", index + 1, scene.start, scene.duration, scene.title, scene.narration))
            }
            Console.shared.line(String(
                format: "wrote the storyboard %@: %.3f s, %d scenes, %d words (%@); render it with 'phim render %@ -o OUT.mp4'",
                report.storyboard?.path ?? "", report.duration, report.sceneCount, report.wordCount, report.language.rawValue,
                report.storyboard?.path ?? ""))
        }
        if timings {
            let total = report.totalSeconds
            Console.shared.line(String(
                format: "timings: script_s=%.3f speech_s=%.3f layout_s=%.3f render_s=%.3f audio_mix_s=%.3f total_s=%.3f prep_share=%.3f",
                report.scriptSeconds, report.speechSeconds, report.layoutSeconds, report.renderSeconds, report.render?.audioMixSeconds ?? 0, total,
                (report.scriptSeconds + report.speechSeconds + report.layoutSeconds) / max(total, 1e-9)))
        }
    }
}

/// Shows the stages before the render as single lines, and the render as the progress bar.
final class StageReporter: Sendable {
    let bar: ProgressBar
    init(bar: ProgressBar) { self.bar = bar }

    var handler: ProgressHandler {
        let render = bar.update
        return { update in
            if update.stage == "render" {
                render(update)
            } else {
                Console.shared.progress(String(format: "%@ done in %.2f s", update.stage, update.elapsed))
            }
        }
    }
}
