import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// The losses of one training step, each side's image loss (DSSIM + L1 inside the face's hull) and mask loss.
public struct SwapLosses: Sendable, Equatable {
    public var source: Double
    public var target: Double
    public var mask: Double
}

/// One step at a time of a trained swap's training: a batch of each person's aligned faces, each randomly moved
/// (rotation, scale, shift, mirror) and then randomly warped (a smooth random displacement field) on the way in, is
/// drawn back unwarped by that person's decoder. The warp is what makes the model learn faces rather than copy pixels,
/// and what lets the source's decoder draw from the target's code.
///
/// Not `Sendable`: one thread trains.
public final class SwapTrainer {
    public struct Settings: Codable, Sendable, Equatable {
        public var learningRate = 2e-4
        public var batch = 16
        /// The largest rotation (degrees), scale change and shift (fraction of the side) of the random moves.
        public var rotation = 10.0
        public var scale = 0.05
        public var shift = 0.05
        /// The random warp's displacement (standard deviation, as a fraction of the side) at the interior points of a
        /// 5 × 5 grid (its border stays put), smoothly interpolated between them.
        public var warp = 0.04
        public var ssimWeight = 10.0
        public var l1Weight = 10.0
        public var maskWeight = 10.0

        public init() {}
    }

    public let model: SwapModel
    public let settings: Settings
    let optimizer: Adam
    let random: Generator
    public private(set) var step = 0

    public init(model: SwapModel, settings: Settings = Settings(), seed: UInt64 = 1) {
        self.model = model
        self.settings = settings
        optimizer = Adam(model.namedParameters(), learningRate: settings.learningRate, beta1: 0.5, beta2: 0.999)
        random = Generator(seed: seed)
    }

    /// One update from random batches of `source` and `target` faces: as a ``FaceSet`` stores them (uint8
    /// `[count, size, size, 4]`, which keeps a large set at a quarter of the memory), or as floats `[count, 4, size, size]`
    /// in 0…1; RGB and hull either way.
    public func train(source: Tensor, target: Tensor) throws -> SwapLosses {
        model.train()
        let (sourceIn, sourceOut, sourceMask) = try augment(batch(of: source))
        let (targetIn, targetOut, targetMask) = try augment(batch(of: target))
        let drawnSource = try model.drawSource(sourceIn)
        let drawnTarget = try model.drawTarget(targetIn)
        let sourceLoss = try imageLoss(drawnSource.face, sourceOut, mask: sourceMask)
        let targetLoss = try imageLoss(drawnTarget.face, targetOut, mask: targetMask)
        let maskLoss = try (mseLoss(drawnSource.mask, sourceMask) + mseLoss(drawnTarget.mask, targetMask)) * settings.maskWeight
        let loss = try sourceLoss + targetLoss + maskLoss
        try optimizer.zeroGrad()
        try loss.backward()
        try optimizer.step()
        step += 1
        return SwapLosses(source: try sourceLoss.item(), target: try targetLoss.item(), mask: try maskLoss.item())
    }

    /// DSSIM and L1 between the drawn face and the true one, both inside the true face's hull.
    func imageLoss(_ drawn: Tensor, _ truth: Tensor, mask: Tensor) throws(TensorError) -> Tensor {
        let a = try drawn * mask, b = try truth * mask
        let dssim = try (1 - structuralSimilarity(a, b)) / 2
        return try dssim * settings.ssimWeight + l1Loss(a, b) * settings.l1Weight
    }

    /// `settings.batch` faces of `faces`, drawn at random, as floats `[batch, 4, size, size]` in 0…1.
    func batch(of faces: Tensor) throws(TensorError) -> Tensor {
        let indices = try Tensor.randint(0, try faces.size(0), [settings.batch], generator: random)
        let picked = try faces.indexSelect(dim: 0, index: indices)
        return faces.dtype == .uint8 ? try picked.permute([0, 3, 1, 2]).to(.float32).div(255).contiguous() : picked
    }

    /// The warped input, the unwarped truth (both moved alike) and the truth's hull, from faces `[batch, 4, n, n]`.
    func augment(_ faces: Tensor) throws(TensorError) -> (input: Tensor, truth: Tensor, mask: Tensor) {
        let count = try faces.size(0), side = try faces.size(2)
        let draws: [Float] = try Tensor.rand([count, 5], generator: random).toArray()
        var theta = [Float]()
        for k in 0..<count {
            let d = draws[(5 * k)..<(5 * k + 5)].map { Double($0) * 2 - 1 }  // five numbers in -1…1
            let angle = d[0] * settings.rotation * .pi / 180, scale = 1 + d[1] * settings.scale
            let mirror: Double = d[4] < 0 ? -1 : 1
            // Output → input coordinates (affine_grid's convention), in -1…1 units: a shift of `shift` of the side is 2·shift.
            theta += [cos(angle) * scale * mirror, -sin(angle) * scale, d[2] * settings.shift * 2,
                      sin(angle) * scale * mirror, cos(angle) * scale, d[3] * settings.shift * 2].map { Float($0) }
        }
        let moved = try Tensor.affineGrid(Tensor(theta, shape: [count, 2, 3]), size: [count, 4, side, side])
        let interior = try Tensor([Float](repeating: 0, count: 25).enumerated().map { index, _ in
            (1...3).contains(index / 5) && (1...3).contains(index % 5) ? Float(1) : 0
        }, shape: [1, 1, 5, 5])
        let offsets = try (Tensor.randn([count, 2, 5, 5], generator: random) * interior * (settings.warp * 2))
            .interpolate(size: [side, side], mode: .bicubic, alignCorners: true).permute([0, 2, 3, 1])
        let truthAll = try faces.gridSample(moved, zerosPadding: false)
        let input = try faces.narrow(dim: 1, start: 0, length: 3).gridSample(moved + offsets, zerosPadding: false)
        return (input, try truthAll.narrow(dim: 1, start: 0, length: 3).contiguous(), try truthAll.narrow(dim: 1, start: 3, length: 1).contiguous())
    }

    /// Saves everything training needs to resume.
    public func save(to url: URL, metadata: [String: String]) throws(PhimError) {
        try Checkpoint.save(to: url.path, model: model, optimizer: optimizer, step: step,
                            generators: ["default": .default, "swap": random], metadata: metadata)
    }

    /// Resumes from a checkpoint saved by ``save(to:metadata:)``.
    public func load(from url: URL) throws(PhimError) {
        let (saved, _) = try Checkpoint.load(from: url.path, into: model, optimizer: optimizer,
                                             generators: ["default": .default, "swap": random])
        step = saved
    }
}
