import Foundation
import PhimCore
import PhimFace
import PhimMedia
import PhimTesting
import Testing

/// dlib's detector, landmarks and descriptor through CDlib, on real photos: Messi (opencv-doc's messi5.jpg) and
/// Eileen Collins (scikit-image's astronaut.png).
@Suite struct FaceAnalysisTests {
    static let analyzer = Result { try FaceAnalyzer() }

    func analyzer() throws -> FaceAnalyzer { try Self.analyzer.get() }

    @Test func findsTheOneFaceInEachPhotoWithLandmarksOnIt() throws {
        // Messi's face is about 40 pixels wide: the detector needs the picture doubled.
        for (name, scale) in [("messi5.jpg", 2.0), ("astronaut.png", 1)] {
            let picture = try ImageLoader.load(try SampleMedia.url(name))
            let faces = try analyzer().faces(in: picture, scale: scale, describe: false)
            #expect(faces.count == 1, "\(name): \(faces.map(\.box))")
            let face = try #require(faces.first)
            #expect(face.box.score > 0)
            #expect(face.landmarks.points.count == 68)
            // Landmarks lie on the face: nearly all inside the box grown by a quarter, and the eyes above the mouth.
            let box = face.box.rect
            let grown = Rect(x: box.x - box.width / 4, y: box.y - box.height / 4, width: box.width * 1.5, height: box.height * 1.5)
            let inside = face.landmarks.points.filter { grown.contains($0) }.count
            #expect(inside >= 66, "\(name): \(inside) of 68 landmarks near the box \(box)")
            let eyes = face.landmarks.centre(of: FaceLandmarks.rightEye).y + face.landmarks.centre(of: FaceLandmarks.leftEye).y
            #expect(eyes / 2 < face.landmarks.centre(of: FaceLandmarks.outerMouth).y)
            #expect(face.landmarks.interocularDistance > box.width / 4)
        }
    }

    @Test func descriptorsTellTwoPeopleApartAndKnowOneAgainMirrored() throws {
        let messi = try ImageLoader.load(try SampleMedia.url("messi5.jpg"))
        let collins = try ImageLoader.load(try SampleMedia.url("astronaut.png"))
        let a = try #require(try analyzer().faces(in: messi, scale: 2).first?.descriptor)
        let b = try #require(try analyzer().faces(in: collins).first?.descriptor)
        let mirrored = try #require(try analyzer().faces(in: messi.mirroredForTests(), scale: 2).first?.descriptor)
        #expect(a.distance(to: b) > FaceDescriptor.samePersonDistance, "\(a.distance(to: b))")
        #expect(a.distance(to: mirrored) < 0.4, "\(a.distance(to: mirrored))")
    }

    @Test func aPictureWithoutAFaceHasNone() throws {
        let picture = try ImageLoader.load(try SampleMedia.url("fruits.jpg"))
        #expect(try analyzer().faces(in: picture).isEmpty)
    }

    @Test func aSmallFaceIsFoundWhenThePictureIsScaledUp() throws {
        let collins = try ImageLoader.load(try SampleMedia.url("astronaut.png"))
        let small = try ImageLoader.load(try SampleMedia.url("astronaut.png"),
                                         size: PixelSize(width: collins.width / 3, height: collins.height / 3))
        let detector = try analyzer().detector
        let atOne = try detector.detect(in: small, scale: 1)
        let atTwo = try detector.detect(in: small, scale: 2)
        #expect(atOne.isEmpty, "\(atOne)")
        #expect(atTwo.count == 1, "\(atTwo)")
        // The box is in the small picture's pixels.
        if let box = atTwo.first?.rect { #expect(box.x + box.width <= Double(small.width) + 1) }
    }

    @Test func aFileThatIsNotAModelIsNamed() throws {
        let folder = TemporaryFolder()
        let bogus = folder.file(FaceModels.faceEncoderFile)
        try Data("not a network".utf8).write(to: bogus)
        var models = try FaceModels.installed()
        models.faceEncoder = bogus
        #expect {
            _ = try FaceEncoder(models: models)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(bogus.path) && !text.contains("\n")
        }
        models.faceEncoder = folder.file("missing.dat")
        #expect(throws: PhimError.self) { _ = try FaceEncoder(models: models) }
    }

    @Test func missingModelsSayHowToInstallThem() throws {
        let folder = TemporaryFolder()
        #expect {
            _ = try FaceModels.installed(environment: ["HOME": folder.url.path, "PHIM_FACE_MODELS": folder.url.path])
        } throws: { error in
            "\(error)".contains("make deps") && "\(error)".contains(FaceModels.faceEncoderFile)
        }
    }
}

extension PixelBuffer {
    /// The picture mirrored left to right.
    func mirroredForTests() -> PixelBuffer {
        var out = PixelBuffer(size: size, format: format)
        let row = bytesPerRow, w = width
        withUnsafeBytes { source in
            out.withUnsafeMutableBytes { target in
                for y in 0..<height {
                    for x in 0..<w {
                        for c in 0..<4 { target[y * row + (w - 1 - x) * 4 + c] = source[y * row + x * 4 + c] }
                    }
                }
            }
        }
        return out
    }
}

extension Rect {
    func contains(_ p: Point) -> Bool { p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height }
}
