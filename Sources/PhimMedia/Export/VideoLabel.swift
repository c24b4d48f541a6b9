import Foundation
import PhimCore
import PhimProvenance
import PhimWatermark

/// `phim label`: gives a video made elsewhere Phim's provenance. The picture is decoded and re-encoded through
/// ``VideoExport`` (so it gets the watermark and a signed manifest, like everything Phim writes; a picture that
/// already carries Phim's watermark keeps it, and the manifest records its payload), the sound is copied
/// packet for packet when MP4 can hold it and re-encoded as AAC when it cannot, and the manifest names the input as
/// its parent ingredient: `c2pa.opened` of it, then `c2pa.transcoded`, with the input's own manifest, when it had
/// one, copied into the new manifest store and named by hash with the result of validating it.
public struct VideoLabel: Sendable {
    public var input: URL
    /// The IPTC source type the user declares for the picture (`nil`: not stated; Phim cannot know it).
    public var sourceType: DigitalSourceType?
    public var crf: Int
    public var preset: String
    /// Certificates the input's manifest is validated against (Phim's local CA by default).
    public var trustAnchors: [PEMCertificates]
    public var stages: [any FrameStage]
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    /// PEM text of one or more certificates.
    public typealias PEMCertificates = String

    public init(input: URL, sourceType: DigitalSourceType? = nil, crf: Int = 18, preset: String = "veryfast",
                trustAnchors: [PEMCertificates] = [], stages: [any FrameStage] = [], progress: ProgressHandler? = nil,
                cancellation: CancellationFlag? = nil) {
        self.input = input
        self.sourceType = sourceType
        self.crf = crf
        self.preset = preset
        self.trustAnchors = trustAnchors
        self.stages = stages
        self.progress = progress
        self.cancellation = cancellation
    }

    /// Writes the labelled copy to `destination`.
    /// - Throws: `PhimError` naming the input when it is missing, not a video, or undecodable, or the destination
    ///   when it would replace the input; nothing is left at `destination` on failure.
    public func write(to destination: URL) throws(PhimError) -> ExportReport {
        let subject = PhimError.Subject.file(input)
        _ = try InputFile.check(input, subject: subject)
        if input.standardizedFileURL.resolvingSymlinksInPath().path == destination.standardizedFileURL.resolvingSymlinksInPath().path {
            throw PhimError(.invalidInput, "the output would replace the input; write the labelled copy elsewhere",
                            subject: .file(destination))
        }
        // The input's manifest, if it is an MP4 with one (validated, even if broken: the results go along).
        let parentManifest = C2PAVerifier.localAuthority(plus: trustAnchors).carriedManifest(input)

        let decoder = try VideoDecoder(url: input, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        let stream = decoder.streamInfo
        guard !stream.isStillImage else {
            throw PhimError(.invalidInput, "it is a still picture, not a video", subject: subject)
        }
        // H.264 4:2:0 needs even sides: the picture is scaled by at most a pixel.
        let size = PixelSize(width: max(2, decoder.outputSize.width / 2 * 2), height: max(2, decoder.outputSize.height / 2 * 2))
        let rate = stream.frameRate.isFinite && stream.frameRate >= 1 && stream.frameRate <= 240 ? stream.frameRate : 30
        guard let duration = stream.duration ?? decoder.mediaInfo.duration, duration > 0 else {
            throw PhimError(.corruptMedia, "its video has no duration", subject: subject)
        }
        let frameCount = max(1, Int((duration * rate).rounded()))
        let frames = try RetimedFrames(url: input, size: size, rate: rate, count: frameCount)

        var audio = ExportAudio.none
        if let sound = decoder.mediaInfo.audio.first {
            // Copied only in a codec MP4 players play (FFmpeg's muxer would also take Vorbis, which most do not).
            let playable = ["aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"].contains(sound.codec)
            audio = playable && (try? AudioPacketReader(url: input)) != nil ? .copy(from: input)
                : .samples(try DecodedSound(url: input), AudioEncoderSettings())
        }
        let provenance = Provenance(sourceType: sourceType, parent: Ingredient(
            title: input.lastPathComponent, format: Ingredient.format(ofFileNamed: input.lastPathComponent),
            relationship: .parentOf, manifest: parentManifest))
        let settings = VideoEncoderSettings(size: size, frameRate: FrameRate(rate), crf: crf, preset: preset)
        var export = VideoExport(video: settings, provenance: provenance, audio: audio, stages: stages, progress: progress,
                                 progressLabel: "label", cancellation: cancellation)
        // A Phim video whose manifest was stripped still carries its watermark: keep it rather than lay a second
        // over it.
        let existing = try WatermarkDetector.read(input, cancellation: cancellation)
        if existing.detected, let payload = existing.payload { export.existingWatermark = payload }
        return try export.write(frames, frameCount: frameCount, to: destination)
    }
}

/// The frames of a video at a constant rate: for each output frame, the input frame on screen at its time (a
/// variable-rate input is sampled evenly; frames past the input's end repeat its last).
private final class RetimedFrames: VideoFrameSource {
    private let cursor: VideoFrameCursor
    private let rate: Double
    private let count: Int
    private var index = 0

    init(url: URL, size: PixelSize, rate: Double, count: Int) throws(PhimError) {
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: size))
        cursor = VideoFrameCursor(decoder: decoder)
        self.rate = rate
        self.count = count
    }

    func nextFrame() throws(PhimError) -> PixelBuffer? {
        guard index < count else { return nil }
        defer { index += 1 }
        guard let frame = try cursor.frame(at: Double(index) / rate) else {
            throw PhimError(.corruptMedia, "its video holds no frame that decodes")
        }
        return frame.pixels
    }
}

/// A file's sound decoded in order, for re-encoding as AAC (when MP4 cannot hold its codec).
private final class DecodedSound: AudioSampleSource {
    private let decoder: AudioDecoder
    private var pending: [Float] = []
    private var ended = false

    init(url: URL) throws(PhimError) { decoder = try AudioDecoder(url: url) }

    func read(frameCount: Int) throws(PhimError) -> [Float] {
        let wanted = frameCount * decoder.channelCount
        while pending.count < wanted, !ended {
            if let chunk = try decoder.nextChunk() { pending += chunk.buffer.samples } else { ended = true }
        }
        var out = Array(pending.prefix(wanted))
        pending.removeFirst(out.count)
        if out.count < wanted { out += repeatElement(0, count: wanted - out.count) }
        return out
    }
}
