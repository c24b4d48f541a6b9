import Foundation
import PhimCore
import PhimTesting
import PhimTensor
import Testing
@testable import PhimGen

/// A narrow model trained for a few steps on `set`, and its run folder.
private func trainTiny(_ set: URL, steps: Int, batch: Int, in folder: TemporaryFolder) throws -> (GeneratorModel, URL) {
    var options = tinyOptions(steps: steps, batch: batch)
    options.checkpointEvery = steps
    options.sampleEvery = steps
    let run = folder.file("run")
    _ = try GANTraining(data: set, run: run, options: options).train()
    return (try GeneratorModel.load(from: run), run)
}

@Suite struct EvaluationTests {
    /// On a small shapes set, with a model trained for a few steps: the held-out real clips score far nearer the set
    /// than an untrained generator does (the floor is a floor), the figures are in their ranges, and a second run
    /// reads the classifier from the cache.
    @Test func theFloorIsBelowTheUntrainedGeneratorAndTheClassifierIsCached() throws {
        let folder = TemporaryFolder("phim-eval")
        let set = folder.file("set")
        _ = try ShapesDataset(seed: 2, size: 16, frames: 8, fps: 8).write(count: 320, to: set)
        let (model, run) = try trainTiny(set, steps: 4, batch: 8, in: folder)

        let report = try GeneratorEvaluation.evaluate(model, modelPath: run.path, data: set, samples: 40, seed: 3)
        #expect(!report.classifier.cached && report.classifier.task == .classes)
        #expect((0...1).contains(report.classifier.heldOutAccuracy))
        // The confusion on the held-out clips: one row and column a class, its diagonal the accuracy.
        let confusion = report.classifier.heldOutConfusion
        #expect(confusion.count == 5 && confusion.allSatisfy { $0.count == 5 } && report.classifier.classNames.count == 5)
        let held = confusion.flatMap { $0 }.reduce(0, +), right = (0..<confusion.count).map { confusion[$0][$0] }.reduce(0, +)
        #expect(held > 40 && abs(Double(right) / Double(held) - report.classifier.heldOutAccuracy) < 1e-9)
        #expect(report.samples == 40 && report.realClips > 220 && report.realClips < 290)
        #expect(report.frechet.floor < report.frechet.untrained / 5, "\(report.frechet)")
        #expect(report.kernel.floor < report.kernel.untrained / 5, "\(report.kernel)")
        #expect(report.frechet.model >= 0 && report.frechet.floor >= 0)
        let accuracy = try #require(report.classAccuracy)
        #expect((0...1).contains(accuracy))
        // Real shapes move: a few per cent of the pixels change a frame, in the background's colours.
        #expect(report.speed.real > 0.5 && report.speed.real < 60, "\(report.speed)")
        #expect(report.area.real > 0.01 && report.area.real < 0.9, "\(report.area)")
        #expect(report.diversity.real > 0 && report.diversity.model > 0)
        // PSNR of a barely trained encoder: finite, low, and the mean no lower than the lowest.
        #expect(report.animatePSNR.isFinite && report.animatePSNR > 0 && report.animatePSNR < 40, "\(report.animatePSNR)")
        #expect(report.animatePSNRLowest <= report.animatePSNR)

        let again = try GeneratorEvaluation.evaluate(model, modelPath: run.path, data: set, samples: 40, seed: 3)
        #expect(again.classifier.cached && again.classifier.heldOutAccuracy == report.classifier.heldOutAccuracy)
        #expect(again.classifier.heldOutConfusion == confusion)
        #expect(again.frechet == report.frechet, "seeded: the same figures")
    }

    @Test func aSetOfAnotherShapeIsNamed() throws {
        let folder = TemporaryFolder("phim-eval")
        let set = folder.file("set"), other = folder.file("other")
        _ = try ShapesDataset(seed: 2, size: 16, frames: 4, fps: 8).write(count: 8, to: set)
        _ = try ShapesDataset(seed: 2, size: 32, frames: 4, fps: 8).write(count: 8, to: other)
        let (model, run) = try trainTiny(set, steps: 1, batch: 4, in: folder)
        let error = #expect(throws: PhimError.self) {
            try GeneratorEvaluation.evaluate(model, modelPath: run.path, data: other, samples: 4)
        }
        #expect(error?.description.contains("32x32") == true && error?.description.contains("other") == true,
                "\(String(describing: error))")
        let tooFew = #expect(throws: PhimError.self) {
            try GeneratorEvaluation.evaluate(model, modelPath: run.path, data: set, samples: 4)
        }
        #expect(tooFew?.description.contains("classifier needs") == true, "\(String(describing: tooFew))")
    }

    @Test func wassersteinIsTheMeanGapBetweenQuantiles() {
        #expect(abs(GeneratorEvaluation.wasserstein([0, 1, 2, 3], [1, 2, 3, 4]) - 1) < 1e-9)
        #expect(GeneratorEvaluation.wasserstein([5, 1, 3], [3, 5, 1]) < 1e-12)
        let spread = GeneratorEvaluation.wasserstein(Array(repeating: 0, count: 10), (0..<10).map(Double.init))
        #expect(abs(spread - 4.5) < 0.05)
    }
}

/// The judge's augmentation: each clip comes back mirrored across, mirrored down and reversed in time, or any mix of
/// these, and over a few draws every mix appears.
@Suite struct ClassifierAugmentationTests {
    @Test func clipsAreMirroredAndReversedInEveryCombination() {
        let frames = 3, size = 4
        let clip = (0..<(frames * size * size * 3)).map { UInt8($0 % 251) }
        func pixel(_ bytes: [UInt8], _ t: Int, _ y: Int, _ x: Int) -> [UInt8] {
            let start = ((t * size + y) * size + x) * 3
            return Array(bytes[start..<start + 3])
        }
        var random = SplitMix64(seed: 9)
        var seen: Set<[Bool]> = []
        for _ in 0..<64 {
            let result = TrainedClassifier.augmented(clip, frames: frames, size: size, random: &random)
            let match = [false, true].flatMap { across in [false, true].flatMap { down in [false, true].map { backwards in
                [across, down, backwards] } } }.first { flags in
                (0..<frames).allSatisfy { t in (0..<size).allSatisfy { y in (0..<size).allSatisfy { x in
                    pixel(result, t, y, x) == pixel(clip, flags[2] ? frames - 1 - t : t, flags[1] ? size - 1 - y : y, flags[0] ? size - 1 - x : x)
                } } }
            }
            #expect(match != nil, "the result is not a mirror or reversal of the clip")
            if let match { seen.insert(match) }
        }
        #expect(seen.count == 8, "\(seen.count) of the 8 combinations in 64 draws")
    }
}
