import Foundation
import PhimCore
import Testing
@testable import PhimGen

/// Normal samples by Box–Muller from a seeded generator.
private func gaussianRows(count: Int, means: [Double], deviations: [Double], seed: UInt64) -> FeatureSet {
    var random = SplitMix64(seed: seed)
    var values: [Double] = []
    for _ in 0..<count {
        for (mean, deviation) in zip(means, deviations) {
            let u1 = max(Double.random(in: 0..<1, using: &random), 1e-300), u2 = Double.random(in: 0..<1, using: &random)
            values.append(mean + deviation * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
    }
    return FeatureSet(values: values, dimension: means.count)
}

@Suite struct FeatureStatisticsTests {
    @Test func jacobiDecomposesASymmetricMatrix() {
        let n = 5
        var random = SplitMix64(seed: 3)
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                let value = Double.random(in: -2...2, using: &random)
                matrix[i * n + j] = value
                matrix[j * n + i] = value
            }
        }
        let eigen = SymmetricEigen(matrix, dimension: n)
        // A v = λ v for every pair, and the vectors are orthonormal.
        for k in 0..<n {
            for i in 0..<n {
                let product: Double = (0..<n).reduce(0.0) { $0 + matrix[i * n + $1] * eigen.vectors[$1 * n + k] }
                let expected: Double = eigen.values[k] * eigen.vectors[i * n + k]
                #expect(abs(product - expected) < 1e-10)
            }
            for other in 0..<n {
                let dot: Double = (0..<n).reduce(0.0) { $0 + eigen.vectors[$1 * n + k] * eigen.vectors[$1 * n + other] }
                let identity: Double = k == other ? 1 : 0
                #expect(abs(dot - identity) < 1e-10)
            }
        }
        // The trace is the sum of the eigenvalues, and the identity function gives the matrix back.
        let trace = (0..<n).reduce(0.0) { $0 + matrix[$1 * n + $1] }
        let eigenvalueSum = eigen.values.reduce(0, +)
        #expect(abs(eigenvalueSum - trace) < 1e-10)
        let rebuilt = eigen.function { $0 }
        #expect(zip(rebuilt, matrix).allSatisfy { abs($0 - $1) < 1e-10 })
    }

    @Test func frechetDistanceMatchesTheClosedFormForDiagonalGaussians() {
        // For diagonal covariances the distance is ‖μ₁ − μ₂‖² + Σ (σ₁ − σ₂)².
        let a = gaussianRows(count: 20_000, means: [0, 1, -1], deviations: [1, 2, 0.5], seed: 1)
        let b = gaussianRows(count: 20_000, means: [1, 1, 0], deviations: [2, 1, 0.5], seed: 2)
        let expected = (1.0 + 0 + 1) + (1.0 + 1 + 0)
        let distance = a.frechetDistance(to: b)
        #expect(abs(distance - expected) < 0.1, "\(distance) against \(expected)")
        #expect(abs(distance - b.frechetDistance(to: a)) < 1e-6)
        #expect(a.frechetDistance(to: a) < 1e-8)
    }

    @Test func frechetDistanceSeesACorrelationTheMeansHide() {
        // Same means and variances, one pair correlated: only the covariance's off-diagonal differs.
        let independent = gaussianRows(count: 10_000, means: [0, 0], deviations: [1, 1], seed: 5)
        var correlated = independent.values
        for row in 0..<independent.count { correlated[row * 2 + 1] = 0.9 * correlated[row * 2] + 0.436 * correlated[row * 2 + 1] }
        let other = FeatureSet(values: correlated, dimension: 2)
        let fresh = gaussianRows(count: 10_000, means: [0, 0], deviations: [1, 1], seed: 6)
        #expect(independent.frechetDistance(to: other) > 10 * independent.frechetDistance(to: fresh))
    }

    @Test func kernelDistanceIsNearZeroForOneDistributionAndGrowsWithAShift() throws {
        let a = gaussianRows(count: 400, means: [0, 0, 0, 0], deviations: [1, 1, 1, 1], seed: 7)
        let b = gaussianRows(count: 400, means: [0, 0, 0, 0], deviations: [1, 1, 1, 1], seed: 8)
        let shifted = gaussianRows(count: 400, means: [1, 0, 0, 0], deviations: [1, 1, 1, 1], seed: 9)
        let same = try a.kernelDistance(to: b), different = try a.kernelDistance(to: shifted)
        #expect(abs(same) < 0.05, "\(same)")
        #expect(different > 0.2, "\(different)")
        #expect(different > 10 * abs(same))
    }
}

@Suite struct FeatureDistanceTests {
    /// The matrix forms agree with the definitions written out pair by pair.
    @Test func kernelAndPairwiseDistancesMatchTheirDefinitions() throws {
        let a = gaussianRows(count: 30, means: [0, 1, 2], deviations: [1, 1, 1], seed: 11)
        let b = gaussianRows(count: 20, means: [1, 1, 0], deviations: [2, 1, 1], seed: 12)
        func k(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
            let dot: Double = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
            return (dot / 3 + 1) * (dot / 3 + 1) * (dot / 3 + 1)
        }
        var xx = 0.0, yy = 0.0, xy = 0.0
        for i in 0..<30 { for j in 0..<30 where i != j { xx += k(a.row(i), a.row(j)) } }
        for i in 0..<20 { for j in 0..<20 where i != j { yy += k(b.row(i), b.row(j)) } }
        for i in 0..<30 { for j in 0..<20 { xy += k(a.row(i), b.row(j)) } }
        let expected: Double = xx / 870 + yy / 380 - 2 * xy / 600
        let kernel = try a.kernelDistance(to: b)
        #expect(abs(kernel - expected) < 1e-9 * max(1, abs(expected)), "\(kernel) vs \(expected)")
        var total = 0.0
        for i in 0..<30 {
            for j in 0..<30 where i != j {
                let squared: Double = zip(a.row(i), a.row(j)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                total += squared.squareRoot()
            }
        }
        let pairwise = try a.meanPairwiseDistance()
        #expect(abs(pairwise - total / 870) < 1e-9, "\(pairwise)")
    }
}
