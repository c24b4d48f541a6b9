import Foundation
import Testing
@testable import PhimNN
@testable import PhimTensor

@Suite struct OptimizerTests {
    /// A parameter with gradient `g` set by hand.
    func parameter(_ values: [Double], grad: [Double]) throws -> Tensor {
        let p = try Tensor(values).requiringGrad()
        try p.setGrad(Tensor(grad))
        return p
    }

    @Test func sgdWithMomentumAndNesterovMatchesTheFormulas() throws {
        let p = try parameter([1, 2], grad: [0.5, -1])
        let sgd = SGD([("p", p)], learningRate: 0.1, momentum: 0.9)
        try sgd.step()  // buffer = g
        try sgd.step()  // buffer = 0.9 g + g
        #expect(try p.toArray(Double.self).elementsEqual([1 - 0.1 * 0.5 * 2.9, 2 + 0.1 * 2.9], by: { Swift.abs($0 - $1) < 1e-12 }))
        let q = try parameter([0], grad: [1])
        let nesterov = SGD([("q", q)], learningRate: 1, momentum: 0.5, nesterov: true)
        try nesterov.step()  // g + 0.5 * buffer(=g) = 1.5
        #expect(try q.item() == -1.5)
        let w = try parameter([2], grad: [0])
        try SGD([("w", w)], learningRate: 0.1, weightDecay: 0.5).step()
        #expect(Swift.abs(try w.item() - (2 - 0.1 * 0.5 * 2)) < 1e-12)
    }

    @Test func adamsFirstStepsMatchTheFormulas() throws {
        let p = try parameter([1, -1], grad: [0.2, -3])
        let adam = Adam([("p", p)], learningRate: 0.01)
        try adam.step()
        // The bias-corrected first step moves each element by lr · g/|g|.
        #expect(try p.toArray(Double.self).elementsEqual([0.99, -0.99], by: { Swift.abs($0 - $1) < 1e-6 }))
        let q = try parameter([1], grad: [0])
        let adamW = AdamW([("q", q)], learningRate: 0.1, weightDecay: 0.5)
        try adamW.step()
        #expect(Swift.abs(try q.item() - 0.95) < 1e-9)  // decoupled decay only: 1 · (1 - 0.1 · 0.5)
    }

    @Test func optimizersReduceALoss() throws {
        for make in [
            { (ps: [(String, Tensor)]) -> any Optimizer in SGD(ps, learningRate: 0.1, momentum: 0.9) },
            { Adam($0, learningRate: 0.05) },
            { AdamW($0, learningRate: 0.05) },
        ] {
            let model = try Linear(3, 1)
            let optimizer = make(model.namedParameters())
            let g = Generator(seed: 1)
            let x = try Tensor.randn([32, 3], generator: g)
            let y = try x.matmul(Tensor([1, -2, 0.5] as [Float], shape: [3, 1])) + 0.3
            let before = try mseLoss(model(x), y).item()
            for _ in 0..<100 {
                try optimizer.zeroGrad()
                try mseLoss(model(x), y).backward()
                try optimizer.step()
            }
            #expect(try mseLoss(model(x), y).item() < before * 0.01)
        }
    }

    @Test func gradientClipping() throws {
        let a = try parameter([0, 0], grad: [3, 4])
        let b = try parameter([0], grad: [12])
        let norm = try clipGradientNorm([a, b], maxNorm: 1.3)
        #expect(Swift.abs(norm - 13) < 1e-9)
        let clipped = try Tensor.cat([a.grad!, b.grad!]).norm().item()
        #expect(Swift.abs(clipped - 1.3) < 1e-6)
        try clipGradientValue([b], limit: 0.5)
        #expect(try b.grad!.item() == 0.5)
    }

    @Test func schedules() {
        #expect(StepDecay(base: 1, stepSize: 10, gamma: 0.5).learningRate(atStep: 25) == 0.25)
        #expect(Swift.abs(ExponentialDecay(base: 2, gamma: 0.9).learningRate(atStep: 2) - 1.62) < 1e-12)
        let cosine = CosineAnnealing(base: 1, minimum: 0.1, steps: 100)
        #expect(cosine.learningRate(atStep: 0) == 1)
        #expect(Swift.abs(cosine.learningRate(atStep: 50) - 0.55) < 1e-12)
        #expect(cosine.learningRate(atStep: 100) == 0.1)
        let warm = LinearWarmup(warmupSteps: 4, then: cosine)
        #expect(warm.learningRate(atStep: 0) == 0.25)
        #expect(warm.learningRate(atStep: 4) == 1)
        let p = try! Tensor([0] as [Double])
        let sgd = SGD([("p", p)], learningRate: 9)
        warm.apply(to: sgd)
        #expect(sgd.learningRate == 0.25)
    }

    @Test func emaFollowsTheWeights() throws {
        let model = try Linear(2, 1)
        let ema = try ExponentialMovingAverage(of: model, decay: 0.5)
        let start = try model.weight.clone()
        try withNoGrad { try model.weight.addInPlace(2) }
        try ema.update()
        let averaged = ema.stateDict().first { $0.0 == "weight" }!.1
        #expect(try averaged.isClose(to: start + 1))
        let copy = try Linear(2, 1)
        try ema.copy(to: copy)
        #expect(try copy.weight.isClose(to: start + 1))
    }
}
