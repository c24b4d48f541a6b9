import Foundation
import PhimTensor

/// Feature vectors of a set of clips, one row each, and the distances between two such sets that `phim eval`
/// reports: the Fréchet distance between Gaussians fitted to them (Heusel et al., 2017, in the feature space of
/// Phim's own classifier, not Inception's or I3D's) and the kernel distance (Bińkowski et al., 2018: the unbiased
/// squared MMD under the cubic polynomial kernel).
public struct FeatureSet: Sendable {
    /// Row-major, `count` × `dimension`.
    public let values: [Double]
    public let dimension: Int
    public var count: Int { dimension == 0 ? 0 : values.count / dimension }

    public init(values: [Double], dimension: Int) {
        precondition(dimension > 0 && values.count % dimension == 0, "feature rows of \(dimension) values")
        self.values = values
        self.dimension = dimension
    }

    public func row(_ index: Int) -> ArraySlice<Double> { values[index * dimension..<(index + 1) * dimension] }

    /// The mean and the covariance (divided by n − 1), row-major `dimension` × `dimension`.
    /// - Complexity: O(count · dimension²).
    public func moments() -> (mean: [Double], covariance: [Double]) {
        let n = count, d = dimension
        var mean = [Double](repeating: 0, count: d)
        for index in 0..<n {
            for (j, value) in row(index).enumerated() { mean[j] += value }
        }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for index in 0..<n {
            for (j, value) in row(index).enumerated() { centred[j] = value - mean[j] }
            for i in 0..<d where centred[i] != 0 {
                for j in i..<d { covariance[i * d + j] += centred[i] * centred[j] }
            }
        }
        let scale = 1 / Double(max(n - 1, 1))
        for i in 0..<d {
            for j in i..<d {
                covariance[i * d + j] *= scale
                covariance[j * d + i] = covariance[i * d + j]
            }
        }
        return (mean, covariance)
    }

    /// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½): the Fréchet (2-Wasserstein) distance between the Gaussians
    /// with these sets' means and covariances. The matrix square roots come from symmetric eigendecompositions, so
    /// the result is real and never negative, however ill-conditioned the covariances.
    /// - Complexity: O(dimension³) beside the moments.
    public func frechetDistance(to other: FeatureSet) -> Double {
        precondition(dimension == other.dimension, "feature sets of one dimension")
        let (mean1, covariance1) = moments()
        let (mean2, covariance2) = other.moments()
        let d = dimension
        var distance = zip(mean1, mean2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        for i in 0..<d { distance += covariance1[i * d + i] + covariance2[i * d + i] }
        let root1 = SymmetricEigen(covariance1, dimension: d).function { max($0, 0).squareRoot() }
        let product = SymmetricMatrix.multiply(SymmetricMatrix.multiply(root1, covariance2, d), root1, d)
        let traceOfRoot = SymmetricEigen(product, dimension: d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(distance - 2 * traceOfRoot, 0)
    }

    /// The unbiased estimate of the squared maximum mean discrepancy with the kernel k(x, y) = (x·y / d + 1)³.
    /// Near 0 (either sign) for sets from one distribution; unlike the Fréchet distance, unbiased for small sets.
    /// - Complexity: O((count + other.count)² · dimension), as matrix products.
    public func kernelDistance(to other: FeatureSet) throws(TensorError) -> Double {
        precondition(dimension == other.dimension, "feature sets of one dimension")
        let d = Double(dimension)
        let x = try tensor(), y = try other.tensor()
        func kernelSum(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Double {
            try ((a.matmul(b.transpose(0, 1)) / d + 1).pow(3)).sum().item()
        }
        /// The mean of k over pairs of different rows: the whole sum less the diagonal, k(x, x) = (|x|² / d + 1)³.
        func within(_ a: Tensor, _ n: Int) throws(TensorError) -> Double {
            guard n > 1 else { return 0 }
            let diagonal = try ((a * a).sum(dims: [1]) / d + 1).pow(3).sum().item()
            return (try kernelSum(a, a) - diagonal) / Double(n * (n - 1))
        }
        let across = try kernelSum(x, y) / Double(max(count * other.count, 1))
        return try within(x, count) + within(y, other.count) - 2 * across
    }

    /// √(mean of x²) over every value.
    public var rootMeanSquare: Double {
        values.isEmpty ? 0 : (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
    }

    /// Every value times `factor`.
    public func scaled(by factor: Double) -> FeatureSet { FeatureSet(values: values.map { $0 * factor }, dimension: dimension) }

    /// The rows as a float64 tensor `[count, dimension]`.
    func tensor() throws(TensorError) -> Tensor {
        try Tensor(values, shape: [count, dimension])
    }

    /// The mean Euclidean distance between two different rows.
    /// - Complexity: O(count² · dimension), as a matrix product.
    public func meanPairwiseDistance() throws(TensorError) -> Double {
        guard count > 1 else { return 0 }
        let x = try tensor()
        let norms = try (x * x).sum(dims: [1])
        let squared = try (norms.unsqueeze(dim: 1) + norms.unsqueeze(dim: 0) - x.matmul(x.transpose(0, 1)) * 2).clamp(min: 0)
        // The diagonal is zero but for rounding; the same formula gives exactly what to take away.
        let diagonal = try (norms * 2 - (x * x).sum(dims: [1]) * 2).clamp(min: 0).sqrt().sum().item()
        return (try squared.sqrt().sum().item() - diagonal) / Double(count * (count - 1))
    }
}

/// Dense row-major square matrices of `Double`.
enum SymmetricMatrix {
    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n where a[i * n + k] != 0 {
                let scale = a[i * n + k]
                for j in 0..<n { out[i * n + j] += scale * b[k * n + j] }
            }
        }
        return out
    }
}

/// The eigenvalues and eigenvectors of a real symmetric matrix by cyclic Jacobi rotations (Golub and Van Loan,
/// §8.5): slow for large matrices but exact to rounding and unconditionally stable, which is what a few hundred
/// features need.
struct SymmetricEigen {
    /// Eigenvalues, in no particular order.
    let values: [Double]
    /// Row-major; column k is the eigenvector of `values[k]`.
    let vectors: [Double]
    let dimension: Int

    /// - Complexity: O(dimension³) a sweep; it converges in a few sweeps (at most 100 are run).
    init(_ matrix: [Double], dimension n: Int) {
        precondition(matrix.count == n * n, "a square matrix")
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = max(a.reduce(0) { max($0, abs($1)) }, .leastNormalMagnitude)
        for _ in 0..<100 {
            var offDiagonal = 0.0
            for i in 0..<n { for j in (i + 1)..<n { offDiagonal += a[i * n + j] * a[i * n + j] } }
            if offDiagonal.squareRoot() <= 1e-14 * scale * Double(n) { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    guard abs(apq) > 1e-300 else { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    // A ← Jᵀ A J on rows and columns p, q.
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        values = (0..<n).map { a[$0 * n + $0] }
        vectors = v
        dimension = n
    }

    /// V f(Λ) Vᵀ: the matrix function `f` applied through the eigenvalues (for a square root, `sqrt` of each).
    func function(_ f: (Double) -> Double) -> [Double] {
        let n = dimension
        let mapped = values.map(f)
        var out = [Double](repeating: 0, count: n * n)
        for k in 0..<n where mapped[k] != 0 {
            for i in 0..<n {
                let scaled = vectors[i * n + k] * mapped[k]
                guard scaled != 0 else { continue }
                for j in 0..<n { out[i * n + j] += scaled * vectors[j * n + k] }
            }
        }
        return out
    }
}
