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
    /// The run folder of `phim swap train` whose model draws the face; `nil` for the classical swap.
    public var model: URL?
    /// With a model: how much of the target's fine detail goes over its drawing (``ModelRenderer/detail``).
    public var targetDetail: Double = 0
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

    public init(source: URL, target: URL, consent: URL, sourcePerson: Int? = nil, targetPerson: Int? = nil, model: URL? = nil,
                colorTransfer: ColorTransferMethod = .rct, mask: FaceMask.Shape = FaceMask.Shape(), relight: Bool = true, detector: FaceDetector.Kind = .hog,
                detectEvery: Int = 6, crf: Int = 18, preset: String = "veryfast", trustAnchors: [String] = [],
                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) {
        self.source = source
        self.target = target
        self.consent = consent
        self.sourcePerson = sourcePerson
        self.targetPerson = targetPerson
        self.model = model
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

    /// The person of a photo target, as a one-frame track.
    private func photoTarget(unlike source: FaceDescriptor, analyzer: FaceAnalyzer) throws(PhimError)
        -> (FaceScan.Identity, FaceTrack, RetimedFrames.Plan) {
        let subject = PhimError.Subject.file(target)
        let scan = try FaceScanner(analyzer: analyzer, progress: progress, cancellation: cancellation).scan(target)
        let person = try FaceScan.choose(targetPerson, from: scan, written: target.lastPathComponent, option: "target-face", subject: subject)
        if person.descriptor.distance(to: source) <= 0.35 {
            throw PhimError(.invalidInput, String(format: "the target's person looks like the source's own face (descriptor distance %.2f); nothing to swap",
                                                  person.descriptor.distance(to: source)), subject: subject)
        }
        let landmarks = person.bestFace.landmarks
        guard landmarks.interocularDistance >= ConsentFace.minInterocularPixels else {
            throw PhimError(.invalidInput, String(format: "person %d's face is too small to swap (%.0f pixels between the eyes; at least %.0f)",
                                                  person.number, landmarks.interocularDistance, ConsentFace.minInterocularPixels), subject: subject)
        }
        guard FaceSwapper.canCover(landmarks) else {
            throw PhimError(.invalidInput, "person \(person.number) is turned to the side; a frontal face cannot cover a profile", subject: subject)
        }
        let plan = RetimedFrames.Plan(size: scan.frameSize, rate: 1, count: 1)
        return (person, FaceTrack(plan: plan, found: [landmarks], smoothed: [landmarks], detections: 1), plan)
    }

    /// Swaps and writes the video (or, for a photo target, the PNG) to `destination`.
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
        let trained = try model.map { url throws(PhimError) in try SwapTraining.loadModel(url) }
        if let trained, let model, trained.sidecar.source.descriptor.distance(to: sourceFace.descriptor) > FaceDescriptor.samePersonDistance {
            throw PhimError(.invalidInput, String(format: "was trained on another person's face than the source's (descriptor distance %.2f)",
                                                  trained.sidecar.source.descriptor.distance(to: sourceFace.descriptor)), subject: .file(model))
        }
        try cancellation?.check()

        let decoder = try VideoDecoder(url: target, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        let photo = decoder.streamInfo.isStillImage
        if photo, destination.pathExtension.lowercased() != "png" {
            throw PhimError(.invalidInput, "the target is a photo, so the swap is a PNG; name the output .png", subject: .file(destination))
        }
        let (person, track, plan): (FaceScan.Identity, FaceTrack, RetimedFrames.Plan)
        if photo {
            (person, track, plan) = try photoTarget(unlike: sourceFace.descriptor, analyzer: analyzer)
        } else {
            let followed = try FollowedPerson.follow(target, person: targetPerson, option: "target-face", analyzer: analyzer,
                                                     detectEvery: detectEvery, unlike: sourceFace.descriptor, progress: progress,
                                                     cancellation: cancellation, subject: targetSubject)
            (person, track, plan) = (followed.identity, followed.track, followed.plan)
        }
        if let trained, let model, trained.sidecar.target.descriptor.distance(to: person.descriptor) > FaceDescriptor.samePersonDistance {
            throw PhimError(.invalidInput, String(format: "was trained for another target person than the one in %@ (descriptor distance %.2f); train a model for this pair",
                                                  target.lastPathComponent.quoted(), trained.sidecar.target.descriptor.distance(to: person.descriptor)),
                            subject: .file(model))
        }

        let swapper = if let trained {
            // The model draws the target's own mouth, open or not: nothing of the target's is kept inside the face.
            FaceSwapper(renderer: ModelRenderer(model: trained.model, detail: Float(targetDetail)), colorTransfer: colorTransfer,
                        mask: FaceMask.Shape(erosion: mask.erosion, feather: mask.feather, mouthFeather: mask.mouthFeather, keepMouth: false),
                        relighting: relight ? 0.3 : nil)
        } else {
            FaceSwapper(source: sourceFace, colorTransfer: colorTransfer, mask: mask, relighting: relight ? 0.3 : nil)
        }
        let method = trained.map { "trained (\($0.sidecar.config.architecture), \($0.sidecar.config.size) px, step \($0.sidecar.step))" } ?? "classical"
        let provenance = Provenance(
            sourceType: .compositeWithTrainedAlgorithmicMedia,
            parent: Ingredient(title: target.lastPathComponent, format: Ingredient.format(ofFileNamed: target.lastPathComponent),
                               relationship: .parentOf, manifest: verifier.carriedManifest(target)),
            components: [Ingredient(title: source.lastPathComponent, format: Ingredient.format(ofFileNamed: source.lastPathComponent),
                                    relationship: .inputTo)],
            parentChange: .edited,
            faceSwap: FaceSwapRecord(method: method, consentSHA256: approval.fileHash, purpose: approval.record.purpose,
                                     consentSigner: approval.signer))
        if photo {
            guard let frame = try decoder.nextFrame() else { throw PhimError(.corruptMedia, "holds no picture", subject: targetSubject) }
            var picture = frame.pixels
            let swapped = try track.smoothed[0].map { landmarks throws(PhimError) in try swapper.swap(&picture, onto: landmarks) } ?? false
            let export = try SignedStill.write(picture, provenance: provenance, to: destination)
            return Result(export: export, track: track, approval: approval, source: sourceFace, targetDescriptor: person.descriptor,
                          framesSwapped: swapped ? 1 : 0)
        }
        let stage = FaceSwapStage(swapper: swapper, track: track)
        let settings = VideoEncoderSettings(size: plan.size, frameRate: FrameRate(plan.rate), crf: crf, preset: preset)
        let export = VideoExport(video: settings, provenance: provenance, audio: try ExportAudio.sound(of: target, decoder: decoder),
                                 stages: [stage], progress: progress, progressLabel: "swap", cancellation: cancellation)
        let report = try export.write(try RetimedFrames(url: target, plan: plan), frameCount: plan.count, to: destination)
        return Result(export: report, track: track, approval: approval, source: sourceFace, targetDescriptor: person.descriptor,
                      framesSwapped: stage.swapped)
    }
}
