import CDlib
import Foundation
import PhimCore

/// dlib's 68-point shape predictor (Kazemi and Sullivan's regression trees): a face's landmarks from its box, in
/// about a millisecond.
public final class LandmarkPredictor: @unchecked Sendable {
    private let predictor: OpaquePointer
    private let lock = NSLock()

    /// - Throws: `PhimError` naming the file when it is missing or not a 68-point shape predictor.
    public init(models: FaceModels) throws(PhimError) {
        let url = models.shapePredictor
        var parts: Int32 = 0
        let path = url.path
        predictor = try DlibCall.make("is not a dlib shape predictor", code: .unreadableFile, subject: .file(url.displayPath)) {
            cdlib_shape_predictor_load(path, &parts, $0, $1)
        }
        guard parts == Int32(FaceLandmarks.count) else {
            cdlib_shape_predictor_free(predictor)
            throw PhimError(.unreadableFile, "predicts \(parts) points, not 68", subject: .file(url.displayPath))
        }
    }

    deinit { cdlib_shape_predictor_free(predictor) }

    /// The landmarks of the face in `box`.
    public func landmarks(in picture: PixelBuffer, box: FaceBox) throws(PhimError) -> FaceLandmarks {
        var xy = [Double](repeating: 0, count: 2 * FaceLandmarks.count)
        let corners = box.corners
        lock.lock()
        defer { lock.unlock() }
        try DlibCall.withImage(picture) { (image) throws(PhimError) in
            try DlibCall.run("landmark prediction", subject: nil) { error, capacity in
                corners.withUnsafeBufferPointer { c in
                    xy.withUnsafeMutableBufferPointer { cdlib_shape_predict(predictor, image, c.baseAddress, $0.baseAddress, error, capacity) }
                }
            }
        }
        return FaceLandmarks(points: (0..<FaceLandmarks.count).map { Point(x: xy[2 * $0], y: xy[2 * $0 + 1]) })
    }
}
