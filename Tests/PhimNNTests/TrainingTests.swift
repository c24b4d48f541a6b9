import PhimCore
import Testing
@testable import PhimNN
@testable import PhimTensor

/// Images of one of three shapes (a horizontal bar, a vertical bar, a diagonal) at random positions,
/// with noise; the label says which.
func shapesDataSet(count: Int, seed: UInt64) throws -> (images: Tensor, labels: Tensor) {
    var random = SplitMix64(seed: seed)
    let side = 12
    var pixels = [Float](repeating: 0, count: count * side * side)
    var labels = [Int64](repeating: 0, count: count)
    for n in 0..<count {
        let label = Int(random.next() % 3)
        labels[n] = Int64(label)
        let a = 2 + Int(random.next() % 8), b = 1 + Int(random.next() % 4)
        for k in 0..<6 {
            let (y, x): (Int, Int) = switch label {
            case 0: (a, b + k)
            case 1: (b + k, a)
            default: (b + k, b + k)
            }
            pixels[n * side * side + y * side + x] = 1
        }
        for i in 0..<(side * side) {
            pixels[n * side * side + i] += Float(Double(random.next() % 1000) / 1000 - 0.5) * 0.6
        }
    }
    return (try Tensor(pixels, shape: [count, 1, side, side]), try Tensor(labels))
}

final class ShapeClassifier: Module, UnaryLayer {
    let features = Sequential(
        try! Conv2d(1, 8, kernelSize: 3, padding: 1), try! BatchNorm2d(8), Activation.relu(), MaxPool(),
        try! Conv2d(8, 16, kernelSize: 3, padding: 1), Activation.relu(), MaxPool()
    )
    let head = try! Linear(16 * 3 * 3, 3)

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try head(features(x).flatten(start: 1))
    }

    final class MaxPool: Module, UnaryLayer {
        func callAsFunction(_ x: Tensor) throws -> Tensor { try x.maxPool2d(kernel: [2]) }
    }
}

@Suite struct TrainingTests {
    /// The stated goal: at least 95% accuracy on 300 held-out images after 150 steps of Adam.
    @Test func smallCNNLearnsTheShapesTask() throws {
        try Torch.manualSeed(1)
        let train = try shapesDataSet(count: 1200, seed: 1)
        let test = try shapesDataSet(count: 300, seed: 2)
        let model = ShapeClassifier()
        let optimizer = Adam(model.namedParameters(), learningRate: 3e-3)
        let loader = try DataLoader.tensors(train.images, train.labels, batchSize: 32, seed: 3, dropLast: true)
        var step = 0
        var firstLoss = 0.0, lastLoss = 0.0
        epochs: for epoch in 0..<10 {
            let batches = loader.batches(epoch: epoch)
            while let (x, y) = try batches.next() {
                try optimizer.zeroGrad()
                let loss = try crossEntropy(model(x), y)
                try loss.backward()
                try optimizer.step()
                if step == 0 { firstLoss = try loss.item() }
                lastLoss = try loss.item()
                step += 1
                if step == 150 { break epochs }
            }
        }
        model.eval()
        let predictions = try withNoGrad { try model(test.images).argmax(dim: 1) }
        let accuracy = try predictions.eq(test.labels).to(.float64).mean().item()
        #expect(lastLoss < firstLoss)
        #expect(accuracy >= 0.95, "accuracy \(accuracy) after \(step) steps")
    }

    @Test func resumingFromACheckpointIsBitForBit() throws {
        let path = temporaryPath("resume.safetensors")
        let data = try shapesDataSet(count: 64, seed: 5)
        let loader = try DataLoader.tensors(data.images, data.labels, batchSize: 16, seed: 9)

        func makeModel(_ generator: Generator) throws -> (ShapeClassifier, Dropout) {
            (ShapeClassifier(), Dropout(p: 0.3, generator: generator))
        }
        func train(_ model: ShapeClassifier, _ dropout: Dropout, _ optimizer: Adam, epochs: Range<Int>) throws {
            for epoch in epochs {
                let batches = loader.batches(epoch: epoch)
                while let (x, y) = try batches.next() {
                    try optimizer.zeroGrad()
                    try crossEntropy(model(dropout(x)), y).backward()
                    try optimizer.step()
                }
            }
        }

        let generator = Generator(seed: 77)
        let (model, dropout) = try makeModel(generator)
        let optimizer = Adam(model.namedParameters(), learningRate: 1e-3)
        try train(model, dropout, optimizer, epochs: 0..<2)
        try Checkpoint.save(to: path, model: model, optimizer: optimizer, step: optimizer.stepCount, generators: ["dropout": generator])
        try train(model, dropout, optimizer, epochs: 2..<4)

        let generator2 = Generator(seed: 1)  // a different stream, replaced by the checkpoint's
        let (model2, dropout2) = try makeModel(generator2)
        let optimizer2 = Adam(model2.namedParameters(), learningRate: 0.5)
        let (step, _) = try Checkpoint.load(from: path, into: model2, optimizer: optimizer2, generators: ["dropout": generator2])
        #expect(step == 8)
        #expect(optimizer2.stepCount == 8 && optimizer2.learningRate == 1e-3)
        try train(model2, dropout2, optimizer2, epochs: 2..<4)

        for ((name, a), (_, b)) in zip(model.stateDict(), model2.stateDict()) {
            #expect(try a.isEqual(to: b), "\(name) differs after resuming")
        }
    }
}

@Suite struct CheckpointTests {
    @Test func savesTheEMAAndRejectsFilesThatDoNotFit() throws {
        let path = temporaryPath("ema.safetensors")
        let model = try Linear(3, 2)
        let ema = try ExponentialMovingAverage(of: model, decay: 0.9)
        try withNoGrad { try model.weight.mulInPlace(3) }
        try ema.update()
        try Checkpoint.save(to: path, model: model, step: 5, generators: [:], ema: ema, metadata: ["arch": "linear-3-2"])
        let other = try Linear(3, 2)
        let otherEMA = try ExponentialMovingAverage(of: other, decay: 0.9)
        let (step, metadata) = try Checkpoint.load(from: path, into: other, generators: [:], ema: otherEMA)
        #expect(step == 5 && metadata["arch"] == "linear-3-2")
        #expect(try other.weight.isEqual(to: model.weight))
        for ((_, a), (_, b)) in zip(ema.stateDict(), otherEMA.stateDict()) { #expect(try a.isEqual(to: b)) }

        let wrongShape = try Linear(4, 2)
        #expect(throws: PhimError.self) { try Checkpoint.load(from: path, into: wrongShape, generators: [:]) }
        let plain = temporaryPath("plain.safetensors")
        try Safetensors.write([("weight", try Tensor.zeros([2, 3]))], to: plain)
        #expect(throws: PhimError.self) { try Checkpoint.load(from: plain, into: other, generators: [:]) }
    }
}

@Suite struct DataLoaderTests {
    @Test func orderDependsOnlyOnSeedAndEpoch() throws {
        let make = { (workers: Int) in
            DataLoader(count: 10, batchSize: 3, seed: 4, workers: workers) { indices, seed in (indices, seed) }
        }
        let one = make(1), three = make(3)
        #expect(one.order(epoch: 0) != one.order(epoch: 1))
        #expect(one.order(epoch: 0).sorted() == Array(0..<10))
        for epoch in 0..<3 {
            var a: [([Int], UInt64)] = [], b: [([Int], UInt64)] = []
            let ia = one.batches(epoch: epoch), ib = three.batches(epoch: epoch)
            while let batch = try ia.next() { a.append(batch) }
            while let batch = try ib.next() { b.append(batch) }
            #expect(a.map(\.0) == b.map(\.0))
            #expect(a.map(\.1) == b.map(\.1))
            #expect(a.map(\.0.count) == [3, 3, 3, 1])
        }
        let ordered = DataLoader(count: 5, batchSize: 2, shuffle: false, dropLast: true) { indices, _ in indices }
        let it = ordered.batches(epoch: 0)
        #expect(try it.next() == [0, 1])
        #expect(try it.next() == [2, 3])
        #expect(try it.next() == nil)
    }

    @Test func errorsReachTheConsumerAndEarlyStopsEndTheWorkers() throws {
        struct Broken: Error {}
        let loader = DataLoader(count: 6, batchSize: 1, shuffle: false, workers: 2, prefetch: 1) { indices, _ in
            if indices == [2] { throw Broken() }
            return indices[0]
        }
        let it = loader.batches(epoch: 0)
        #expect(try it.next() == 0)
        #expect(try it.next() == 1)
        #expect(throws: Broken.self) { try it.next() }
        // Dropping an iterator part-way must not hang its workers (they wait for room and see the cancellation).
        for _ in 0..<20 { _ = try loader.batches(epoch: 1).next() }
    }

    @Test func tensorBatchesHoldTheRightRows() throws {
        let x = try Tensor.arange(0, 10).reshape([10, 1])
        let y = try Tensor.arange(0, 10, dtype: .int64)
        let loader = try DataLoader.tensors(x, y, batchSize: 4, seed: 2, workers: 2)
        let it = loader.batches(epoch: 0)
        var seen: [Int64] = []
        while let (xb, yb) = try it.next() {
            #expect(try xb.squeeze(dim: 1).to(.int64).isEqual(to: yb))
            seen += try yb.toArray(Int64.self)
        }
        #expect(seen.sorted() == Array(0..<10))
        #expect(seen.map(Int.init) == loader.order(epoch: 0))
    }
}
