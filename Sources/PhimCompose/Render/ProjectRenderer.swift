import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimProvenance

/// How a render runs.
public struct RenderOptions: Sendable {
    /// Quarter-area preview: half the width and height, x264's `ultrafast` preset.
    public var preview: Bool
    /// Called from worker threads as frames are encoded.
    public var progress: ProgressHandler?
    /// Extra work on each frame before it is encoded (``RawVideoCopy`` for benchmarks), after the export's own.
    public var stages: [any FrameStage]
    /// Checked every frame; when set, the render stops with `.cancelled` and leaves no output.
    public var cancellation: CancellationFlag?
    /// Container tags of the MP4.
    public var metadata: [String: String]
    /// What went into the video, for its C2PA manifest, when the caller knows more than the project says
    /// (`phim make` generated the script and the voice); by default it is read off the project.
    public var madeFrom: MadeFrom?
    /// Where `generated` layers get their frames (PhimGen's `GeneratedClips` in the `phim` command). Without one, a
    /// project with generated layers is refused before rendering starts, naming the first such layer's `model`.
    public var generatedClips: (any GeneratedClipSource)?

    public init(preview: Bool = false, progress: ProgressHandler? = nil, stages: [any FrameStage] = [],
                cancellation: CancellationFlag? = nil, metadata: [String: String] = ["comment": "Rendered by Phim"],
                madeFrom: MadeFrom? = nil, generatedClips: (any GeneratedClipSource)? = nil) {
        self.madeFrom = madeFrom
        self.generatedClips = generatedClips
        self.preview = preview
        self.progress = progress
        self.stages = stages
        self.cancellation = cancellation
        self.metadata = metadata
    }
}

/// What a finished render produced and how long each part took.
public struct RenderReport: Sendable {
    public var output: URL
    public var size: PixelSize
    public var frameRate: FrameRate
    public var frameCount: Int
    /// Seconds of video written.
    public var duration: Double
    /// Loudness of the mix before normalisation, and the gain applied (dB).
    public var measuredLoudness: Double
    public var appliedGainDB: Double
    /// Wall-clock seconds for the whole render, and for mixing the audio (pass 1).
    public var elapsed: Double
    public var audioMixSeconds: Double
    /// Frames per second of wall-clock time.
    public var framesPerSecond: Double { elapsed > 0 ? Double(frameCount) / elapsed : 0 }
}

/// Renders a project to an MP4: decode, compose and encode run on separate threads joined by bounded queues,
/// and the audio is mixed, measured and normalised alongside.
public final class ProjectRenderer: Sendable {
    public let project: Project
    public let timeline: Timeline
    public let options: RenderOptions
    /// The size frames are drawn and encoded at (half the project's size for previews).
    public let outputSize: PixelSize
    /// `outputSize` over the project's size.
    public let scale: Double
    /// What each media file of the project holds, from the preflight.
    let media: [URL: MediaInfo]
    /// The options' flag, or one of the renderer's own: set when the render is to stop (a signal, or the awaiting
    /// task cancelled).
    let cancellation: CancellationFlag

    /// Resolves the timeline and checks every file, font, subtitle and model the project names, so that bad input is
    /// reported before any output is opened.
    /// - Throws: `PhimError` naming the project field at fault.
    public init(project: Project, options: RenderOptions = RenderOptions()) throws(PhimError) {
        self.project = project
        self.options = options
        timeline = try TimelineResolver.resolve(project)
        if options.preview {
            let half = PixelSize(width: max(2, project.size.width / 4 * 2), height: max(2, project.size.height / 4 * 2))
            outputSize = half
            scale = Double(half.width) / Double(project.size.width)
        } else {
            outputSize = project.size
            scale = 1
        }
        media = try MediaPreflight.check(project, generatedClips: options.generatedClips)
        cancellation = options.cancellation ?? CancellationFlag()
    }

    /// Renders to `destination` (written to a temporary file beside it, renamed when complete).
    /// - Throws: `PhimError`; nothing is left at `destination` when it fails.
    public func render(to destination: URL) async throws(PhimError) -> RenderReport {
        _ = try OutputFile(destination)  // fail early on a missing folder, before any work
        return try await runBlocking(named: "phim-render", cancellation: cancellation) { [self] () throws(PhimError) in
            try renderBlocking(to: destination)
        }
    }

    /// The render on the calling thread (the encoder's), with compose and audio on threads of their own.
    func renderBlocking(to destination: URL) throws(PhimError) -> RenderReport {
        let started = MonotonicClock.now()
        let frameCount = timeline.frameCount
        let frameRate = timeline.frameRate
        let audioFrames = frameRate.samples(beforeFrame: frameCount, sampleRate: AudioMixer.sampleRate)

        // Audio pass 1 (mix, measure) on its own thread.
        let mixer = AudioMixer(placements: AudioPlan.placements(for: project, timeline: timeline, media: media), frameCount: audioFrames,
                               loudnessTarget: project.loudness)
        let mixResult = OneShot<Result<MixedAudio, PhimError>>()
        let cancellation = self.cancellation
        startWorkerThread(named: "phim-audio-mix") {
            let mixStart = MonotonicClock.now()
            let result = Result { () throws(PhimError) -> MixedAudio in try mixer.mixDown(cancellation: cancellation) }
            mixResult.set(result, seconds: MonotonicClock.now() - mixStart)
        }

        // Compose on its own thread, a few frames ahead of the encoder.
        let pool = PixelBufferPool(size: outputSize, limit: 6)
        let frames = BlockingQueue<PixelBuffer>(capacity: 3)
        let needsSpeechLevels = project.clips.contains { clip in
            clip.layers.contains { if case .presenter(let presenter) = $0.content { presenter.lipSync } else { false } }
        }
        startWorkerThread(named: "phim-compose") { [self] in
            var started: FrameComposer?
            do throws(PhimError) {
                let levels = needsSpeechLevels ? try SpeechLevels.measure(project: project, timeline: timeline, media: media) : nil
                let composer = FrameComposer(project: project, timeline: timeline, frameSize: outputSize, scale: scale,
                                             speechLevels: levels, generatedClips: options.generatedClips)
                started = composer
                for index in 0..<frameCount {
                    let frame = try composer.frame(index, pool: pool)
                    if !frames.push(frame) { break }
                }
                composer.finish()
                frames.close()
            } catch {
                started?.finish()
                frames.close(error: error)
            }
        }
        defer { frames.cancel() }

        // Encode here, once the mix is measured.
        let mixed = try mixResult.wait().get()
        let verifier = C2PAVerifier.localAuthority()  // once: it reads the local CA
        let export = VideoExport(
            video: VideoEncoderSettings(size: outputSize, frameRate: frameRate, crf: project.output.crf,
                                        preset: options.preview ? "ultrafast" : project.output.preset.rawValue),
            provenance: Provenance(sourceType: (options.madeFrom ?? project.madeFrom).sourceType,
                                   components: try project.mediaFiles.map { (file) throws(PhimError) in
                                       try Ingredient.component(file: file, verifier: verifier)
                                   }),
            audio: .samples(MixedAudioReader(mixed), AudioEncoderSettings(bitRate: project.output.audioBitrate)),
            metadata: options.metadata, stages: options.stages, progress: options.progress, progressLabel: "render",
            cancellation: cancellation)
        _ = try export.write(QueuedFrames(frames, pool: pool), frameCount: frameCount, to: destination)
        return RenderReport(
            output: destination, size: outputSize, frameRate: frameRate, frameCount: frameCount,
            duration: frameRate.seconds(ofFrame: frameCount), measuredLoudness: mixed.measurement.integratedLoudness,
            appliedGainDB: mixed.gainDB, elapsed: MonotonicClock.now() - started, audioMixSeconds: mixResult.seconds)
    }
}

/// The compositor's frames as they come off its queue; encoded frames go back to the pool.
private final class QueuedFrames: VideoFrameSource {
    private let queue: BlockingQueue<PixelBuffer>
    private let pool: PixelBufferPool

    init(_ queue: BlockingQueue<PixelBuffer>, pool: PixelBufferPool) {
        self.queue = queue
        self.pool = pool
    }

    func nextFrame() throws(PhimError) -> PixelBuffer? {
        try queue.pop()
    }

    func recycle(_ frame: inout PixelBuffer?) { pool.recycle(&frame) }
}

/// A value handed from one thread to another once.
///
/// `@unchecked Sendable`: guarded by `condition`.
final class OneShot<Value: Sendable>: @unchecked Sendable {
    private var value: Value?
    private(set) var seconds = 0.0
    private let condition = NSCondition()

    func set(_ newValue: Value, seconds: Double = 0) {
        condition.lock()
        value = newValue
        self.seconds = seconds
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
