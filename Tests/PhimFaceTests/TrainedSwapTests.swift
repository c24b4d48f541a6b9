import Foundation
import PhimCore
@testable import PhimFace
import PhimMedia
import PhimTensor
import PhimTesting
import Testing

/// The parts of the trained swap: the alignment of faces to a fixed crop, the face sets, the structural similarity,
/// the random moves and warps, and the model learning both people's faces.
@Suite(.serialized) struct TrainedSwapTests {
    static let analyzer = Result { try FaceAnalyzer() }

    /// The only face of a sample photo and the photo.
    static func face(_ name: String) throws -> (Face, PixelBuffer) {
        let picture = try ImageLoader.load(try SampleMedia.url(name))
        let face = try ConsentFace.onlyFace(in: picture, analyzer: try analyzer.get(), subject: .file(name), written: name)
        return (face, picture)
    }

    @Test func theInverseOfASimilarityUndoesIt() {
        let t = SimilarityTransform(a: 0.8, b: -0.35, tx: 12.5, ty: -7)
        for p in [Point(x: 0, y: 0), Point(x: 100, y: -40), Point(x: -3.5, y: 77)] {
            let back = t.inverse.apply(t.apply(p))
            #expect(abs(back.x - p.x) < 1e-9 && abs(back.y - p.y) < 1e-9)
        }
    }

    @Test func alignmentPutsTheEyesAndMouthInTheirPlacesWhateverTheFacesPlaceSizeAndRoll() throws {
        let (face, _) = try Self.face("obama.jpg")
        // The same face moved, shrunk and rolled by 20°: its alignment must land it in the same place.
        let roll = SimilarityTransform(a: 0.6 * cos(0.35), b: 0.6 * sin(0.35), tx: 300, ty: -50)
        let rolled = FaceLandmarks(points: face.landmarks.points.map(roll.apply))
        for landmarks in [face.landmarks, rolled] {
            let alignment = FaceAlignment(landmarks: landmarks, size: 64)
            let aligned = alignment.aligned(landmarks)
            let rightEye = aligned.centre(of: FaceLandmarks.rightEye), leftEye = aligned.centre(of: FaceLandmarks.leftEye)
            // Three anchors and four degrees of freedom: the eyes land within a pixel of their places, level.
            #expect(abs(rightEye.x - 0.35 * 64) < 1.5 && abs(leftEye.x - 0.65 * 64) < 1.5, "\(rightEye) \(leftEye)")
            #expect(abs(rightEye.y - leftEye.y) < 1, "the eyes are level: \(rightEye.y) against \(leftEye.y)")
            // The whole face (jaw, brows) is inside the crop.
            #expect(aligned.points.allSatisfy { $0.x > 0 && $0.x < 64 && $0.y > 0 && $0.y < 64 }, "\(aligned.bounds)")
        }
        let a = FaceAlignment(landmarks: face.landmarks, size: 64).aligned(face.landmarks)
        let b = FaceAlignment(landmarks: rolled, size: 64).aligned(rolled)
        let worst = zip(a.points, b.points).map { (($0.x - $1.x) * ($0.x - $1.x) + ($0.y - $1.y) * ($0.y - $1.y)).squareRoot() }.max() ?? 99
        #expect(worst < 1e-6, "the moved face aligns to the same points (worst \(worst) px)")
    }

    @Test func theCropIsThePicturesPixelsUnderTheAlignment() throws {
        let (face, picture) = try Self.face("biden.jpg")
        let alignment = FaceAlignment(landmarks: face.landmarks, size: 64)
        let crop = alignment.crop(picture)
        #expect(crop.count == 64 * 64 * 3)
        // Each crop pixel against the picture's own pixel under its centre (the crop averages a few samples around
        // it, so a smooth patch agrees within a few levels; on average, over the face).
        let whole = RGBImage(picture)
        var difference = 0.0
        for v in stride(from: 8, to: 56, by: 4) {
            for u in stride(from: 8, to: 56, by: 4) {
                let p = alignment.transform.inverse.apply(Point(x: Double(u) + 0.5, y: Double(v) + 0.5))
                let (r, g, b) = whole.sample(x: p.x, y: p.y)
                let k = 3 * (v * 64 + u)
                difference += (abs(Double(crop[k]) - Double(r)) + abs(Double(crop[k + 1]) - Double(g)) + abs(Double(crop[k + 2]) - Double(b))) / 3
            }
        }
        difference /= 144
        #expect(difference < 12, "mean difference \(difference) levels")
        // The hull mask covers the face's middle and not the crop's corners.
        let mask = alignment.hullMask(face.landmarks)
        #expect(mask[32 * 64 + 32] == 255 && mask[0] == 0 && mask[63] == 0)
    }

    @Test func aFaceSetRoundTripsAndAnythingElseIsRefused() throws {
        let folder = TemporaryFolder()
        let extractor = FaceSetExtractor(analyzer: try Self.analyzer.get(), size: 64)
        let set = try extractor.extract([try SampleMedia.url("obama.jpg"), try SampleMedia.url("obama2.jpg")], person: nil, option: "target")
        #expect(set.count == 2 && set.files == ["obama.jpg", "obama2.jpg"])
        let url = folder.file("faces.safetensors")
        try set.write(to: url)
        let read = try FaceSet.read(url)
        #expect(read.pixels == set.pixels && read.descriptor == set.descriptor && read.files == set.files && read.size == 64)
        let faces = try read.tensor()
        #expect(faces.shape == [2, 4, 64, 64])
        let garbage = folder.file("garbage.safetensors")
        try Data("not a face set".utf8).write(to: garbage)
        #expect(throws: PhimError.self) { try FaceSet.read(garbage) }
        // Two people on one side: refused, naming the file that shows the other.
        let biden = try SampleMedia.url("biden.jpg")
        do {
            _ = try extractor.extract([try SampleMedia.url("obama.jpg"), biden], person: nil, option: "target")
            Issue.record("Biden's photo passed as Obama's")
        } catch let error as PhimError {
            #expect(error.message.contains("another person") && error.subject == PhimError.Subject.file(biden), "\(error)")
        }
    }

    @Test func structuralSimilarityIsOneForTheSamePictureAndFollowsItsFormulaForFlatOnes() throws {
        let x = try Tensor.rand([2, 3, 24, 24], generator: Generator(seed: 3))
        #expect(abs(try structuralSimilarity(x, x).item() - 1) < 1e-5)
        // Flat pictures of levels a and b: no variance, so SSIM is the luminance term (2ab + c1) / (a² + b² + c1).
        let a = 0.3, b = 0.6, c1 = 0.0001
        let flat = try structuralSimilarity(Tensor.full([1, 1, 16, 16], value: a), Tensor.full([1, 1, 16, 16], value: b)).item()
        #expect(abs(flat - (2 * a * b + c1) / (a * a + b * b + c1)) < 1e-4, "\(flat)")
        // Unrelated noise scores near 0.
        let y = try Tensor.rand([2, 3, 24, 24], generator: Generator(seed: 4))
        #expect(try structuralSimilarity(x, y).item() < 0.1)
    }

    @Test func augmentationMovesInputAndTruthAlikeAndWarpsOnlyTheInput() throws {
        let (face, picture) = try Self.face("obama.jpg")
        let set = FaceSet(size: 64, pixels: FaceSetExtractor(analyzer: try Self.analyzer.get(), size: 64).cut(face.landmarks, in: picture),
                          descriptor: FaceDescriptor(values: Array(repeating: 0, count: 128)), files: [])
        let faces = try set.tensor().expand([4, 4, 64, 64]).contiguous()
        var still = SwapTrainer.Settings()
        (still.rotation, still.scale, still.shift, still.warp) = (0, 0, 0, 0)
        let model = try SwapModel(SwapModelConfig(size: 64, encoderWidth: 4, decoderWidth: 4, latent: 16))
        // No move and no warp: input and truth are the face itself, mirrored or not.
        let (input, truth, mask) = try SwapTrainer(model: model, settings: still).augment(faces)
        #expect(try (input - truth).abs().max().item() < 1e-5)
        let original = try faces.narrow(dim: 1, start: 0, length: 3)
        let mirrored = try original.flip(dims: [3])
        for k in 0..<4 {
            let one = try truth.narrow(dim: 0, start: k, length: 1)
            let plain = try (one - original.narrow(dim: 0, start: k, length: 1)).abs().mean().item()
            let flipped = try (one - mirrored.narrow(dim: 0, start: k, length: 1)).abs().mean().item()
            #expect(min(plain, flipped) < 1e-4, "face \(k): \(plain) / \(flipped)")
        }
        #expect(mask.shape == [4, 1, 64, 64])
        // With the warp: the input differs from the truth, and the truth is the face moved (its mask moved with it).
        let (warped, moved, movedMask) = try SwapTrainer(model: model).augment(faces)
        let warpDifference = try (warped - moved).abs().mean().item()
        #expect(warpDifference > 0.005, "the warp changed the input by \(warpDifference)")
        #expect(abs(try movedMask.mean().item() - mask.mean().item()) < 0.1)
    }

    @Test func theModelLearnsBothFacesAndCheckpointsResumeIt() throws {
        let folder = TemporaryFolder()
        let extractor = FaceSetExtractor(analyzer: try Self.analyzer.get(), size: 64)
        let sources = try extractor.extract([try SampleMedia.url("biden.jpg")], person: nil, option: "source").tensor()
        let targets = try extractor.extract([try SampleMedia.url("obama.jpg"), try SampleMedia.url("obama2.jpg"),
                                             try SampleMedia.url("obama3.jpg")], person: nil, option: "target").tensor()
        let config = SwapModelConfig(size: 64, encoderWidth: 8, decoderWidth: 8, latent: 32)
        var settings = SwapTrainer.Settings()
        settings.batch = 4
        settings.learningRate = 1e-3
        let trainer = SwapTrainer(model: try SwapModel(config), settings: settings, seed: 5)
        var losses: [SwapLosses] = []
        for _ in 0..<60 { losses.append(try trainer.train(source: sources, target: targets)) }
        func mean(_ slice: ArraySlice<SwapLosses>, _ key: KeyPath<SwapLosses, Double>) -> Double {
            slice.reduce(0) { $0 + $1[keyPath: key] } / Double(slice.count)
        }
        for key in [\SwapLosses.source, \SwapLosses.target, \SwapLosses.mask] {
            let early = mean(losses.prefix(5), key), late = mean(losses.suffix(5), key)
            #expect(late < 0.8 * early, "\(key): \(early) → \(late)")
        }
        // A checkpoint resumes the same training: the next step's losses agree.
        let checkpoint = folder.file("checkpoint.safetensors")
        try trainer.save(to: checkpoint, metadata: [:])
        let expected = try trainer.train(source: sources, target: targets)
        let resumed = SwapTrainer(model: try SwapModel(config), settings: settings, seed: 99)
        try resumed.load(from: checkpoint)
        #expect(resumed.step == 60)
        let again = try resumed.train(source: sources, target: targets)
        #expect(abs(again.source - expected.source) < 1e-4 && abs(again.target - expected.target) < 1e-4, "\(again) against \(expected)")
    }

    @Test func theModelDrawsFacesAndMasksAtBothSizes() throws {
        for size in [64, 128] {
            let model = try SwapModel(SwapModelConfig(size: size, encoderWidth: 4, decoderWidth: 4, latent: 16))
            let faces = try Tensor.rand([2, 3, size, size], generator: Generator(seed: 1))
            let (face, mask) = try model.drawSource(faces)
            #expect(face.shape == [2, 3, size, size] && mask.shape == [2, 1, size, size])
            #expect(try face.min().item() >= 0 && face.max().item() <= 1)
        }
        #expect(throws: TensorError.self) { try SwapModel(SwapModelConfig(size: 96)) }
    }

    @Test func theDrawingGoesBackWhereTheFaceWas() throws {
        let (face, picture) = try Self.face("obama.jpg")
        let model = try SwapModel(SwapModelConfig(size: 64, encoderWidth: 4, decoderWidth: 4, latent: 16))
        let renderer = ModelRenderer(model: model)
        let rect = PixelRect(covering: face.landmarks.bounds, margin: 150, clippedTo: picture.size)
        let (image, coverage) = try renderer.render(onto: face.landmarks, in: picture, over: rect)
        #expect(image.width == rect.width && image.height == rect.height && coverage.count == rect.pixelCount)
        // What the model drew, pixel for pixel in the crop, against what landed in the frame.
        let alignment = FaceAlignment(landmarks: face.landmarks, size: 64)
        let (drawn, _) = try renderer.draw(alignment.crop(picture), size: 64)
        var worst: Float = 0
        for (u, v) in [(32, 32), (20, 40), (44, 24), (32, 50)] {
            let p = alignment.transform.inverse.apply(Point(x: Double(u) + 0.5, y: Double(v) + 0.5))
            let x = Int(p.x.rounded()) - rect.x, y = Int(p.y.rounded()) - rect.y
            let k = y * rect.width + x
            // The frame pixel's own centre is up to half a pixel from p: compare with the drawing sampled there.
            let c = alignment.transform.apply(Point(x: Double(x + rect.x), y: Double(y + rect.y)))
            let expected = drawn.sample(x: c.x - 0.5, y: c.y - 0.5)
            worst = max(worst, abs(image.values[3 * k] - expected.0), abs(image.values[3 * k + 1] - expected.1))
            #expect(coverage[k] > 0)
        }
        #expect(worst < 0.01, "the frame's pixels differ from the drawing by \(worst) levels")
        // Nothing is drawn outside the crop's square.
        for corner in [Point(x: -8, y: 32), Point(x: 72, y: 32)] {
            let outside = alignment.transform.inverse.apply(corner)
            let x = Int(outside.x.rounded()) - rect.x, y = Int(outside.y.rounded()) - rect.y
            try #require(x >= 0 && y >= 0 && x < rect.width && y < rect.height)
            #expect(coverage[y * rect.width + x] == 0)
        }
    }
}
