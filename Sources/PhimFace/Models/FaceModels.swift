import Foundation
import PhimCore

/// The dlib model files PhimFace reads, and where they are found.
///
/// - The 68-point shape predictor comes with Debian's `libdlib-data` (`/usr/share/dlib`).
/// - The ResNet face descriptor and the MMOD CNN detector come from PyPI's `face_recognition_models` (CC0), which
///   `make deps` fetches and unpacks into `~/.cache/phim/face-models` (`$XDG_CACHE_HOME/phim/face-models`).
///
/// `PHIM_FACE_MODELS` names a folder searched first, for all three.
public struct FaceModels: Sendable, Hashable {
    public var shapePredictor: URL
    public var faceEncoder: URL
    public var cnnDetector: URL

    public static let shapePredictorFile = "shape_predictor_68_face_landmarks.dat"
    public static let faceEncoderFile = "dlib_face_recognition_resnet_model_v1.dat"
    public static let cnnDetectorFile = "mmod_human_face_detector.dat"

    public init(shapePredictor: URL, faceEncoder: URL, cnnDetector: URL) {
        self.shapePredictor = shapePredictor
        self.faceEncoder = faceEncoder
        self.cnnDetector = cnnDetector
    }

    /// The folders searched, in order.
    public static func searchFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var folders: [URL] = []
        if let named = environment["PHIM_FACE_MODELS"], !named.isEmpty { folders.append(URL(fileURLWithPath: named)) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        folders.append(URL(fileURLWithPath: cache).appendingPathComponent("phim/face-models"))
        folders.append(URL(fileURLWithPath: "/usr/share/dlib"))
        return folders
    }

    /// The installed models, found in ``searchFolders(environment:)``.
    /// - Throws: `PhimError` `.unsupported` saying which file is missing and how to install it.
    public static func installed(environment: [String: String] = ProcessInfo.processInfo.environment) throws(PhimError) -> FaceModels {
        let folders = searchFolders(environment: environment)
        func find(_ name: String, installedBy: String) throws(PhimError) -> URL {
            for folder in folders {
                let url = folder.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { return url }
            }
            throw PhimError(.unsupported, "the face model \(name) is not installed; \(installedBy)", subject: .value("faces"))
        }
        return FaceModels(
            shapePredictor: try find(shapePredictorFile, installedBy: "install Debian's libdlib-data (make deps)"),
            faceEncoder: try find(faceEncoderFile, installedBy: "run make deps (it unpacks PyPI's face_recognition_models)"),
            cnnDetector: try find(cnnDetectorFile, installedBy: "run make deps (it unpacks PyPI's face_recognition_models)"))
    }
}
