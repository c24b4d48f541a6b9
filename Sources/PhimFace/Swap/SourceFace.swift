import Foundation
import PhimCore
import PhimMedia

/// The face a swap puts in: a crop of its picture, its landmarks, its descriptor, and the mesh its landmarks are
/// cut into (triangulated once, here, and used for every frame).
public struct SourceFace: Sendable {
    /// The face and some margin, cut from its picture (``RGBImage/origin`` says where).
    public var image: RGBImage
    /// The landmarks, in the coordinates of the picture the crop came from.
    public var landmarks: FaceLandmarks
    /// The descriptor (averaged over jittered crops), which the consent record must match.
    public var descriptor: FaceDescriptor
    public var mesh: [Triangle]
    /// The full picture the face came from, for reports.
    public var picture: PixelBuffer

    public init(face: Face, in picture: PixelBuffer, descriptor: FaceDescriptor) {
        let margin = face.landmarks.interocularDistance
        image = RGBImage(picture, rect: PixelRect(covering: face.landmarks.bounds, margin: margin, clippedTo: picture.size))
        landmarks = face.landmarks
        self.descriptor = descriptor
        mesh = Delaunay.triangulate(face.landmarks.points)
        self.picture = picture
    }

    /// The source face of a photo (its only face) or of a video (the largest, most frontal view of its only person,
    /// or of person `person` as `phim faces` numbers them).
    /// - Throws: `PhimError` about `subject` when the file is missing or undecodable, when it has no usable face, or
    ///   when a video shows several people and `person` does not choose one.
    public static func load(_ url: URL, person: Int? = nil, analyzer: FaceAnalyzer,
                            subject: PhimError.Subject) throws(PhimError) -> SourceFace {
        _ = try InputFile.check(url, subject: subject)
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        let written = url.lastPathComponent
        if decoder.streamInfo.isStillImage {
            guard let frame = try decoder.nextFrame() else { throw PhimError(.corruptMedia, "holds no picture", subject: subject) }
            if let person, person != 1 {
                throw PhimError(.invalidInput, "the photo has one face to choose; person \(person) is not in it", subject: subject)
            }
            let face = try ConsentFace.onlyFace(in: frame.pixels, analyzer: analyzer, subject: subject, written: written)
            let descriptor = try analyzer.encoder.descriptor(of: face.landmarks, in: frame.pixels, jitters: 10)
            return SourceFace(face: face, in: frame.pixels, descriptor: descriptor)
        }
        let scan = try FaceScanner(analyzer: analyzer).scan(url)
        let identity = try FaceScan.choose(person, from: scan, written: written, option: "source-face", subject: subject)
        // The frame with the person's largest face: decode up to it.
        let cursor = VideoFrameCursor(decoder: try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied)))
        guard let frame = try cursor.frame(at: identity.bestTime) else {
            throw PhimError(.corruptMedia, "its frame at \(identity.bestTime) s does not decode", subject: subject)
        }
        let face = identity.bestFace
        guard face.landmarks.interocularDistance >= ConsentFace.minInterocularPixels, !face.landmarks.isTurned else {
            throw PhimError(.invalidInput, "person \(identity.number)'s best view in \(written.quoted()) is too small or turned away; use a photo",
                            subject: subject)
        }
        let descriptor = try analyzer.encoder.descriptor(of: face.landmarks, in: frame.pixels, jitters: 10)
        return SourceFace(face: face, in: frame.pixels, descriptor: descriptor)
    }
}

extension FaceScan {
    /// The identity numbered `person`, or the only one when `person` is `nil`.
    /// - Throws: `PhimError` `.invalidInput` about `subject` when nobody is seen, when `person` is not among them, or
    ///   when several are and `person` is `nil` (the message says how to number them).
    public static func choose(_ person: Int?, from scan: FaceScan, written: String, option: String,
                              subject: PhimError.Subject) throws(PhimError) -> FaceScan.Identity {
        guard !scan.identities.isEmpty else {
            throw PhimError(.invalidInput, "no face found in \(written.quoted())", subject: subject)
        }
        if let person {
            guard let identity = scan.identity(person) else {
                throw PhimError(.invalidInput, "--\(option) \(person): \(written.quoted()) shows \(scan.identities.count) \(scan.identities.count == 1 ? "person" : "people"), numbered 1…\(scan.identities.count) by `phim faces`",
                                subject: .option(option))
            }
            return identity
        }
        guard scan.identities.count == 1 else {
            throw PhimError(.invalidInput, "\(written.quoted()) shows \(scan.identities.count) people; choose one with --\(option) N (`phim faces \(written) --sheet faces.png` numbers them)",
                            subject: subject)
        }
        return scan.identities[0]
    }
}
