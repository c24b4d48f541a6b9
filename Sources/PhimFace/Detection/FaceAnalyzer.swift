import Foundation
import PhimCore

/// Detector, landmark predictor and descriptor network together: every face in a picture, with its landmarks and,
/// when asked, its descriptor.
public final class FaceAnalyzer: Sendable {
    public let detector: FaceDetector
    public let predictor: LandmarkPredictor
    public let encoder: FaceEncoder

    public init(models: FaceModels, detector kind: FaceDetector.Kind = .hog) throws(PhimError) {
        detector = try FaceDetector(kind: kind, models: models)
        predictor = try LandmarkPredictor(models: models)
        encoder = try FaceEncoder(models: models)
    }

    /// The installed models (``FaceModels/installed(environment:)``).
    public convenience init(detector kind: FaceDetector.Kind = .hog) throws(PhimError) {
        try self.init(models: try FaceModels.installed(), detector: kind)
    }

    /// Every face in `picture`, most confident first.
    /// - Parameters:
    ///   - scale: the detector's scale (see ``FaceDetector/detect(in:scale:threshold:)``).
    ///   - describe: also compute each face's descriptor.
    public func faces(in picture: PixelBuffer, scale: Double = 1, describe: Bool = true) throws(PhimError) -> [Face] {
        try detector.detect(in: picture, scale: scale).map { (box) throws(PhimError) -> Face in
            let landmarks = try predictor.landmarks(in: picture, box: box)
            let descriptor = describe ? try encoder.descriptor(of: landmarks, in: picture) : nil
            return Face(box: box, landmarks: landmarks, descriptor: descriptor)
        }
    }
}
