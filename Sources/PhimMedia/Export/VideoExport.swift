import Foundation
import PhimCore
import PhimProvenance
import PhimWatermark

/// What a finished export wrote.
public struct ExportReport: Sendable {
    public var output: URL
    public var frameCount: Int
    /// Seconds of video written.
    public var duration: Double
    /// Wall-clock seconds from the first frame asked for to the file in place.
    public var elapsed: Double
    /// The payload of the invisible watermark in every frame (`nil` only in the benchmarks' unsigned exports).
    public var watermark: WatermarkPayload?
    /// The watermark's PSNR on luma against the same frames unmarked, in dB (`nil` when unmarked or unchanged).
    public var watermarkPSNR: Double?

    public init(output: URL, frameCount: Int, duration: Double, elapsed: Double, watermark: WatermarkPayload?, watermarkPSNR: Double?) {
        self.output = output
        self.frameCount = frameCount
        self.duration = duration
        self.elapsed = elapsed
        self.watermark = watermark
        self.watermarkPSNR = watermarkPSNR
    }
}

/// The one way Phim writes an MP4: frames from a source pass through the frame stages into H.264, each marked with
/// an invisible watermark on its way into the encoder, the sound is encoded or copied alongside, the finished file is
/// sealed and signed (a C2PA manifest saying how it was made, and recording the watermark's payload), and only then
/// does it take the destination's name.
///
///     source ─▶ frame stages (transforms, then observers) ─▶ I420 ─▶ watermark ─▶ H.264 ┐
///                                                                                         ├─▶ MP4 (temporary) ─▶ sealers ─▶ C2PA ─▶ commit
///     audio (samples ─▶ AAC, or packets copied from a file) ────────────────────────────┘
///
/// Progress is reported every few frames, cancellation is checked every frame, and a failure or cancellation at
/// any point leaves nothing at the destination. Not `Sendable`: an export runs on the thread that calls
/// ``write(_:frameCount:to:)``.
public struct VideoExport {
    public var video: VideoEncoderSettings
    /// What the video's C2PA manifest says about how it was made. Every export signs its file: there is no way
    /// to write an MP4 without a manifest.
    public var provenance: Provenance
    public var audio: ExportAudio
    /// Container tags (`title`, `comment`…).
    public var metadata: [String: String]
    public var stages: [any FrameStage]
    public var sealers: [any ExportSealer]
    /// Set only when the source's frames already carry Phim's watermark, as ``WatermarkDetector`` read it (`phim
    /// label` of a Phim video whose manifest was stripped): the manifest records that payload and no second mark is
    /// laid over the first, which would blur both.
    public var existingWatermark: WatermarkPayload?
    /// Called from the exporting thread as frames are encoded.
    public var progress: ProgressHandler?
    /// The stage name progress reports carry.
    public var progressLabel: String
    public var cancellation: CancellationFlag?

    public init(video: VideoEncoderSettings, provenance: Provenance, audio: ExportAudio = .none, metadata: [String: String] = [:],
                stages: [any FrameStage] = [], sealers: [any ExportSealer] = [], progress: ProgressHandler? = nil,
                progressLabel: String = "render", cancellation: CancellationFlag? = nil) {
        self.video = video
        self.provenance = provenance
        self.audio = audio
        self.metadata = metadata
        self.stages = stages
        self.sealers = sealers
        self.progress = progress
        self.progressLabel = progressLabel
        self.cancellation = cancellation
    }

    /// The stages in the order they run: transforms as given, then observers as given.
    var orderedStages: [any FrameStage] {
        stages.filter { $0.role == .transform } + stages.filter { $0.role == .observe }
    }

    /// Writes every frame of `source` to `destination`.
    /// - Parameters:
    ///   - frameCount: how many frames to write, when known: the export stops there, and fails if the source ends
    ///     sooner. `nil` writes until the source ends.
    /// - Throws: `PhimError` (`.cancelled` when cancelled); nothing is then left at `destination`.
    public func write(_ source: some VideoFrameSource, frameCount: Int? = nil,
                      to destination: URL) throws(PhimError) -> ExportReport {
        let started = MonotonicClock.now()
        let context = ExportContext(destination: destination, video: video, frameCount: frameCount, metadata: metadata)
        let track: MP4Writer.AudioTrack?
        var sampleSource: (any AudioSampleSource)?
        switch audio {
        case .none:
            track = nil
        case .samples(let samples, let settings):
            track = .encode(settings)
            sampleSource = samples
        case .copy(let url):
            track = .copy(try AudioPacketReader(url: url))
        }
        let stages = orderedStages
        // Provenance has no off switch; only the benchmarks' hidden stage measures what it costs.
        let unmarked = stages.contains { $0 is WithoutProvenanceForBenchmarks }
        let watermark = unmarked || existingWatermark != nil ? nil
            : WatermarkEmbedder(width: video.size.width, height: video.size.height, payload: .random())
        let writer = try MP4Writer(destination: destination, video: video, audio: track, metadata: metadata,
                                   watermark: watermark)
        var startedStages: [any FrameStage] = []
        do {
            for stage in stages {
                try stage.start(context)
                startedStages.append(stage)
            }
            let written = try encodeFrames(from: source, frameCount: frameCount, stages: stages, writer: writer,
                                           samples: sampleSource, startTime: started)
            for stage in stages { try stage.finish() }
            try writer.finishWriting()
            for sealer in sealers { try sealer.seal(writer.temporaryURL, context: context) }
            // The manifest goes last: it binds every byte before it.
            if !unmarked {
                var provenance = provenance
                if provenance.title == nil { provenance.title = destination.lastPathComponent }
                provenance.watermarkPayload = (watermark?.payload ?? existingWatermark)?.description
                try C2PAWriter(identity: try SigningIdentity.local()).seal(writer.temporaryURL, provenance: provenance)
            }
            try writer.commit()
            startedStages = []
            for stage in stages { try stage.commit() }
            let change = watermark?.meanSquaredChange ?? 0
            return ExportReport(output: destination, frameCount: written, duration: video.frameRate.seconds(ofFrame: written),
                                elapsed: MonotonicClock.now() - started, watermark: watermark?.payload ?? existingWatermark,
                                watermarkPSNR: change > 0 ? 10 * log10(255 * 255 / change) : nil)
        } catch {
            for stage in startedStages { stage.abandon() }
            throw error
        }
    }

    private func encodeFrames(from source: some VideoFrameSource, frameCount: Int?, stages: [any FrameStage],
                              writer: MP4Writer, samples: (any AudioSampleSource)?, startTime: Double) throws(PhimError) -> Int {
        let rate = video.frameRate
        let sampleRate = writer.audioSampleRate
        var index = 0
        while frameCount.map({ index < $0 }) ?? true {
            try cancellation?.check()
            // One reference to the frame only, so that the source can reuse its buffer once it is encoded.
            var frame = try source.nextFrame()
            guard frame != nil else {
                if let frameCount {
                    throw PhimError(.operationFailed, "the frames stopped early, at \(index) of \(frameCount)",
                                    subject: writer.subject)
                }
                break
            }
            guard frame!.size == video.size else {
                throw PhimError(.operationFailed, "frame \(index) is \(frame!.size), not \(video.size)", subject: writer.subject)
            }
            for stage in stages { try stage.process(&frame!, index: index) }
            try writer.appendVideo(frame!)
            source.recycle(&frame)
            if let samples, let sampleRate {
                let count = rate.samples(beforeFrame: index + 1, sampleRate: sampleRate)
                    - rate.samples(beforeFrame: index, sampleRate: sampleRate)
                let chunk = try samples.read(frameCount: count)
                try chunk.withUnsafeBufferPointer { (pointer) throws(PhimError) in try writer.appendAudio(pointer) }
            }
            try writer.copyAudio(before: rate.seconds(ofFrame: index + 1))
            index += 1
            if let progress, index % 5 == 0 || index == frameCount {
                progress(ProgressUpdate(stage: progressLabel, completed: index, total: frameCount,
                                        elapsed: MonotonicClock.now() - startTime))
            }
        }
        return index
    }
}
