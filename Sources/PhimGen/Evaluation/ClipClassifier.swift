import Crypto
import Foundation
import PhimCore
import PhimNN
import PhimSafetensors
import PhimTensor

/// The judge `phim eval` measures generators with: a small 3-D CNN trained on a set's real clips and then frozen.
/// On a labelled set it learns the set's classes; on an unlabelled one (clips cut from video) it learns to tell a
/// clip from the same clip with its frames shuffled, so its features still have to see motion. Its features (the
/// last convolution averaged over time and space) are the space the Fréchet and kernel distances are measured in.
///
/// Clips are averaged down to 32×32 (when larger), and each frame's change from the one before (zero for the first)
/// is given beside it (six channels: motion is what most classes differ by, and a network of this size does not find
/// it alone: the first judge, without the changes and half as wide, told the held-out shapes clips' classes 62 % of
/// the time, mistaking `linear` for `bounce`); then four 3×3×3 convolutions with ReLU (32, 64, 128 and 64 channels;
/// the first strided in space, the next two in time and space).
///
/// Not `Sendable`: one thread uses it.
public final class ClipClassifier: Module {
    public static let architecture = "phim-clip-classifier-2"
    public static let inputSize = 32
    public static let featureDimension = 64
    /// What it learned: `classes` (the set's labels) or `order` (in order or shuffled).
    public enum Task: String, Codable, Sendable { case classes, order }

    public let classes: Int
    let convolutions: [Conv3d]
    let head: Linear

    public init(classes: Int) throws(TensorError) {
        self.classes = classes
        convolutions = [
            try Conv3d(6, 32, kernelSize: [3, 3, 3], stride: [1, 2, 2], padding: [1, 1, 1]),
            try Conv3d(32, 64, kernelSize: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]),
            try Conv3d(64, 128, kernelSize: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]),
            try Conv3d(128, Self.featureDimension, kernelSize: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1]),
        ]
        head = try Linear(Self.featureDimension, classes)
        super.init()
    }

    /// Features `[batch, 64]` of clips `[batch, 3, frames, size, size]` in -1…1.
    public func features(_ clips: Tensor) throws -> Tensor {
        let size = try clips.size(3)
        var x = size > Self.inputSize ? try clips.avgPool3d(kernel: [1, size / Self.inputSize, size / Self.inputSize]) : clips
        let frames = try x.size(2)
        let previous = try Tensor.cat([x.narrow(dim: 2, start: 0, length: 1), x.narrow(dim: 2, start: 0, length: frames - 1)], dim: 2)
        x = try Tensor.cat([x, x - previous], dim: 1)
        for convolution in convolutions { x = try convolution(x).relu() }
        return try x.mean(dims: [2, 3, 4])
    }

    /// Class logits `[batch, classes]`.
    public func callAsFunction(_ clips: Tensor) throws -> Tensor { try head(features(clips)) }
}

/// A set's frozen classifier and what it scored on the clips it did not learn from.
public struct TrainedClassifier {
    public let classifier: ClipClassifier
    public let task: ClipClassifier.Task
    /// Accuracy on the held-out fifth of the set, which it never trained on.
    public let heldOutAccuracy: Double
    /// On the held-out clips: how many of each true class (rows) it gave each class (columns). Empty when read from a
    /// cache written before it was recorded.
    public var heldOutConfusion: [[Int]] = []
    /// Whether it was read from the cache rather than trained now.
    public let cached: Bool

    /// About one clip in five, chosen by a hash of its index (not every fifth: sets made with the classes taking
    /// turns would hold out one class): the classifier's own test, and the real clips the floor compares.
    public static func isHeldOut(_ index: Int) -> Bool {
        var hash = SplitMix64(seed: UInt64(index) &+ 0x4845_4C44)
        return hash.next() % 5 == 0
    }

    /// The learning rate falls from 10⁻³ to 10⁻⁴ over the epochs (24 since the clips are augmented: with 16 and no
    /// augmentation the judge told 86.75 % of the held-out shapes clips' classes, with these 90.0 %).
    static let epochs = 24
    static let batch = 32

    /// The classifier for the set in `store`: read from the set's cache when one was trained for this `labels.json`
    /// by this Phim, else trained (a few minutes on two cores) and cached.
    /// - Throws: `PhimError` naming the cache file or the set.
    public static func load(for store: ClipStore, seed: UInt64 = 1, progress: ProgressHandler? = nil,
                            cancellation: CancellationFlag? = nil) throws(PhimError) -> TrainedClassifier {
        let labels = store.labels
        let conditional = GANTraining.isConditional(labels)
        let task: ClipClassifier.Task = conditional ? .classes : .order
        let classes = conditional ? labels.classes.count : 2
        let url = store.cache.appendingPathComponent("classifier.safetensors")
        let key = cacheKey(store, task: task, seed: seed)
        if let (tensors, metadata) = try? Safetensors.read(path: url.path), metadata["phim.key"] == key,
           let accuracy = metadata["phim.heldOutAccuracy"].flatMap(Double.init) {
            do {
                let classifier = try ClipClassifier(classes: classes)
                try classifier.load(stateDict: Dictionary(tensors, uniquingKeysWith: { first, _ in first }))
                classifier.eval()
                let confusion = metadata["phim.heldOutConfusion"].flatMap { try? JSONDecoder().decode([[Int]].self, from: Data($0.utf8)) }
                return TrainedClassifier(classifier: classifier, task: task, heldOutAccuracy: accuracy,
                                         heldOutConfusion: confusion ?? [], cached: true)
            } catch {
                // Another layout: train again below.
            }
        }
        let trained = try train(store, task: task, classes: classes, seed: seed, progress: progress, cancellation: cancellation)
        try Safetensors.write(trained.classifier.stateDict().map { ($0.0, $0.1) },
                              metadata: ["phim.key": key, "phim.architecture": ClipClassifier.architecture,
                                         "phim.task": task.rawValue, "phim.heldOutAccuracy": String(trained.heldOutAccuracy),
                                         "phim.heldOutConfusion": String(decoding: (try? JSONEncoder().encode(trained.heldOutConfusion)) ?? Data(), as: UTF8.self)],
                              to: url.path)
        return trained
    }

    /// The architecture, the task, the seed, the schedule and the set's clips (the cache's own digest of labels.json).
    static func cacheKey(_ store: ClipStore, task: ClipClassifier.Task, seed: UInt64) -> String {
        let text = "\(ClipClassifier.architecture) held-out-1 augment-1 \(task.rawValue) \(seed) \(epochs) \(batch) \(store.cache.lastPathComponent) "
            + "\(store.count) \(store.labels.size) \(store.labels.frames) \(store.labels.clips.map(\.file).joined(separator: ","))"
            + " \(store.labels.clips.map { String($0.classIndex ?? -1) }.joined(separator: ","))"
        return Hex.string(SHA256.hash(data: Data(text.utf8)))
    }

    /// Clips `[count, 3, frames, size, size]` in -1…1 from the store, and their labels for `task`: the set's classes, or
    /// for `order` every other clip's frames shuffled (label 1) with a permutation drawn from `random`.
    /// With `augment`, each clip is also mirrored left to right, top to bottom and played backwards, each with
    /// probability ½: none of these changes a shapes clip's class (a reversed zoom in is a zoom out, a reversed orbit
    /// an orbit the other way) or whether its frames are in order, and they keep the judge from learning directions
    /// and positions that happen to come with a class in the set.
    static func batch(_ store: ClipStore, indices: [Int], task: ClipClassifier.Task, augment: Bool = false,
                      random: inout SplitMix64) throws -> (Tensor, Tensor) {
        let labels = store.labels
        let clipBytes = store.clipBytes, frameBytes = clipBytes / labels.frames
        var bytes = [UInt8](repeating: 0, count: indices.count * clipBytes)
        var targets: [Int64] = []
        for (slot, index) in indices.enumerated() {
            var clip = try store.clip(index)
            switch task {
            case .classes:
                targets.append(Int64(labels.clips[index].classIndex ?? 0))
            case .order:
                let shuffled = slot % 2 == 1
                if shuffled {
                    var order = Array(0..<labels.frames)
                    // A permutation that moves at least one frame.
                    repeat { order.shuffle(using: &random) } while order == Array(0..<labels.frames)
                    let original = clip
                    for (to, from) in order.enumerated() {
                        clip.replaceSubrange(to * frameBytes..<(to + 1) * frameBytes, with: original[from * frameBytes..<(from + 1) * frameBytes])
                    }
                }
                targets.append(shuffled ? 1 : 0)
            }
            if augment { clip = augmented(clip, frames: labels.frames, size: labels.size, random: &random) }
            bytes.replaceSubrange(slot * clipBytes..<(slot + 1) * clipBytes, with: clip)
        }
        let clips = try bytes.withUnsafeBytes {
            try Tensor(bytes: $0, shape: [indices.count, labels.frames, labels.size, labels.size, 3], dtype: .uint8)
        }.permute([0, 4, 1, 2, 3]).to(.float32) / 127.5 - 1
        let target = try targets.withUnsafeBytes { try Tensor(bytes: $0, shape: [targets.count], dtype: .int64) }
        return (try clips.contiguous(), target)
    }

    /// `clip` (frames × size × size × RGB bytes) mirrored across, mirrored down and reversed in time, each with
    /// probability ½.
    static func augmented(_ clip: [UInt8], frames: Int, size: Int, random: inout SplitMix64) -> [UInt8] {
        let across = random.next() % 2 == 0, down = random.next() % 2 == 0, backwards = random.next() % 2 == 0
        guard across || down || backwards else { return clip }
        var result = clip
        let frameBytes = size * size * 3
        for frame in 0..<frames {
            let source = (backwards ? frames - 1 - frame : frame) * frameBytes
            for y in 0..<size {
                let sourceRow = source + (down ? size - 1 - y : y) * size * 3, row = frame * frameBytes + y * size * 3
                for x in 0..<size {
                    let from = sourceRow + (across ? size - 1 - x : x) * 3, to = row + x * 3
                    result[to] = clip[from]
                    result[to + 1] = clip[from + 1]
                    result[to + 2] = clip[from + 2]
                }
            }
        }
        return result
    }

    private static func train(_ store: ClipStore, task: ClipClassifier.Task, classes: Int, seed: UInt64,
                              progress: ProgressHandler?, cancellation: CancellationFlag?) throws(PhimError) -> TrainedClassifier {
        let subject = PhimError.Subject.file(store.cache.displayPath)
        let trainIndices = (0..<store.count).filter { !isHeldOut($0) }
        let testIndices = (0..<store.count).filter(isHeldOut)
        guard trainIndices.count >= batch, !testIndices.isEmpty else {
            throw PhimError(.invalidInput, "the set has \(store.count) clips: the classifier needs at least \(batch * 5 / 4 + 1)",
                            subject: .file(store.cache.deletingLastPathComponent().displayPath))
        }
        do {
            try Torch.manualSeed(seed)
            let classifier = try ClipClassifier(classes: classes)
            let optimizer = Adam(classifier.namedParameters(), learningRate: 1e-3)
            var random = SplitMix64(seed: seed)
            let steps = epochs * (trainIndices.count / batch)
            var step = 0
            let started = MonotonicClock.now()
            classifier.train()
            for _ in 0..<epochs {
                var order = trainIndices
                order.shuffle(using: &random)
                for start in stride(from: 0, to: order.count - batch + 1, by: batch) {
                    optimizer.learningRate = 1e-3 * pow(0.1, Double(step) / Double(max(steps - 1, 1)))
                    if cancellation?.isCancelled == true { throw PhimError(.cancelled, "cancelled", subject: subject) }
                    let (clips, target) = try Self.batch(store, indices: Array(order[start..<start + batch]), task: task,
                                                         augment: true, random: &random)
                    let loss = try crossEntropy(classifier(clips), target)
                    try optimizer.zeroGrad()
                    try loss.backward()
                    try optimizer.step()
                    step += 1
                    progress?(ProgressUpdate(stage: "classifier", completed: step, total: steps, elapsed: MonotonicClock.now() - started))
                }
            }
            classifier.eval()
            var correct = 0
            var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
            try withNoGrad { () throws in
                for start in stride(from: 0, to: testIndices.count, by: batch) {
                    let indices = Array(testIndices[start..<min(start + batch, testIndices.count)])
                    let (clips, target) = try Self.batch(store, indices: indices, task: task, random: &random)
                    let predicted = try classifier(clips).argmax(dim: 1)
                    correct += Int(try predicted.eq(target).sum().item())
                    for (truth, guess) in zip(try target.toArray(Int64.self), try predicted.toArray(Int64.self)) {
                        confusion[Int(truth)][Int(guess)] += 1
                    }
                }
            }
            return TrainedClassifier(classifier: classifier, task: task, heldOutAccuracy: Double(correct) / Double(testIndices.count),
                                     heldOutConfusion: confusion, cached: false)
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.operationFailed, "training the evaluation classifier failed: \(error)", subject: subject)
        }
    }
}
