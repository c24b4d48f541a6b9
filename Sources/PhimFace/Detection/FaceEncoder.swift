import CDlib
import Foundation
import PhimCore

/// dlib's ResNet face descriptor network: a 128-D ``FaceDescriptor`` of a face from its landmarks (the face is cut
/// out, aligned to 150×150 and run through the network; about 0.1–0.2 s on one core).
public final class FaceEncoder: @unchecked Sendable {
    private let encoder: OpaquePointer
    private let lock = NSLock()

    /// - Throws: `PhimError` naming the file when it is missing or not dlib's face descriptor network.
    public init(models: FaceModels) throws(PhimError) {
        let url = models.faceEncoder
        let path = url.path
        encoder = try DlibCall.make("is not dlib's face descriptor network", code: .unreadableFile, subject: .file(url.displayPath)) {
            cdlib_face_encoder_load(path, $0, $1)
        }
    }

    deinit { cdlib_face_encoder_free(encoder) }

    /// The descriptor of the face with `landmarks` in `picture`.
    /// - Parameter jitters: also average this many randomly jittered crops (each as slow as the first).
    public func descriptor(of landmarks: FaceLandmarks, in picture: PixelBuffer, jitters: Int = 0) throws(PhimError) -> FaceDescriptor {
        var values = [Float](repeating: 0, count: FaceDescriptor.dimensions)
        let xy = landmarks.points.flatMap { [$0.x, $0.y] }
        let parts = Int32(landmarks.points.count)
        lock.lock()
        defer { lock.unlock() }
        try DlibCall.withImage(picture) { (image) throws(PhimError) in
            try DlibCall.run("the face descriptor", subject: nil) { error, capacity in
                xy.withUnsafeBufferPointer { points in
                    values.withUnsafeMutableBufferPointer {
                        cdlib_face_encode(encoder, image, points.baseAddress, parts, Int32(jitters), $0.baseAddress, error, capacity)
                    }
                }
            }
        }
        return FaceDescriptor(values: values)
    }
}
