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
        let plan = try RetimedFrames.plan(for: decoder, subject: subject)
        let frames = try RetimedFrames(url: input, plan: plan)

        let audio = try ExportAudio.sound(of: input, decoder: decoder)
        let provenance = Provenance(sourceType: sourceType, parent: Ingredient(
            title: input.lastPathComponent, format: Ingredient.format(ofFileNamed: input.lastPathComponent),
            relationship: .parentOf, manifest: parentManifest))
        let settings = VideoEncoderSettings(size: plan.size, frameRate: FrameRate(plan.rate), crf: crf, preset: preset)
        var export = VideoExport(video: settings, provenance: provenance, audio: audio, stages: stages, progress: progress,
                                 progressLabel: "label", cancellation: cancellation)
        // A Phim video whose manifest was stripped still carries its watermark: keep it rather than lay a second
        // over it.
        let existing = try WatermarkDetector.read(input, cancellation: cancellation)
        if existing.detected, let payload = existing.payload { export.existingWatermark = payload }
        return try export.write(frames, frameCount: plan.count, to: destination)
    }
}
