import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import PhimNN
import PhimTensor
import Testing
@testable import PhimGen

/// A tiny model, fast enough for tests: 16×16, four frames, narrow.
private func tinyConfig(classes: Int = 0) -> VideoGANConfig {
    var config = VideoGANConfig(size: 16, frames: 4, classes: classes)
    config.contentDimension = 8
    config.motionNoiseDimension = 4
    config.motionDimension = 8
    config.classDimension = 4
    config.generatorWidth = 8
    config.discriminatorWidth = 8
    return config
}

/// Real clips with structure: a bright square moving right by a pixel a frame, at a random height.
private func movingSquares(batch: Int, frames: Int, size: Int, seed: UInt64) throws -> Tensor {
    var values = [Float](repeating: -1, count: batch * 3 * frames * size * size)
    var random = SplitMix64(seed: seed)
    for b in 0..<batch {
        let top = Int(random.next() % UInt64(size - 4)), left = Int(random.next() % UInt64(size - 4 - frames))
        for c in 0..<3 {
            for t in 0..<frames {
                for y in top..<top + 4 {
                    for x in left + t..<left + t + 4 { values[(((b * 3 + c) * frames + t) * size + y) * size + x] = c == 0 ? 1 : 0.2 }
                }
            }
        }
    }
    return try values.withUnsafeBytes { try Tensor(bytes: $0, shape: [batch, 3, frames, size, size], dtype: .float32) }
}



@Suite struct VideoGANTests {
    @Test func generatorMakesClipsWhoseFirstFrameIsTheContentAlone() throws {
        let generator = try VideoGenerator(tinyConfig())
        generator.eval()
        let random = Generator(seed: 5)
        let (content, motion) = try generator.noise(batch: 2, frames: 4, generator: random)
        let clips = try generator(content: content, motionNoise: motion)
        #expect(clips.shape == [2, 3, 4, 16, 16])
        #expect(try clips.abs().max().item() <= 1)
        let otherMotion = try Tensor.randn([2, 4, 4], generator: random)
        let other = try generator(content: content, motionNoise: otherMotion)
        #expect(try (clips.select(dim: 2, index: 0) - other.select(dim: 2, index: 0)).abs().max().item() < 1e-6,
                "frame 0 does not depend on motion")
        #expect(try (clips.select(dim: 2, index: 3) - other.select(dim: 2, index: 3)).abs().max().item() > 1e-3,
                "later frames do")
    }

    /// The motion GRU sees the class (so a class can have motion of its own); a "phim-mocogan-1" model, whose GRU did
    /// not, is still built and read as it was, and an unknown architecture is refused.
    @Test func motionDependsOnTheClassFromArchitectureTwo() throws {
        for architecture in VideoGANConfig.readableArchitectures {
            var config = tinyConfig(classes: 3)
            config.architecture = architecture
            let generator = try VideoGenerator(config)
            generator.eval()
            let (_, noise) = try generator.noise(batch: 2, frames: 4, generator: Generator(seed: 3))
            let classes = { (k: Int64) in try [k, k].withUnsafeBytes { try Tensor(bytes: $0, shape: [2], dtype: .int64) } }
            let paths = try [0, 2].map { k in
                try generator.motionCodes(noise, classVector: config.motionSeesClass ? generator.classEmbedding!(classes(k)) : nil)
            }
            let difference = try (paths[0] - paths[1]).abs().max().item()
            if architecture == "phim-mocogan-1" {
                #expect(!config.motionSeesClass && difference == 0)
                #expect(try generator.namedParameters().first { $0.0 == "motion.weightIH" }?.1.size(1) == 4)
            } else {
                #expect(config.motionSeesClass && difference > 1e-4, "the class changes the motion path: \(difference)")
            }
            // From architecture 3 the first frame's noise sets the GRU's starting state, so it changes every later
            // code even when the later frames' noise is the same.
            let changedStart = try Tensor.cat([noise.narrow(dim: 1, start: 0, length: 1) * -1, noise.narrow(dim: 1, start: 1, length: 3)], dim: 1)
            let vector = config.motionSeesClass ? try generator.classEmbedding!(classes(0)) : nil
            let moved = try (generator.motionCodes(changedStart, classVector: vector) - paths[0]).select(dim: 1, index: 3).abs().max().item()
            let hasStart = generator.namedParameters().contains { $0.0.hasPrefix("motionStart.") }
            #expect(hasStart == config.motionStartsFromNoise && hasStart == (architecture == "phim-mocogan-3"))
            if config.motionStartsFromNoise {
                #expect(moved > 1e-4, "frame 0's noise sets the path: \(moved)")
            }
        }
        var unknown = tinyConfig(classes: 3)
        unknown.architecture = "phim-mocogan-9"
        #expect(throws: TensorError.self) { try VideoGenerator(unknown) }
    }

    /// The size check runs before anything is allocated, and counts what the modules hold.
    @Test func parameterEstimateIsCloseAndAbsurdSizesAreRefused() throws {
        var windowed = VideoGANConfig(size: 64, frames: 16, classes: 5)
        windowed.videoWindow = 8
        windowed.videoSize = 32
        for config in [VideoGANConfig(size: 64, frames: 16, classes: 5), windowed, tinyConfig(), tinyConfig(classes: 3)] {
            let gan = try VideoGAN(config)
            let actual = gan.parameterCount
            #expect(abs(Double(config.parameterEstimate - actual)) < 0.1 * Double(actual), "\(config.parameterEstimate) vs \(actual)")
        }
        var huge = VideoGANConfig(size: 256, frames: 16, classes: 0)
        huge.generatorWidth = 4096
        let error = #expect(throws: TensorError.self) { try VideoGAN(huge) }
        #expect(error?.message.contains("million parameters") == true, "\(String(describing: error))")
    }

    @Test func discriminatorsScoreEachClipAndConditionalOnesNeedClasses() throws {
        let gan = try VideoGAN(tinyConfig(classes: 5))
        let clips = try movingSquares(batch: 3, frames: 4, size: 16, seed: 1)
        let classes = try Tensor.randint(0, 5, [3])
        #expect(try gan.videoDiscriminator(clips, classes: classes).shape == [3])
        #expect(try gan.imageDiscriminator(clips.select(dim: 2, index: 0), classes: classes).shape == [3])
        #expect(throws: TensorError.self) { try gan.videoDiscriminator(clips) }
        #expect(throws: TensorError.self) {
            let (content, motion) = try gan.generator.noise(batch: 3, frames: 4)
            return try gan.generator(content: content, motionNoise: motion)
        }
    }

    /// The augmentation is drawn once per clip: a clip whose frames are all alike stays so, and is changed.
    @Test func augmentationIsTheSameOnEveryFrame() throws {
        let still = try movingSquares(batch: 4, frames: 1, size: 16, seed: 3).expand([4, 3, 5, 16, 16]).contiguous()
        let augmented = try DiffAugment.apply(still, generator: Generator(seed: 9))
        for t in 1..<5 {
            #expect(try (augmented.select(dim: 2, index: t) - augmented.select(dim: 2, index: 0)).abs().max().item() < 1e-6)
        }
        #expect(try (augmented - still).abs().mean().item() > 0.05)
        // Without cutout, a bright clip keeps every pixel away from zero (a cutout zeroes a quarter of the frame).
        let bright = try Tensor.ones([4, 3, 2, 16, 16]) * 0.9
        let kept = try DiffAugment.apply(bright, cutout: false, generator: Generator(seed: 9))
        let cut = try DiffAugment.apply(bright, cutout: true, generator: Generator(seed: 9))
        func zeroShare(_ x: Tensor) throws -> Double { try x.narrow(dim: 3, start: 4, length: 8).narrow(dim: 4, start: 4, length: 8).eq(0).to(.float32).mean().item() }
        #expect(try zeroShare(kept) == 0)
        #expect(try zeroShare(cut) > 0.05)
    }

    @Test func trainingStepsUpdateEverythingAndApplyR1Lazily() throws {
        let gan = try VideoGAN(tinyConfig(classes: 2))
        var settings = VideoGANTrainer.Settings()
        settings.r1Interval = 2
        let trainer = try VideoGANTrainer(model: gan, settings: settings, seed: 3)
        let before = try gan.stateDict().map { try $0.1.clone() }
        let real = try movingSquares(batch: 4, frames: 4, size: 16, seed: 2)
        let classes = try Tensor.randint(0, 2, [4])
        var losses: [GANLosses] = []
        for _ in 0..<3 { losses.append(try trainer.train(on: real, classes: classes)) }
        #expect(losses.map { $0.r1 != nil } == [true, false, true])
        #expect(losses.allSatisfy { $0.discriminator.isFinite && $0.generator.isFinite && $0.reconstruction.isFinite })
        let after = gan.stateDict()
        for (name, prefix) in [("generator", "generator."), ("encoder", "encoder."), ("image D", "imageDiscriminator."),
                               ("video D", "videoDiscriminator.")] {
            let changed = try zip(after, before).filter { $0.0.0.hasPrefix(prefix) }.contains { pair in
                try (pair.0.1 - pair.1).abs().max().item() > 0
            }
            #expect(changed, "\(name) was trained")
        }
        #expect(trainer.step == 3)
        // The EMA's warm-up: after three steps it is near the generator, not still at its initial weights.
        let generatorNow = Dictionary(uniqueKeysWithValues: gan.generator.namedParameters())
        let initial = Dictionary(uniqueKeysWithValues: zip(gan.stateDict().map(\.0), before).map { ($0.0, $0.1) })
        var towardsNow = 0.0, total = 0.0
        for (name, average) in trainer.ema.stateDict() {
            guard let now = generatorNow[name], let start = initial["generator." + name] else { continue }
            towardsNow += try (average - start).abs().sum().item()
            total += try (now - start).abs().sum().item()
        }
        #expect(towardsNow > 0.5 * total, "the average moved \(towardsNow) of the generator's \(total)")
    }

    /// A window of frames is those frames of the whole clip (the motion path still starts at frame 0), and a
    /// trainer whose video discriminator sees windows at half the size trains on whole clips.
    @Test func windowsAreFramesOfTheWholeClipAndTrainAtHalfSize() throws {
        var config = tinyConfig(classes: 2)
        config.frames = 6
        config.videoWindow = 3
        config.videoSize = 8
        let gan = try VideoGAN(config)
        gan.generator.eval()
        let (content, motion) = try gan.generator.noise(batch: 2, frames: 6, generator: Generator(seed: 4))
        let classes = try Tensor.randint(0, 2, [2])
        let whole = try withNoGrad { () throws -> Tensor in try gan.generator(content: content, motionNoise: motion, classes: classes) }
        let window = try withNoGrad { () throws -> Tensor in
            try gan.generator(content: content, motionNoise: motion, classes: classes, window: 2..<5)
        }
        #expect(window.shape == [2, 3, 3, 16, 16])
        #expect(try (window - whole.narrow(dim: 2, start: 2, length: 3)).abs().max().item() < 1e-5)
        // A strided window: frames 1, 3 and 5 of the whole clip.
        let strided = try withNoGrad { () throws -> Tensor in
            try gan.generator(content: content, motionNoise: motion, classes: classes, window: 1..<6, stride: 2)
        }
        #expect(strided.shape == [2, 3, 3, 16, 16])
        let odd = try whole.indexSelect(dim: 2, index: Tensor.arange(1, 6, step: 2, dtype: .int64))
        #expect(try (strided - odd).abs().max().item() < 1e-5)
        #expect(throws: TensorError.self) { try gan.generator(content: content, motionNoise: motion, classes: classes, window: 4..<7) }
        // The video discriminator is built for 3 frames of 8×8 and judges them.
        #expect(try gan.videoDiscriminator(window.avgPool3d(kernel: [1, 2, 2]), classes: classes).shape == [2])
        let trainer = try VideoGANTrainer(model: gan, seed: 2)
        let real = try movingSquares(batch: 4, frames: 6, size: 16, seed: 5)
        let losses = try (0..<2).map { _ in try trainer.train(on: real, classes: Tensor.randint(0, 2, [4])) }
        #expect(losses.allSatisfy { $0.discriminator.isFinite && $0.generator.isFinite && $0.r1.map(\.isFinite) ?? true })
        var bad = config
        bad.videoWindow = 7
        #expect(throws: TensorError.self) { try bad.validate() }
        bad.videoWindow = 3
        bad.videoSize = 32
        #expect(throws: TensorError.self) { try bad.validate() }
    }

    /// The image discriminator judges every frame of each clip (a score per frame, clip by clip, each with its clip's
    /// class), or one frame of each when asked as before.
    @Test func theImageDiscriminatorJudgesEveryFrame() throws {
        let gan = try VideoGAN(tinyConfig(classes: 3))
        gan.eval()  // Spectral norm's power iteration would move between the two calls.
        let clips = try movingSquares(batch: 2, frames: 4, size: 16, seed: 6)
        let classes = try [Int64(0), 2].withUnsafeBytes { try Tensor(bytes: $0, shape: [2], dtype: .int64) }
        let trainer = try VideoGANTrainer(model: gan, seed: 3)
        let (image, video) = try trainer.scores(clips, classes: classes, augment: false)
        #expect(image.shape == [8] && video.shape == [2])
        // Frame 2 of clip 1 scores as that frame alone with clip 1's class.
        let alone = try gan.imageDiscriminator(clips.narrow(dim: 0, start: 1, length: 1).select(dim: 2, index: 2),
                                               classes: classes.narrow(dim: 0, start: 1, length: 1))
        #expect(try abs(image.select(dim: 0, index: 6).item() - alone.item()) < 1e-4)
        var settings = VideoGANTrainer.Settings()
        settings.imageEveryFrame = false
        let oneFrame = try VideoGANTrainer(model: gan, settings: settings, seed: 3)
        #expect(try oneFrame.scores(clips, classes: classes, augment: false).image.shape == [2])
    }

    /// A sidecar written before these settings existed reads as that training was: cutout, one frame for the image
    /// discriminator, consecutive frames for the video discriminator.
    @Test func settingsFromBeforeReadAsTheTrainingThen() throws {
        let old = #"{"augment":true,"beta1":0,"beta2":0.99,"emaDecay":0.999,"learningRate":0.0002,"r1Gamma":0.2,"r1Interval":16,"reconstructionWeight":10}"#
        let settings = try JSONDecoder().decode(VideoGANTrainer.Settings.self, from: Data(old.utf8))
        #expect(settings.cutout && !settings.imageEveryFrame && settings.videoStrides == [1])
        let now = VideoGANTrainer.Settings()
        #expect(!now.cutout && now.imageEveryFrame && now.videoStrides == [1, 2])
        #expect(try JSONDecoder().decode(VideoGANTrainer.Settings.self, from: JSONEncoder().encode(now)) == now)
    }

    /// Spherical interpolation starts and ends at its keys and keeps the norm of keys of one norm; a content path
    /// that holds one code makes the clip that code makes.
    @Test func interpolationFollowsTheGreatCircleAndAPathOfOneCodeIsThatCode() throws {
        let a = [3.0, 0, 0], b = [0.0, 3, 0]
        #expect(GeneratorModel.slerp(a, b, 0) == a)
        #expect(zip(GeneratorModel.slerp(a, b, 1), b).allSatisfy { abs($0 - $1) < 1e-12 })
        let middle = GeneratorModel.slerp(a, b, 0.5)
        #expect(abs(middle.reduce(0) { $0 + $1 * $1 }.squareRoot() - 3) < 1e-9)
        #expect(abs(middle[0] - middle[1]) < 1e-12)
        let generator = try VideoGenerator(tinyConfig())
        generator.eval()
        let (content, motion) = try generator.noise(batch: 2, frames: 4, generator: Generator(seed: 6))
        let held = try content.unsqueeze(dim: 1).expand([2, 4, tinyConfig().contentDimension]).contiguous()
        let direct = try withNoGrad { () throws -> Tensor in try generator(content: content, motionNoise: motion) }
        let viaPath = try withNoGrad { () throws -> Tensor in try generator(content: held, motionNoise: motion) }
        #expect(try (direct - viaPath).abs().max().item() < 1e-6)
        #expect(throws: TensorError.self) { try generator(content: held.narrow(dim: 1, start: 0, length: 3), motionNoise: motion) }
    }

    /// The encoder learns to give content codes whose first frame is the still.
    @Test func theEncoderLearnsToReproduceTheFirstFrame() throws {
        let gan = try VideoGAN(tinyConfig())
        var settings = VideoGANTrainer.Settings()
        settings.learningRate = 2e-3
        settings.augment = false
        let trainer = try VideoGANTrainer(model: gan, settings: settings, seed: 4)
        let real = try movingSquares(batch: 8, frames: 4, size: 16, seed: 8)
        let first = try trainer.train(on: real).reconstruction
        var last = first
        for _ in 0..<60 { last = try trainer.train(on: real).reconstruction }
        #expect(last < first * 0.6, "L1 \(first) → \(last)")
        // As `phim animate` runs it: one still at a time, the generator in evaluation mode.
        gan.generator.eval()
        let still = try real.narrow(dim: 0, start: 0, length: 1).select(dim: 2, index: 0)
        let again = try withNoGrad { () throws -> Tensor in
            let motion = try Tensor.randn([1, 1, tinyConfig().motionNoiseDimension])
            return try gan.generator(content: gan.encoder(still), motionNoise: motion).select(dim: 2, index: 0)
        }
        let error = try (again - still).abs().mean().item()
        #expect(error < first * 0.6, "one still in evaluation mode: L1 \(error), at the start \(first)")
    }
}

/// Options for a few steps of a narrow model.
func tinyOptions(steps: Int, batch: Int) -> GANTrainingOptions {
    var options = GANTrainingOptions()
    options.steps = steps
    options.batch = batch
    options.generatorWidth = 8
    options.discriminatorWidth = 8
    return options
}

@Suite struct GANTrainingTests {
    /// A run on a tiny set: checkpoints, model files, samples and the loss plot appear; a resumed run continues
    /// from the checkpoint's step and the model loads back for sampling.
    @Test func trainsResumesAndSavesAModelThatSamples() throws {
        let folder = TemporaryFolder("phim-train")
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 5, size: 32, frames: 4, fps: 8).write(count: 10, to: set)
        var options = tinyOptions(steps: 4, batch: 4)
        options.checkpointEvery = 2
        options.sampleEvery = 4
        let run = folder.file("run")
        let report = try GANTraining(data: set, run: run, options: options).train()
        #expect(report.step == 4 && !report.interrupted)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: run.path))
        #expect(files.isSuperset(of: ["checkpoint.safetensors", "model.safetensors", "model.json", "losses.csv", "losses.png", "samples"]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("samples").path).sorted()
                == ["step-0000004.mp4", "step-0000004.png"])
        let samples = try MediaProbe.probe(run.appendingPathComponent("samples/step-0000004.mp4"))
        #expect(samples.video.first?.width == 256 && samples.video.first?.height == 128)  // 4 × 2 clips of 64 (doubled)
        // Resume to step 6: the loss history continues without a gap or a repeat.
        options.steps = 6
        options.resume = true
        #expect(try GANTraining(data: set, run: run, options: options).train().step == 6)
        let steps = try String(contentsOf: run.appendingPathComponent("losses.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[0])! }
        #expect(steps == Array(1...6))
        // The model folder loads and samples conditional clips.
        let model = try GeneratorModel.load(from: run)
        #expect(model.sidecar.step == 6 && model.sidecar.classes == ShapeMotion.allCases.map(\.rawValue))
        let clips = try model.sample(count: 3, seed: 1, classIndex: 2)
        #expect(clips.shape == [3, 3, 4, 32, 32])
        #expect(try (model.sample(count: 3, seed: 1, classIndex: 2) - clips).abs().max().item() == 0, "seeded sampling repeats")
    }

    @Test func badRunsAreNamed() throws {
        let folder = TemporaryFolder("phim-train")
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 5, size: 32, frames: 4, fps: 8).write(count: 4, to: set)
        var options = tinyOptions(steps: 1, batch: 8)
        let tooBig = #expect(throws: PhimError.self) { try GANTraining(data: set, run: folder.file("a"), options: options).train() }
        #expect(tooBig?.description.contains("fewer than a batch") == true, "\(String(describing: tooBig))")
        options.batch = 2
        options.resume = true
        let nothing = #expect(throws: PhimError.self) { try GANTraining(data: set, run: folder.file("b"), options: options).train() }
        #expect(nothing?.description.contains("nothing to resume") == true, "\(String(describing: nothing))")
        options.resume = false
        try FileManager.default.createDirectory(at: folder.file("full"), withIntermediateDirectories: false)
        try Data("x".utf8).write(to: folder.file("full/notes.txt"))
        let full = #expect(throws: PhimError.self) { try GANTraining(data: set, run: folder.file("full"), options: options).train() }
        #expect(full?.description.contains("already holds a run") == true, "\(String(describing: full))")
        let noData = #expect(throws: PhimError.self) { try GANTraining(data: folder.file("none"), run: folder.file("c"), options: options).train() }
        #expect(noData?.description.contains("labels.json") == true, "\(String(describing: noData))")
    }

    @Test func modelFoldersThatDoNotFitAreNamed() throws {
        let folder = TemporaryFolder("phim-model")
        let missing = #expect(throws: PhimError.self) { try GeneratorModel.load(from: folder.url) }
        #expect(missing?.description.contains("model.json") == true)
        try Data(#"{"format": "something-else"}"#.utf8).write(to: folder.file("model.json"))
        let other = #expect(throws: PhimError.self) { try GeneratorModel.load(from: folder.url) }
        #expect(other?.description.contains("model.json") == true, "\(String(describing: other))")
        // A real sidecar with truncated weights.
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 5, size: 32, frames: 4, fps: 8).write(count: 4, to: set)
        let run = folder.file("run")
        _ = try GANTraining(data: set, run: run, options: tinyOptions(steps: 1, batch: 2)).train()
        let weights = run.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(data.count / 2).write(to: weights)
        let truncated = #expect(throws: PhimError.self) { try GeneratorModel.load(from: run) }
        #expect(truncated?.description.contains("model.safetensors") == true, "\(String(describing: truncated))")
    }
}
