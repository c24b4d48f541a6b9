import Foundation
import PhimCore
import PhimMedia

/// One person of a video, found by a scan (``FaceScanner``), chosen by number when several are seen, and followed
/// through every frame (``FaceTracker``): what a swap draws on, and what a trained swap learns from.
public struct FollowedPerson: Sendable {
    public var identity: FaceScan.Identity
    public var track: FaceTrack
    /// The frames as the track numbers them.
    public var plan: RetimedFrames.Plan

    /// Finds and follows person `person` (or the only one) of the video at `url`.
    /// - Parameters:
    ///   - option: the option that numbers the person (`target-face`), named in errors.
    ///   - unlike: a face the person must not be (the source of a swap): refused when within 0.35 of it.
    /// - Throws: `PhimError` about `subject`: a photo, nobody seen, several and no choice, a face too small, never
    ///   followed, or (`frontal`) turned to the side in every frame.
    public static func follow(_ url: URL, person: Int?, option: String, analyzer: FaceAnalyzer, detectEvery: Int,
                              unlike: FaceDescriptor? = nil, frontal: Bool = true, progress: ProgressHandler?,
                              cancellation: CancellationFlag?, subject: PhimError.Subject) throws(PhimError) -> FollowedPerson {
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        if decoder.streamInfo.isStillImage {
            throw PhimError(.invalidInput, "is a photo, and a video is needed here", subject: subject)
        }
        let plan = try RetimedFrames.plan(for: decoder, subject: subject)
        let scan = try FaceScanner(analyzer: analyzer, progress: progress, cancellation: cancellation).scan(url)
        let chosen = try FaceScan.choose(person, from: scan, written: url.lastPathComponent, option: option, subject: subject)
        if let unlike, chosen.descriptor.distance(to: unlike) <= 0.35 {
            throw PhimError(.invalidInput, "the target's person looks like the source's own face (descriptor distance \(String(format: "%.2f", chosen.descriptor.distance(to: unlike)))); nothing to swap",
                            subject: subject)
        }
        let size = chosen.bestFace.landmarks.interocularDistance
        guard size >= ConsentFace.minInterocularPixels else {
            throw PhimError(.invalidInput, String(format: "person %d's face is too small to swap (%.0f pixels between the eyes at its largest; at least %.0f)",
                                                  chosen.number, size, ConsentFace.minInterocularPixels), subject: subject)
        }
        let others = scan.identities.filter { $0.number != chosen.number }.map(\.descriptor)
        let tracker = FaceTracker(analyzer: analyzer, detectEvery: detectEvery, identity: chosen.descriptor, others: others,
                                  progress: progress, cancellation: cancellation)
        let track = try tracker.track(try RetimedFrames(url: url, plan: plan), plan: plan)
        guard track.framesCovered > 0 else {
            throw PhimError(.invalidInput, "person \(chosen.number)'s face could not be followed in any frame", subject: subject)
        }
        if frontal, !track.smoothed.contains(where: { $0.map(FaceSwapper.canCover) ?? false }) {
            throw PhimError(.invalidInput, "person \(chosen.number) is turned to the side in every frame; a frontal face cannot cover a profile",
                            subject: subject)
        }
        return FollowedPerson(identity: chosen, track: track, plan: plan)
    }
}
