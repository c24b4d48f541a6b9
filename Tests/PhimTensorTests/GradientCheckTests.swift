import Testing
@testable import PhimTensor

/// One differentiable op: the shapes of its inputs and the computation.
struct DifferentiableOp: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [[Int]]
    /// Keep inputs away from zero (log, sqrt, division).
    var positive = false
    let apply: @Sendable ([Tensor]) throws -> Tensor

    init(_ name: String, _ shapes: [[Int]], positive: Bool = false, _ apply: @escaping @Sendable ([Tensor]) throws -> Tensor) {
        self.name = name
        self.shapes = shapes
        self.positive = positive
        self.apply = apply
    }

    var testDescription: String { name }
}

/// Every PhimTensor op that has a backward, checked against finite differences.
let differentiableOps: [DifferentiableOp] = [
    // Element-wise binary (with broadcasting)
    .init("add", [[2, 3], [3]]) { try $0[0].add($0[1], alpha: 2) },
    .init("sub", [[2, 3], [2, 1]]) { try $0[0] - $0[1] },
    .init("mul", [[2, 3], [2, 3]]) { try $0[0] * $0[1] },
    .init("div", [[2, 3], [2, 3]], positive: true) { try $0[0] / $0[1] },
    .init("scalar ops", [[4]], positive: true) { try (2 - $0[0]) * 3 + 1 / $0[0] - $0[0] / 2 },
    .init("pow", [[4], [4]], positive: true) { try $0[0].pow($0[1]) },
    .init("pow scalar", [[4]], positive: true) { try $0[0].pow(2.5) },
    .init("maximum", [[5], [5]]) { try $0[0].maximum($0[1]) },
    .init("minimum", [[5], [5]]) { try $0[0].minimum($0[1]) },
    .init("atan2", [[4], [4]], positive: true) { try $0[0].atan2($0[1]) },
    .init("lerp", [[4], [4]]) { try $0[0].lerp($0[1], weight: 0.3) },
    .init("where", [[6], [6]]) { try Tensor.where($0[0].gt(0), $0[0], $0[1]) },
    .init("clamp", [[6]]) { try $0[0].clamp(min: -0.5, max: 0.5) },
    // Unary
    .init("neg abs", [[5]]) { try $0[0].neg().abs() },
    .init("exp expm1", [[4]]) { try $0[0].exp() + $0[0].expm1() },
    .init("log log2 log1p", [[4]], positive: true) { try $0[0].log() + $0[0].log2() + $0[0].log1p() },
    .init("sqrt rsqrt", [[4]], positive: true) { try $0[0].sqrt() + $0[0].rsqrt() },
    .init("square reciprocal", [[4]], positive: true) { try $0[0].square() + $0[0].reciprocal() },
    .init("sin cos tan", [[4]]) { try $0[0].sin() + $0[0].cos() + $0[0].mul(0.5).tan() },
    .init("tanh erf", [[4]]) { try $0[0].tanh() + $0[0].erf() },
    // Activations
    .init("sigmoid", [[5]]) { try $0[0].sigmoid() },
    .init("relu", [[6]]) { try $0[0].relu() },
    .init("leaky relu", [[6]]) { try $0[0].leakyRelu(slope: 0.2) },
    .init("elu selu", [[6]]) { try $0[0].elu() + $0[0].selu() },
    .init("gelu", [[6]]) { try $0[0].gelu() + $0[0].gelu(tanhApproximation: true) },
    .init("silu mish", [[6]]) { try $0[0].silu() + $0[0].mish() },
    .init("softplus", [[6]]) { try $0[0].softplus(beta: 2) },
    .init("hardtanh", [[6]]) { try $0[0].hardtanh(min: -0.5, max: 0.5) },
    .init("log sigmoid", [[6]]) { try $0[0].logSigmoid() },
    .init("softmax", [[2, 4]]) { try $0[0].softmax(dim: 1) },
    .init("log softmax", [[2, 4]]) { try $0[0].logSoftmax(dim: 0) },
    .init("dropout (seeded mask)", [[3, 4]]) { try $0[0].dropout(p: 0.4, training: true, generator: Generator(seed: 11)) },
    // Linear algebra
    .init("matmul", [[2, 3, 4], [4, 2]]) { try $0[0].matmul($0[1]) },
    .init("mm", [[2, 3], [3, 2]]) { try $0[0].mm($0[1]) },
    .init("bmm", [[2, 2, 3], [2, 3, 2]]) { try $0[0].bmm($0[1]) },
    .init("mv dot outer", [[3, 2], [2]]) { try $0[0].mv($0[1]).sum() + $0[1].dot($0[1]) + $0[1].outer($0[1]).sum() },
    .init("linear", [[2, 3], [4, 3], [4]]) { try $0[0].linear(weight: $0[1], bias: $0[2]) },
    .init("einsum", [[2, 3], [3, 2]]) { try Tensor.einsum("ij,jk->ik", [$0[0], $0[1]]) },
    // Reductions
    .init("sum", [[2, 3]]) { try $0[0].sum() + $0[0].sum(dims: [1], keepDims: true).sum() },
    .init("mean", [[2, 3]]) { try $0[0].mean(dim: 0) },
    .init("prod", [[2, 3]], positive: true) { try $0[0].prod(dim: 1) + $0[0].prod() },
    .init("max min", [[2, 3]]) { try $0[0].max() + $0[0].min() + $0[0].max(dim: 1).values.sum() + $0[0].min(dim: 0).values.sum() },
    .init("variance std", [[2, 4]]) { try $0[0].variance(dims: [1]) + $0[0].std() },
    .init("norm", [[2, 3]]) { try $0[0].norm() + $0[0].norm(p: 1, dims: [1]).sum() },
    .init("logsumexp", [[2, 3]]) { try $0[0].logsumexp(dims: [1]) },
    .init("cumsum", [[5]]) { try $0[0].cumsum(dim: 0) },
    .init("topk sort", [[6]]) { try $0[0].topk(2).values.sum() + $0[0].sort(descending: true).values.mul(Tensor.arange(0, 6, dtype: .float64)).sum() },
    // Shapes and indexing
    .init("reshape view flatten", [[2, 3, 2]]) { try $0[0].reshape([3, 4]).view([12]) + $0[0].flatten() },
    .init("squeeze unsqueeze", [[2, 1, 3]]) { try $0[0].squeeze().unsqueeze(dim: 0).squeeze(dim: 0) },
    .init("permute transpose", [[2, 3, 4]]) { try $0[0].permute([2, 0, 1]).transpose(0, 1) },
    .init("expand repeated", [[1, 3]]) { try $0[0].expand([2, 3]) + $0[0].repeated([2, 1]) },
    .init("flip roll", [[2, 3]]) { try $0[0].flip(dims: [1]) * $0[0].roll(shifts: [1], dims: [1]) },
    .init("narrow select slice", [[4, 5]]) {
        try $0[0].narrow(dim: 1, start: 1, length: 3).sum() + $0[0].select(dim: 0, index: 2).sum() + $0[0].slice(dim: 1, start: 0, end: 5, step: 2).sum()
    },
    .init("subscript", [[3, 4]]) { try $0[0][.range(1...), .range(0..<4, step: 3)] },
    .init("index select, index, gather", [[4, 3]]) {
        let rows = try Tensor([3, 0, 3] as [Int64])
        let cols = try Tensor([0, 2, 1, 1, 0, 2, 2, 2, 2, 0, 0, 0] as [Int64], shape: [4, 3])
        return try $0[0].indexSelect(dim: 0, index: rows).sum() + $0[0].index(rows).mul(2).sum() + $0[0].gather(dim: 1, index: cols).square().sum()
    },
    .init("scatter add", [[3, 4], [2, 4]]) { try $0[0].scatterAdd(dim: 0, index: Tensor([0, 2, 1, 0, 2, 2, 0, 1] as [Int64], shape: [2, 4]), source: $0[1]) },
    .init("masked fill, masked select", [[6]]) {
        let mask = try Tensor([true, false, true, false, false, true])
        return try $0[0].maskedFill(mask, value: 2).square().sum() + $0[0].maskedSelect(mask).sum()
    },
    .init("tril triu", [[3, 3]]) { try $0[0].tril() * 2 + $0[0].triu(diagonal: 1) },
    .init("cat stack", [[2, 3], [2, 3]]) { try Tensor.cat([$0[0], $0[1]], dim: 1).sum(dim: 1) + Tensor.stack([$0[0], $0[1].square()]).sum(dim: 0).sum(dim: 1) },
    .init("split chunk unbind", [[4, 3]]) {
        let s = try $0[0].split(sizes: [1, 3], dim: 0)
        let c = try $0[0].chunk(3, dim: 1)
        return try s[0].sum() * s[1].sum() + c[2].square().sum() + $0[0].unbind(dim: 0)[3].sum()
    },
    // Padding and resampling
    .init("pad constant", [[1, 2, 3]]) { try $0[0].pad([1, 2], value: 0.5) },
    .init("pad reflect", [[1, 2, 4]]) { try $0[0].pad([2, 1], mode: .reflect) },
    .init("pad replicate", [[1, 1, 3, 3]]) { try $0[0].pad([1, 1, 1, 1], mode: .replicate) },
    .init("pad circular", [[1, 1, 3, 3]]) { try $0[0].pad([1, 1, 1, 1], mode: .circular) },
    .init("interpolate nearest 1d/2d/3d", [[1, 1, 2, 2, 3]]) {
        let v = $0[0]
        return try v.interpolate(scale: [2], mode: .nearest).sum() + v.reshape([1, 2, 2, 3]).interpolate(size: [4, 5]).sum()
            + v.reshape([1, 4, 3]).interpolate(size: [7]).square().sum()
    },
    .init("interpolate linear", [[1, 2, 4]]) { try $0[0].interpolate(size: [7], mode: .linear) },
    .init("interpolate bilinear", [[1, 1, 3, 3]]) { try $0[0].interpolate(size: [5, 4], mode: .bilinear, alignCorners: true) },
    .init("interpolate bicubic", [[1, 1, 3, 3]]) { try $0[0].interpolate(scale: [2], mode: .bicubic) },
    .init("interpolate trilinear", [[1, 1, 2, 3, 3]]) { try $0[0].interpolate(scale: [2], mode: .trilinear) },
    .init("grid sample, affine grid", [[1, 1, 3, 3], [1, 2, 3]]) {
        try $0[0].gridSample(Tensor.affineGrid($0[1].mul(0.5), size: [1, 1, 2, 2]))
    },
    // Convolution
    .init("conv1d", [[1, 2, 5], [3, 2, 3], [3]]) { try $0[0].conv1d(weight: $0[1], bias: $0[2], padding: [1]) },
    .init("conv2d", [[1, 2, 4, 4], [2, 1, 3, 3], [2]]) { try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [2], padding: [1], groups: 2) },
    .init("conv3d", [[1, 1, 3, 3, 3], [2, 1, 2, 2, 2]]) { try $0[0].conv3d(weight: $0[1], dilation: [1]) },
    .init("conv transpose 1d", [[1, 2, 3], [2, 1, 3], [1]]) { try $0[0].convTranspose1d(weight: $0[1], bias: $0[2], stride: [2]) },
    .init("conv transpose 2d", [[1, 2, 2, 2], [2, 2, 3, 3]]) { try $0[0].convTranspose2d(weight: $0[1], stride: [2], padding: [1], outputPadding: [1]) },
    .init("conv transpose 3d", [[1, 1, 2, 2, 2], [1, 1, 2, 2, 2], [1]]) { try $0[0].convTranspose3d(weight: $0[1], bias: $0[2], stride: [2]) },
    // Pooling
    .init("max pool 1d/2d", [[1, 1, 4, 4]]) { try $0[0].maxPool2d(kernel: [2]).sum() + $0[0].reshape([1, 4, 4]).maxPool1d(kernel: [2]).square().sum() },
    .init("max pool 3d", [[1, 1, 2, 4, 4]]) { try $0[0].maxPool3d(kernel: [2]) },
    .init("avg pool 1d/2d/3d", [[1, 1, 2, 4, 4]]) {
        try $0[0].avgPool3d(kernel: [2]).sum() + $0[0].reshape([1, 2, 4, 4]).avgPool2d(kernel: [3], stride: [1], padding: [1]).square().sum()
            + $0[0].reshape([1, 8, 4]).avgPool1d(kernel: [2]).square().sum()
    },
    .init("adaptive pools", [[1, 1, 2, 4, 4]]) {
        try $0[0].adaptiveAvgPool3d([1, 2, 2]).sum() + $0[0].reshape([1, 2, 4, 4]).adaptiveAvgPool2d([3, 3]).square().sum()
            + $0[0].reshape([1, 8, 4]).adaptiveAvgPool1d([3]).square().sum() + $0[0].reshape([1, 2, 4, 4]).adaptiveMaxPool2d([2, 2]).values.sum()
    },
    // Normalisation
    .init("batch norm (training)", [[4, 2, 3], [2], [2]]) {
        try $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true)
    },
    .init("batch norm (evaluation)", [[4, 2, 3], [2]]) {
        try $0[0].batchNorm(weight: $0[1], bias: nil, runningMean: Tensor([0.5, -1] as [Double]), runningVar: Tensor([2, 0.5] as [Double]), training: false)
    },
    .init("group norm", [[2, 4, 3], [4], [4]]) { try $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2]) },
    .init("layer norm", [[2, 3, 4], [4], [4]]) { try $0[0].layerNorm([4], weight: $0[1], bias: $0[2]) },
    .init("instance norm", [[2, 2, 5], [2], [2]]) { try $0[0].instanceNorm(weight: $0[1], bias: $0[2]) },
    // Embedding and recurrent cells
    .init("embedding", [[5, 3]]) { try $0[0].embedding(Tensor([4, 0, 4, 2] as [Int64], shape: [2, 2])) },
    .init("gru cell", [[2, 3], [2, 2], [6, 3], [6, 2], [6], [6]]) {
        try $0[0].gruCell(hidden: $0[1], weightIH: $0[2], weightHH: $0[3], biasIH: $0[4], biasHH: $0[5])
    },
    .init("lstm cell", [[2, 3], [2, 2], [2, 2], [8, 3], [8, 2], [8]]) {
        let (h, c) = try $0[0].lstmCell(hidden: $0[1], cell: $0[2], weightIH: $0[3], weightHH: $0[4], biasIH: $0[5], biasHH: nil)
        return try h + c
    },
    // Losses
    .init("mse l1 smooth l1", [[6], [6]]) { try mseLoss($0[0], $0[1]) + l1Loss($0[0], $0[1], reduction: .sum) + smoothL1Loss($0[0], $0[1], beta: 0.5) },
    .init("binary cross-entropy", [[6]]) {
        try binaryCrossEntropy($0[0].sigmoid(), Tensor([1, 0, 1, 1, 0, 0.5] as [Double]))
    },
    .init("binary cross-entropy with logits", [[6], [6]]) {
        try binaryCrossEntropyWithLogits($0[0], $0[1].sigmoid(), positiveWeight: Tensor([2] as [Double]))
    },
    .init("cross-entropy", [[3, 4]]) {
        try crossEntropy($0[0], Tensor([3, 0, 1] as [Int64]), labelSmoothing: 0.1) + nllLoss($0[0].logSoftmax(dim: 1), Tensor([1, 1, 2] as [Int64]))
    },
    .init("hinge losses", [[6]]) {
        try hingeEmbeddingLoss($0[0], Tensor([1, -1, 1, -1, -1, 1] as [Double]), margin: 0.5) + hingeLoss($0[0], real: true) + hingeLoss($0[0], real: false)
    },
    .init("kl divergence", [[2, 3], [2, 3]]) { try klDivergence($0[0].logSoftmax(dim: 1), $0[1].softmax(dim: 1), reduction: .sum) },
]

@Suite struct GradientCheckTests {
    @Test(arguments: differentiableOps)
    func matchesFiniteDifferences(_ op: DifferentiableOp) throws {
        let generator = Generator(seed: 1234)
        var inputs: [Tensor] = []
        for shape in op.shapes {
            var x = try Tensor.randn(shape, generator: generator, dtype: .float64)
            if op.positive { x = try x.abs() + 0.5 }
            inputs.append(x)
        }
        let result = try gradientCheck(inputs, op.apply)
        #expect(result.passes(), "\(op.name): \(result)")
    }
}

@Suite struct GradientCheckerTests {
    @Test func detectsAWrongGradient() throws {
        // x·detach(x) has gradient x according to autograd but 2x in truth.
        let x = try Tensor.randn([5], generator: Generator(seed: 1), dtype: .float64)
        let wrong = try gradientCheck([x]) { try $0[0] * $0[0].detach() }
        #expect(!wrong.passes())
        #expect(wrong.elementCount == 5)
        let right = try gradientCheck([x]) { try $0[0] * $0[0] }
        #expect(right.passes(), "\(right)")
    }

    @Test func coversEveryTableEntry() {
        #expect(differentiableOps.count >= 90)
        #expect(Set(differentiableOps.map(\.name)).count == differentiableOps.count)
    }
}
