import Testing
@testable import PhimNN
@testable import PhimTensor

final class Block: Module, UnaryLayer {
    let conv: Conv2d
    let norm: BatchNorm2d
    let extra: [Linear]
    let maybe: Linear?
    var scale: Tensor

    init(withExtra: Bool) throws {
        conv = try Conv2d(2, 4, kernelSize: 3, padding: 1, bias: false)
        norm = try BatchNorm2d(4)
        extra = [try Linear(4, 4), try Linear(4, 2, bias: false)]
        maybe = withExtra ? try Linear(2, 2) : nil
        scale = try Tensor.ones([1]).requiringGrad()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try norm(conv(x)).mul(scale)
    }
}

@Suite struct ModuleTests {
    @Test func parametersAndBuffersAreNamedByPath() throws {
        let block = try Block(withExtra: false)
        #expect(block.namedParameters().map(\.0) == [
            "scale", "conv.weight", "norm.weight", "norm.bias", "extra.0.weight", "extra.0.bias", "extra.1.weight",
        ])
        #expect(block.namedBuffers().map(\.0) == ["norm.runningMean", "norm.runningVar"])
        #expect(try Block(withExtra: true).namedParameters().map(\.0).contains("maybe.bias"))
        let model = Sequential(try Linear(3, 4), Activation.relu(), try Linear(4, 1))
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.parameterCount == 3 * 4 + 4 + 4 + 1)
        #expect(try model(Tensor.zeros([5, 3])).shape == [5, 1])
    }

    @Test func trainAndEvalReachEveryModule() throws {
        let block = try Block(withExtra: true)
        block.eval()
        #expect(block.modules().allSatisfy { !$0.isTraining })
        block.train()
        #expect(block.modules().allSatisfy { $0.isTraining })
    }

    @Test func loadingCopiesInPlaceAndRejectsMismatches() throws {
        let a = try Block(withExtra: false)
        let b = try Block(withExtra: false)
        let weight = b.conv.weight
        try b.load(stateDict: Dictionary(uniqueKeysWithValues: a.stateDict()))
        #expect(weight === b.conv.weight)
        #expect(try b.conv.weight.isEqual(to: a.conv.weight))
        var state = Dictionary(uniqueKeysWithValues: a.stateDict())
        state["unknown"] = try Tensor.zeros([1])
        #expect(throws: TensorError.self) { try b.load(stateDict: state) }
        state["unknown"] = nil
        state["scale"] = try Tensor.zeros([2])
        #expect(throws: TensorError.self) { try b.load(stateDict: state) }
    }

    @Test func batchNormUpdatesRunningStatisticsOnlyInTraining() throws {
        let norm = try BatchNorm2d(2)
        let x = try Tensor.randn([4, 2, 3, 3], generator: Generator(seed: 1)) + 5
        norm.eval()
        _ = try norm(x)
        #expect(try norm.runningMean.sum().item() == 0)
        norm.train()
        _ = try norm(x)
        #expect(try norm.runningMean.mean().item() > 0.4)  // moved 10% of the way towards 5
    }
}

/// Gradient checks of every layer, with respect to its input and all its parameters, in float64.
@Suite struct LayerGradientTests {
    func check(_ layer: Module, input shape: [Int], training: Bool = true, _ forward: (Tensor) throws -> Tensor) throws {
        try layer.convert(to: .float64)
        layer.train(training)
        let x = try Tensor.randn(shape, generator: Generator(seed: 5), dtype: .float64).requiringGrad()
        let tensors = [x] + layer.parameters()
        let result = try gradientCheck(inPlace: tensors) { try forward(x) }
        #expect(result.passes(), "\(type(of: layer)): \(result)")
        #expect(result.elementCount == tensors.reduce(0) { $0 + $1.count })
    }

    @Test func linear() throws { let l = try Linear(3, 2); try check(l, input: [2, 3]) { try l($0) } }
    @Test func conv1d() throws { let l = try Conv1d(2, 2, kernelSize: 3, padding: 1); try check(l, input: [1, 2, 4]) { try l($0) } }
    @Test func conv2d() throws { let l = try Conv2d(2, 2, kernelSize: 2, stride: 2); try check(l, input: [1, 2, 4, 4]) { try l($0) } }
    @Test func conv3d() throws { let l = try Conv3d(1, 2, kernelSize: 2); try check(l, input: [1, 1, 3, 3, 3]) { try l($0) } }
    @Test func convTranspose1d() throws {
        let l = try ConvTranspose1d(2, 1, kernelSize: 3, stride: 2); try check(l, input: [1, 2, 3]) { try l($0) }
    }
    @Test func convTranspose2d() throws {
        let l = try ConvTranspose2d(2, 2, kernelSize: 4, stride: 2, padding: 1); try check(l, input: [1, 2, 2, 2]) { try l($0) }
    }
    @Test func convTranspose3d() throws {
        let l = try ConvTranspose3d(1, 1, kernelSize: 2, stride: 2); try check(l, input: [1, 1, 2, 2, 2]) { try l($0) }
    }
    /// Sizes are one number for every dimension or one per dimension; anything else, or output padding on a
    /// convolution that is not transposed, is an error naming the argument.
    @Test func convolutionSizesAreCheckedAgainstTheDimensions() throws {
        let perDimension = try Conv3d(1, 2, kernelSize: [2, 3, 3], stride: [1, 2, 2], padding: 1)
        #expect(perDimension.weight.shape == [2, 1, 2, 3, 3])
        #expect(perDimension.stride == [1, 2, 2] && perDimension.padding == [1, 1, 1])
        let transposed = try ConvTranspose2d(4, 2, kernelSize: 4, stride: 2, padding: 1, outputPadding: 1)
        #expect(transposed.weight.shape == [4, 2, 4, 4] && transposed.outputPadding == [1, 1])
        let wrongCount = #expect(throws: TensorError.self) { try Conv2d(1, 1, kernelSize: [3, 3, 3]) }
        #expect(wrongCount?.message.contains("kernelSize has 3 values for 2 dimensions") == true)
        let notTransposed = #expect(throws: TensorError.self) { try Conv2d(1, 1, kernelSize: 3, outputPadding: 1) }
        #expect(notTransposed?.message.contains("transposed convolutions only") == true)
        #expect(throws: TensorError.self) { try Conv1d(3, 2, kernelSize: 3, groups: 2) }
    }

    @Test func batchNorm() throws {
        let l = try BatchNorm2d(2); try check(l, input: [3, 2, 2, 2]) { try l($0) }
        let e = try BatchNorm3d(2); try check(e, input: [1, 2, 2, 2, 2], training: false) { try e($0) }
        let d = try BatchNorm1d(3); try check(d, input: [4, 3]) { try d($0) }
    }
    @Test func groupNorm() throws { let l = try GroupNorm(groups: 2, channels: 4); try check(l, input: [2, 4, 3]) { try l($0) } }
    @Test func layerNorm() throws { let l = try LayerNorm([3]); try check(l, input: [2, 2, 3]) { try l($0) } }
    @Test func instanceNorm() throws { let l = try InstanceNorm(2, affine: true); try check(l, input: [2, 2, 2, 3]) { try l($0) } }
    @Test func embedding() throws {
        let l = try Embedding(5, 3)
        try l.convert(to: .float64)
        let result = try gradientCheck(inPlace: l.parameters()) { try l(Tensor([1, 4, 4, 0] as [Int64])) }
        #expect(result.passes(), "\(result)")
    }
    @Test func gruCell() throws {
        let l = try GRUCell(inputSize: 3, hiddenSize: 2)
        let h = try Tensor.randn([2, 2], generator: Generator(seed: 2), dtype: .float64)
        try check(l, input: [2, 3]) { try l($0, hidden: h) }
    }
    @Test func lstmCell() throws {
        let l = try LSTMCell(inputSize: 2, hiddenSize: 2)
        try check(l, input: [2, 2]) { x in
            let (h, c) = try l(x)
            let (h2, c2) = try l(x, state: (h, c))
            return try h2 + c2
        }
    }
    @Test func dropout() throws {
        // A fresh generator per evaluation gives the same mask each time.
        let x = try Tensor.randn([4, 3], generator: Generator(seed: 3))
        let result = try gradientCheck([x]) { try Dropout(p: 0.5, generator: Generator(seed: 9))($0[0]) }
        #expect(result.passes(), "\(result)")
        let channels = try gradientCheck([try x.reshape([2, 2, 3])]) { try Dropout(p: 0.5, channels: true, generator: Generator(seed: 9))($0[0]) }
        #expect(channels.passes(), "\(channels)")
        let off = Dropout(p: 0.5)
        off.eval()
        #expect(try off(x).isEqual(to: x))
    }
    @Test func spectralNorm() throws {
        let l = try SpectralNorm(Conv2d(2, 3, kernelSize: 2), generator: Generator(seed: 1))
        try l.convert(to: .float64)
        _ = try l(Tensor.zeros([1, 2, 3, 3], dtype: .float64))  // one power iteration, then hold u and v fixed
        try check(l, input: [1, 2, 3, 3], training: false) { try l($0) }
        #expect(!l.namedParameters().map(\.0).contains("layer.weight"))
        #expect(l.namedParameters().map(\.0).contains("weightOriginal"))
    }
    @Test func upsampleConvolution() throws {
        let l = try UpsampleConvolution(2, 1, kernelSize: 3, scale: 2)
        try check(l, input: [1, 2, 2, 2]) { try l($0) }
        let v = try UpsampleConvolution(spatialDimensions: 3, 1, 1, kernelSize: 3, scale: 2, mode: .trilinear)
        try check(v, input: [1, 1, 2, 2, 2]) { try v($0) }
    }
    /// Nearest ×2 + 3×3 is computed as four 2×2 kernels at the input's size: the same values and the same gradients
    /// (to the input, the weights and the bias) as upsampling and convolving, on a non-square input.
    @Test func upsampleConvolutionByPhasesIsExact() throws {
        let l = try UpsampleConvolution(3, 5, kernelSize: 3, scale: 2)
        #expect(l.isSubpixel)
        try l.convert(to: .float64)
        let x = try Tensor.randn([2, 3, 4, 7], generator: Generator(seed: 8), dtype: .float64).requiringGrad()
        let fast = try l(x)
        let plain = try l.convolution(l.upsample(x))
        #expect(fast.shape == [2, 5, 8, 14])
        #expect(try (fast - plain).abs().max().item() < 1e-12)
        let upstream = try Tensor.randn([2, 5, 8, 14], generator: Generator(seed: 9), dtype: .float64)
        let tensors = [x, l.convolution.weight, l.convolution.bias!]
        let fastGradients = try Tensor.gradients(of: [(fast * upstream).sum()], withRespectTo: tensors)
        let plainGradients = try Tensor.gradients(of: [(plain * upstream).sum()], withRespectTo: tensors)
        for (a, b) in zip(fastGradients, plainGradients) {
            #expect(try (a! - b!).abs().max().item() < 1e-11)
        }
        #expect(try !UpsampleConvolution(3, 5, kernelSize: 5, scale: 2).isSubpixel)
        #expect(try !UpsampleConvolution(3, 5, kernelSize: 3, scale: 2, mode: .bilinear).isSubpixel)
    }
    @Test func sequential() throws {
        let l = Sequential(try Linear(2, 3), Activation.tanh(), try Linear(3, 1), Activation.sigmoid())
        try check(l, input: [2, 2]) { try l($0) }
    }
}

@Suite struct SpectralNormTests {
    @Test func sigmaConvergesToTheLargestSingularValue() throws {
        let linear = try Linear(3, 3, bias: false)
        try withNoGrad { try linear.weight.copy(from: Tensor([3, 0, 0, 0, -1, 0, 0, 0, 0.5] as [Float], shape: [3, 3])) }
        let sn = try SpectralNorm(linear, powerIterations: 30, generator: Generator(seed: 1))
        let sigma = try sn.sigma().item()
        #expect(Swift.abs(sigma - 3) < 1e-4)
        let y = try sn(Tensor.eye(3))
        #expect(Swift.abs(try y.abs().max().item() - 1) < 1e-4)
        // The normalised weight is differentiable with respect to the original.
        try y.sum().backward()
        #expect(sn.weightOriginal.grad != nil)
    }
}
