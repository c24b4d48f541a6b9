import Testing
@testable import PhimTensor

@Suite struct CreationTests {
    @Test func arraysRoundTripInEveryDtype() throws {
        let floats: [Float] = [1, -2.5, 3, 4.25, 0, 6]
        let t = try Tensor(floats, shape: [2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.dtype == .float32)
        #expect(try t.toArray(Float.self) == floats)
        #expect(try Tensor([1.5, 2.5] as [Double]).dtype == .float64)
        #expect(try Tensor([1, 2, 3] as [Int64]).toArray(Int64.self) == [1, 2, 3])
        #expect(try Tensor([7, -8] as [Int32]).toArray(Int32.self) == [7, -8])
        #expect(try Tensor([0, 255] as [UInt8]).toArray(UInt8.self) == [0, 255])
        #expect(try Tensor([true, false, true]).toArray(Bool.self) == [true, false, true])
        #expect(try Tensor([1.5, -2] as [Float16]).toArray(Float.self) == [1.5, -2])
        let bf = try t.to(.bfloat16)
        #expect(bf.dtype == .bfloat16)
        #expect(try bf.toArray(Float.self) == floats)  // all six values are exact in bfloat16
        for dtype in DType.allCases {
            let z = try Tensor.zeros([3, 1], dtype: dtype)
            #expect(z.dtype == dtype)
            #expect(try z.sum(dtype: .float64).item() == 0)
        }
    }

    @Test func rawBuffersAreCopied() throws {
        var values: [Int32] = [1, 2, 3, 4]
        let t = try values.withUnsafeBytes { try Tensor(bytes: $0, shape: [2, 2], dtype: .int32) }
        values[0] = 99
        #expect(try t.toArray(Int32.self) == [1, 2, 3, 4])
        let wrong = try? values.withUnsafeBytes { try Tensor(bytes: $0, shape: [3, 2], dtype: .int32) }
        #expect(wrong == nil)
    }

    @Test func factories() throws {
        #expect(try Tensor.arange(0, 5).toArray(Float.self) == [0, 1, 2, 3, 4])
        #expect(try Tensor.linspace(0, 1, count: 5).toArray(Double.self) == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.full([2], value: 3.5).toArray(Float.self) == [3.5, 3.5])
        #expect(try Tensor.eye(2).toArray(Float.self) == [1, 0, 0, 1])
        #expect(try Tensor.ones([2, 2], dtype: .int64).sum().itemInt() == 4)
        let u = try Tensor.rand([1000], generator: Generator(seed: 1))
        #expect(try u.min().item() >= 0 && u.max().item() < 1)
        let n = try Tensor.randn([20000], generator: Generator(seed: 2), dtype: .float64)
        #expect(Swift.abs(try n.mean().item()) < 0.05)
        #expect(Swift.abs(try n.std().item() - 1) < 0.05)
        let r = try Tensor.randint(3, 7, [500], generator: Generator(seed: 3))
        #expect(try r.min().itemInt() == 3 && r.max().itemInt() == 6)
        #expect(try Tensor.randperm(10, generator: Generator(seed: 4)).sort().values.toArray(Int64.self) == Array(0..<10))
    }

    @Test func seededGeneratorsRepeatAndStatesRestore() throws {
        let a = try Tensor.randn([8], generator: Generator(seed: 42))
        let b = try Tensor.randn([8], generator: Generator(seed: 42))
        #expect(try a.isEqual(to: b))
        let g = Generator(seed: 5)
        let state = try g.state()
        let first = try Tensor.rand([4], generator: g)
        try g.setState(state)
        #expect(try Tensor.rand([4], generator: g).isEqual(to: first))
    }

    @Test func threadCountIsSettable() throws {
        let before = Torch.threadCount
        #expect(before >= 1)
        try Torch.setThreadCount(1)
        #expect(Torch.threadCount == 1)
        try Torch.setThreadCount(before)
        #expect(throws: TensorError.self) { try Torch.setThreadCount(0) }
    }
}

@Suite struct MathTests {
    @Test func broadcastingArithmetic() throws {
        let a = try Tensor([1, 2, 3] as [Float], shape: [3, 1])
        let b = try Tensor([10, 20] as [Float], shape: [1, 2])
        let sum = try a + b
        #expect(sum.shape == [3, 2])
        #expect(try sum.toArray(Float.self) == [11, 21, 12, 22, 13, 23])
        #expect(try (a * 2 - 1).toArray(Float.self) == [1, 3, 5])
        #expect(try (1 - a).toArray(Float.self) == [0, -1, -2])
        #expect(try (6 / a).toArray(Float.self) == [6, 3, 2])
        #expect(try (-a).toArray(Float.self) == [-1, -2, -3])
        #expect(try a.pow(2).toArray(Float.self) == [1, 4, 9])
        #expect(try a.clamp(min: 1.5, max: 2.5).toArray(Float.self) == [1.5, 2, 2.5])
        let cond = try a.gt(1.5)
        #expect(try Tensor.where(cond, a, a.zerosLike()).toArray(Float.self) == [0, 2, 3])
    }

    @Test func matmulAndReductions() throws {
        let m = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let v = try Tensor([1, 0, -1] as [Float], shape: [3, 1])
        #expect(try m.matmul(v).toArray(Float.self) == [-2, -2])
        #expect(try m.sum().item() == 21)
        #expect(try m.sum(dim: 0).toArray(Float.self) == [5, 7, 9])
        #expect(try m.mean(dims: [1], keepDims: true).shape == [2, 1])
        let (values, indices) = try m.max(dim: 1)
        #expect(try values.toArray(Float.self) == [3, 6])
        #expect(try indices.toArray(Int64.self) == [2, 2])
        #expect(try m.argmax().itemInt() == 5)
        #expect(try m.softmax(dim: 1).sum(dim: 1).toArray(Float.self).allSatisfy { Swift.abs($0 - 1) < 1e-6 })
    }

    @Test func shapesJoinsAndIndexing() throws {
        let t = try Tensor.arange(0, 24).reshape([2, 3, 4])
        #expect(try t.permute([2, 0, 1]).shape == [4, 2, 3])
        #expect(try t.transpose(0, 2).shape == [4, 3, 2])
        #expect(try t.flatten(start: 1).shape == [2, 12])
        #expect(try t.unsqueeze(dim: 0).squeeze().shape == [2, 3, 4])
        #expect(try t[1, 2, 3].item() == 23)
        #expect(try t[.all, .range(1..<3), 0].toArray(Float.self) == [4, 8, 16, 20])
        #expect(try t[.ellipsis, .range(0..<4, step: 2)].shape == [2, 3, 2])
        #expect(try t[.newAxis].shape == [1, 2, 3, 4])
        #expect(try t[-1, -1, -1].item() == 23)
        #expect(throws: TensorError.self) { try t[0, 0, 0, 0] }
        let parts = try t.split(size: 3, dim: 2)
        #expect(parts.map(\.shape) == [[2, 3, 3], [2, 3, 1]])
        #expect(try t.chunk(3, dim: 1).count == 3)
        #expect(try Tensor.cat(t.unbind(dim: 0), dim: 0).shape == [6, 4])
        #expect(try Tensor.stack([t, t], dim: 1).shape == [2, 2, 3, 4])
        #expect(try t.expand(as: Tensor.zeros([5, 2, 3, 4])).shape == [5, 2, 3, 4])
        let idx = try Tensor([2, 0] as [Int64])
        #expect(try t[0, 0].indexSelect(dim: 0, index: idx).toArray(Float.self) == [2, 0])
    }

    @Test func interpolationPaddingAndConvolutionShapes() throws {
        let image = try Tensor.randn([1, 2, 4, 6], generator: Generator(seed: 9))
        #expect(try image.interpolate(scale: [2], mode: .nearest).shape == [1, 2, 8, 12])
        #expect(try image.interpolate(size: [5, 5], mode: .bilinear, alignCorners: true).shape == [1, 2, 5, 5])
        let video = try Tensor.randn([1, 2, 3, 4, 4], generator: Generator(seed: 9))
        #expect(try video.interpolate(scale: [2], mode: .trilinear).shape == [1, 2, 6, 8, 8])
        #expect(throws: TensorError.self) { try image.interpolate(scale: [2], mode: .trilinear) }
        #expect(try image.pad([1, 1, 2, 2], mode: .reflect).shape == [1, 2, 8, 8])
        let w = try Tensor.randn([3, 2, 3, 3], generator: Generator(seed: 1))
        #expect(try image.conv2d(weight: w, stride: [2], padding: [1]).shape == [1, 3, 2, 3])
        let up = try Tensor.randn([2, 3, 4, 4], generator: Generator(seed: 1))
        #expect(try image.convTranspose2d(weight: up, stride: [2], padding: [1]).shape == [1, 3, 8, 12])
        #expect(try image.maxPool2d(kernel: [2]).shape == [1, 2, 2, 3])
        #expect(try image.adaptiveAvgPool2d([1, 1]).shape == [1, 2, 1, 1])
    }
}

@Suite struct DeviceTests {
    @Test func cpuBuildsRejectCUDAWithAnError() throws {
        let t = try Tensor.ones([2])
        #expect(t.device == .cpu)
        #expect(try t.to(.cpu).device == .cpu)
        if !Torch.isCUDAAvailable {
            #expect(Torch.cudaDeviceCount == 0)
            #expect(throws: TensorError.self) { try t.to(.cuda()) }
            #expect(throws: TensorError.self) { try Tensor.zeros([2], device: .cuda()) }
        }
    }

    @Test(.enabled(if: Torch.isCUDAAvailable, "needs a CUDA build of libtorch (LIBTORCH, LIBTORCH_CUDA=1) and a GPU"))
    func cudaRoundTrip() throws {
        let t = try Tensor([1, 2, 3] as [Float])
        let gpu = try t.to(.cuda())
        #expect(gpu.device == .cuda(0))
        #expect(try (gpu * 2).to(.cpu).toArray(Float.self) == [2, 4, 6])
    }
}

@Suite struct ErrorTests {
    @Test func shapeMismatchIsASwiftErrorWithLibtorchsMessage() throws {
        let a = try Tensor.zeros([2, 3])
        let b = try Tensor.zeros([4])
        do {
            _ = try a + b
            Issue.record("adding [2, 3] and [4] did not throw")
        } catch {
            #expect(error.code == .libtorch)
            #expect(error.message.contains("must match the size of tensor b (4)"))
            #expect(!error.message.contains("frame #"))  // no C++ backtrace
            #expect(error.function == "add(_:alpha:)")
        }
        #expect(throws: TensorError.self) { try a.matmul(a) }
        #expect(throws: TensorError.self) { try a.reshape([5]) }
        #expect(throws: TensorError.self) { try a.conv2d(weight: b) }
        #expect(throws: TensorError.self) { try Tensor.ones([2], dtype: .int64).requiringGrad() }
        #expect(throws: TensorError.self) { try a.item() }
    }

    @Test func indexErrorsHaveTheirCode() throws {
        let a = try Tensor.zeros([2, 3])
        do {
            _ = try a.select(dim: 5, index: 0)
            Issue.record("select on dimension 5 did not throw")
        } catch {
            #expect(error.code == .index)
            #expect(error.message.contains("Dimension out of range"))
        }
    }
}

@Suite struct AutogradTests {
    @Test func backwardAccumulatesAndNoGradStopsRecording() throws {
        let x = try Tensor([1, 2, 3] as [Float]).requiringGrad()
        let y = try (x * x).sum()
        try y.backward()
        #expect(try x.grad?.toArray(Float.self) == [2, 4, 6])
        try (x * 3).sum().backward()
        #expect(try x.grad?.toArray(Float.self) == [5, 7, 9])
        try x.setGrad(nil)
        #expect(x.grad == nil)
        let z = try withNoGrad { try x * 2 }
        #expect(!z.requiresGrad)
        #expect(isGradEnabled)
        #expect(try !x.detach().requiresGrad)
        #expect(x.isLeaf && !y.isLeaf)
    }

    @Test func gradientsOfGradients() throws {
        // d/dx (d/dx x³) = 6x.
        let x = try Tensor([2] as [Double]).requiringGrad()
        let first = try Tensor.gradients(of: [x.pow(3).sum()], withRespectTo: [x], createGraph: true)[0]!
        #expect(try first.item() == 12)
        try first.sum().backward()
        #expect(try x.grad?.item() == 12)
    }

    @Test func r1PenaltyGradientMatchesFiniteDifferences() throws {
        // The R1 penalty of a tiny convolutional critic, differentiated with respect to its weight.
        let g = Generator(seed: 3)
        let image = try Tensor.randn([2, 1, 4, 4], generator: g, dtype: .float64)
        let weight = try Tensor.randn([2, 1, 3, 3], generator: g, dtype: .float64)
        let result = try gradientCheck([weight]) { inputs in
            let real = try image.detach().requiringGrad()
            let score = try real.conv2d(weight: inputs[0], padding: [1]).tanh().sum()
            let grad = try Tensor.gradients(of: [score], withRespectTo: [real], createGraph: true)[0]!
            return try grad.square().sum()
        }
        #expect(result.passes(), "\(result)")
    }
}
