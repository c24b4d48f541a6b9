import Foundation
import PhimCore

/// The one face of a consenting person's photo.
public enum ConsentFace {
    /// The fewest pixels between the eyes for a descriptor worth binding a consent to.
    public static let minInterocularPixels = 20.0

    /// The descriptor of the only face in `picture` (averaged over ten jittered crops).
    /// - Throws: `PhimError` `.invalidInput` about `subject` when there is no face, more than one, or it is too small
    ///   or turned away.
    public static func only(in picture: PixelBuffer, analyzer: FaceAnalyzer, subject: PhimError.Subject,
                            written: String) throws(PhimError) -> FaceDescriptor {
        let face = try onlyFace(in: picture, analyzer: analyzer, subject: subject, written: written)
        return try analyzer.encoder.descriptor(of: face.landmarks, in: picture, jitters: 10)
    }

    /// The only face in `picture`, with its landmarks (no descriptor).
    /// - Parameter frontal: refuse a face turned to the side.
    /// - Throws: as ``only(in:analyzer:subject:written:)``.
    public static func onlyFace(in picture: PixelBuffer, analyzer: FaceAnalyzer, subject: PhimError.Subject,
                                written: String, frontal: Bool = true) throws(PhimError) -> Face {
        let faces = try analyzer.findFaces(in: picture, describe: false)
        guard let face = faces.first else {
            throw PhimError(.invalidInput, "no face found in \(written.quoted()); use a frontal photo of the person", subject: subject)
        }
        guard faces.count == 1 else {
            throw PhimError(.invalidInput, "\(faces.count) faces found in \(written.quoted()); use a photo of the person alone", subject: subject)
        }
        guard face.landmarks.interocularDistance >= minInterocularPixels else {
            throw PhimError(.invalidInput, String(format: "the face in %@ is too small (%.0f pixels between the eyes; at least %.0f)",
                                                  written.quoted(), face.landmarks.interocularDistance, minInterocularPixels), subject: subject)
        }
        guard !frontal || !face.landmarks.isTurned else {
            throw PhimError(.invalidInput, "the face in \(written.quoted()) is turned to the side; use a frontal photo", subject: subject)
        }
        return face
    }
}
