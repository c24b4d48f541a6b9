import CDlib
import Foundation
import PhimCore

/// Finds faces in pictures with one of dlib's two detectors.
///
/// - ``Kind/hog``: the HOG + linear SVM detector built into dlib. Fast on a CPU (about 20 ms for a 640×360 picture
///   here); finds frontal and turned faces down to about 80 pixels wide at scale 1, 40 at scale 2.
/// - ``Kind/cnn``: the MMOD CNN detector (`mmod_human_face_detector.dat`). Finds faces at more angles and in harder
///   light; many times slower on a CPU.
///
/// One call runs at a time on a detector (dlib's detectors keep working buffers); make one per thread to detect in
/// parallel.
public final class FaceDetector: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case hog, cnn
    }

    public let kind: Kind
    private let hog: OpaquePointer?
    private let cnn: OpaquePointer?
    private let lock = NSLock()

    /// The most faces one call reports.
    public static let maxFaces = 64

    /// - Parameter models: needed for ``Kind/cnn`` only.
    /// - Throws: `PhimError` when the CNN model is missing or not dlib's MMOD face detector.
    public init(kind: Kind = .hog, models: FaceModels? = nil) throws(PhimError) {
        self.kind = kind
        switch kind {
        case .hog:
            hog = try DlibCall.make("dlib's HOG face detector", subject: nil) { cdlib_hog_detector_create($0, $1) }
            cnn = nil
        case .cnn:
            let models = if let models { models } else { try FaceModels.installed() }
            let path = models.cnnDetector.path
            hog = nil
            cnn = try DlibCall.make("is not dlib's MMOD face detector", code: .unreadableFile,
                                    subject: .file(models.cnnDetector.displayPath)) { cdlib_mmod_detector_load(path, $0, $1) }
        }
    }

    deinit {
        if let hog { cdlib_hog_detector_free(hog) }
        if let cnn { cdlib_mmod_detector_free(cnn) }
    }

    /// The faces in `picture`, most confident first.
    /// - Parameters:
    ///   - scale: the picture is scaled by this before detection (2 finds faces half as small; 0.5 is four times as
    ///     fast and misses faces under about 160 pixels). Boxes come back in `picture`'s pixels.
    ///   - threshold: added to the detector's own threshold (negative finds more, and more false faces).
    public func detect(in picture: PixelBuffer, scale: Double = 1, threshold: Double = 0) throws(PhimError) -> [FaceBox] {
        guard scale > 0, scale <= 8 else {
            throw PhimError(.invalidInput, "the detection scale \(scale) is outside 0...8", subject: .option("detect-scale"))
        }
        var found = [cdlib_detection](repeating: cdlib_detection(), count: Self.maxFaces)
        var count: Int32 = 0
        lock.lock()
        defer { lock.unlock() }
        try DlibCall.withImage(picture) { (image) throws(PhimError) in
            try DlibCall.run("face detection", subject: nil) { error, capacity in
                found.withUnsafeMutableBufferPointer { buffer in
                    switch kind {
                    case .hog: cdlib_hog_detect(hog, image, scale, threshold, buffer.baseAddress, Int32(Self.maxFaces), &count, error, capacity)
                    case .cnn: cdlib_mmod_detect(cnn, image, scale, threshold, buffer.baseAddress, Int32(Self.maxFaces), &count, error, capacity)
                    }
                }
            }
        }
        return found.prefix(Int(min(count, Int32(Self.maxFaces)))).map { d in
            FaceBox(rect: Rect(x: Double(d.left), y: Double(d.top), width: Double(d.right - d.left + 1),
                               height: Double(d.bottom - d.top + 1)),
                    score: d.score, pose: FacePose(dlibFilter: d.pose))
        }
    }
}
