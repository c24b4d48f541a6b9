import ArgumentParser
import Foundation
import PhimCompose
import PhimCore
import PhimGen
import PhimMedia

/// `phim render PROJECT -o OUT.mp4`: a project file to a video.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render a project file (JSON or YAML) to an MP4.")

    @Argument(help: "The project file (.json, .yaml or .yml).") var project: String
    @OptionGroup var video: VideoOutputOptions
    @Flag(help: "Print the resolved timeline (each clip's start, end and transition) and stop.") var dryRun = false

    func validate() throws {
        if !dryRun && video.output == nil { throw ValidationError("Missing expected option '--output <output>'.") }
    }

    func run() async throws {
        // Signals are handled from the start: one stops the work cleanly, a second exits at once.
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let loaded = try ProjectLoader.load(from: URL(fileURLWithPath: project))
        if dryRun {
            print(try TimelineResolver.resolve(loaded).description)
            return
        }
        try cancellation.check()
        let destination = video.outputURL!
        let bar = ProgressBar(label: "render")
        // Generated layers sample the models `phim train` wrote: PhimGen makes their clips for the renderer.
        let renderer = try ProjectRenderer(project: loaded, options: RenderOptions(
            preview: video.preview, progress: bar.update, stages: video.stages,
            cancellation: cancellation, generatedClips: GeneratedClips()))
        let report = try await renderer.render(to: destination)
        Console.shared.keepStatus()
        let loudness = report.measuredLoudness.isFinite
            ? String(format: ", mix %.1f LUFS%@", report.measuredLoudness,
                     report.appliedGainDB != 0 ? String(format: " %+.1f dB", report.appliedGainDB) : "")
            : ", silent"
        Console.shared.line(String(
            format: "wrote %@: %dx%d, %d frames, %.3f s in %.1f s (%.1f fps)%@", destination.path, report.size.width,
            report.size.height, report.frameCount, report.duration, report.elapsed, report.framesPerSecond, loudness))
    }
}
