import Foundation
import PhimCore
import PhimMedia
import PhimProvenance

/// `phim swap`: one person's face on another's in a video, only under a consent record that the source face's owner
/// signed, and always labelled. The consent is checked before any work; the target's person is found and followed
/// through the video (``FaceTracker``), then every frame is decoded again, swapped (``FaceSwapper``) and exported
/// with the target's sound, an invisible watermark and a signed manifest that calls the video a composite made with
/// trained models and names the consent file by hash.
public struct FaceSwapJob: Sendable {
    public var source: URL
    public var target: URL
    public var consent: URL
    /// Which person of a source video (as `phim faces` numbers them); `nil` when it shows one.
    public var sourcePerson: Int?
    /// Which person of the target video is replaced; `nil` when it shows one.
    public var targetPerson: Int?
    public var colorTransfer: ColorTransferMethod
    public var mask: FaceMask.Shape
    /// Give the face the target's lighting (``FaceSwapper/relighting``); `false` keeps the source photo's.
    public var relight: Bool
    public var detector: FaceDetector.Kind
    public var detectEvery: Int
    public var crf: Int
    public var preset: String
    /// Certificates trusted to sign consent records, besides this machine's Phim CA (PEM texts).
    public var trustAnchors: [String]
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    public init(source: URL, target: URL, consent: URL, sourcePerson: Int? = nil, targetPerson: Int? = nil,
                colorTransfer: ColorTransferMethod = .rct, mask: FaceMask.Shape = FaceMask.Shape(), relight: Bool = true, detector: FaceDetector.Kind = .hog,
                detectEvery: Int = 6, crf: Int = 18, preset: String = "veryfast", trustAnchors: [String] = [],
                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) {
        self.source = source
        self.target = target
        self.consent = consent
        self.sourcePerson = sourcePerson
        self.targetPerson = targetPerson
        self.colorTransfer = colorTransfer
        self.mask = mask
        self.relight = relight
        self.detector = detector
        self.detectEvery = detectEvery
        self.crf = crf
        self.preset = preset
        self.trustAnchors = trustAnchors
        self.progress = progress
        self.cancellation = cancellation
    }

    /// What a finished swap did.
    public struct Result: Sendable {
        public var export: ExportReport
        public var track: FaceTrack
        public var approval: ConsentCheck.Approval
        public var source: SourceFace
        /// The replaced person's descriptor (the mean over the target video).
        public var targetDescriptor: FaceDescriptor
        public var framesSwapped: Int
    }

    /// Swaps and writes the video to `destination`.
    /// - Throws: `PhimError` naming the file or option at fault (no face, several and no choice, a face too small or
    ///   turned, a consent that does not hold, corrupt media); nothing is then left at `destination`.
    public func write(to destination: URL, analyzer given: FaceAnalyzer? = nil) throws(PhimError) -> Result {
        let out = destination.standardizedFileURL.resolvingSymlinksInPath().path
        for input in [source, target, consent] where input.standardizedFileURL.resolvingSymlinksInPath().path == out {
            throw PhimError(.invalidInput, "the output would replace an input; write the swap elsewhere", subject: .file(destination))
        }
        let targetSubject = PhimError.Subject.file(target)
        _ = try InputFile.check(target, subject: targetSubject)
        _ = try InputFile.check(consent, subject: .file(consent))
        let analyzer = if let given { given } else { try FaceAnalyzer(detector: detector) }

        // The consent first: nothing is done for a face whose owner did not agree.
        let sourceFace = try SourceFace.load(source, person: sourcePerson, analyzer: analyzer, subject: .file(source))
        let verifier = C2PAVerifier.localAuthority(plus: trustAnchors)
        let approval = try ConsentCheck().approve(consent, for: [sourceFace.descriptor], verifier: verifier, subject: .file(consent))
        try cancellation?.check()

        let decoder = try VideoDecoder(url: target, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        if decoder.streamInfo.isStillImage {
            throw PhimError(.invalidInput, "the target is a photo; phim swap writes videos, so give a video as --target", subject: targetSubject)
        }
        let plan = try RetimedFrames.plan(for: decoder, subject: targetSubject)
        let scan = try FaceScanner(analyzer: analyzer, progress: progress, cancellation: cancellation).scan(target)
        let person = try FaceScan.choose(targetPerson, from: scan, written: target.lastPathComponent, option: "target-face",
                                         subject: targetSubject)
        if person.descriptor.distance(to: sourceFace.descriptor) <= 0.35 {
            throw PhimError(.invalidInput, "the target's person looks like the source's own face (descriptor distance \(String(format: "%.2f", person.descriptor.distance(to: sourceFace.descriptor)))); nothing to swap",
                            subject: targetSubject)
        }
        let size = person.bestFace.landmarks.interocularDistance
        guard size >= ConsentFace.minInterocularPixels else {
            throw PhimError(.invalidInput, String(format: "person %d's face is too small to swap (%.0f pixels between the eyes at its largest; at least %.0f)",
                                                  person.number, size, ConsentFace.minInterocularPixels), subject: targetSubject)
        }
        let others = scan.identities.filter { $0.number != person.number }.map(\.descriptor)
        let tracker = FaceTracker(analyzer: analyzer, detectEvery: detectEvery, identity: person.descriptor, others: others,
                                  progress: progress, cancellation: cancellation)
        let track = try tracker.track(try RetimedFrames(url: target, plan: plan), plan: plan)
        guard track.framesCovered > 0 else {
            throw PhimError(.invalidInput, "person \(person.number)'s face could not be followed in any frame", subject: targetSubject)
        }
        guard track.smoothed.contains(where: { $0.map(FaceSwapper.canCover) ?? false }) else {
            throw PhimError(.invalidInput, "person \(person.number) is turned to the side in every frame; a frontal face cannot cover a profile",
                            subject: targetSubject)
        }

        let stage = FaceSwapStage(swapper: FaceSwapper(source: sourceFace, colorTransfer: colorTransfer, mask: mask,
                                                         relighting: relight ? 0.3 : nil), track: track)
        let provenance = Provenance(
            sourceType: .compositeWithTrainedAlgorithmicMedia,
            parent: Ingredient(title: target.lastPathComponent, format: Ingredient.format(ofFileNamed: target.lastPathComponent),
                               relationship: .parentOf, manifest: verifier.carriedManifest(target)),
            components: [Ingredient(title: source.lastPathComponent, format: Ingredient.format(ofFileNamed: source.lastPathComponent),
                                    relationship: .inputTo)],
            parentChange: .edited,
            faceSwap: FaceSwapRecord(method: "classical", consentSHA256: approval.fileHash, purpose: approval.record.purpose,
                                     consentSigner: approval.signer))
        let settings = VideoEncoderSettings(size: plan.size, frameRate: FrameRate(plan.rate), crf: crf, preset: preset)
        let export = VideoExport(video: settings, provenance: provenance, audio: try ExportAudio.sound(of: target, decoder: decoder),
                                 stages: [stage], progress: progress, progressLabel: "swap", cancellation: cancellation)
        let report = try export.write(try RetimedFrames(url: target, plan: plan), frameCount: plan.count, to: destination)
        return Result(export: report, track: track, approval: approval, source: sourceFace, targetDescriptor: person.descriptor,
                      framesSwapped: stage.swapped)
    }
}
