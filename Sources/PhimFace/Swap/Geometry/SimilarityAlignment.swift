import Foundation
import PhimCore

/// The rotation, uniform scale and translation that best map one point set onto another in the least-squares sense
/// (Umeyama's method in the plane, where it has a closed form: the rotation-and-scale is the complex number
/// Σ conj(x)·y / Σ |x|² of the centred points).
public struct SimilarityTransform: Sendable, Equatable {
    /// x' = a·x − b·y + tx, y' = b·x + a·y + ty.
    public var a: Double, b: Double, tx: Double, ty: Double

    public static let identity = SimilarityTransform(a: 1, b: 0, tx: 0, ty: 0)

    public var scale: Double { (a * a + b * b).squareRoot() }

    public func apply(_ p: Point) -> Point { Point(x: a * p.x - b * p.y + tx, y: b * p.x + a * p.y + ty) }

    /// The transform taking `from` onto `to` (same count, at least two distinct points); the identity otherwise.
    public static func aligning(_ from: [Point], to: [Point]) -> SimilarityTransform {
        guard from.count == to.count, from.count >= 2 else { return .identity }
        let n = Double(from.count)
        let mx = from.reduce(0) { $0 + $1.x } / n, my = from.reduce(0) { $0 + $1.y } / n
        let nx = to.reduce(0) { $0 + $1.x } / n, ny = to.reduce(0) { $0 + $1.y } / n
        var dot = 0.0, cross = 0.0, norm = 0.0
        for (p, q) in zip(from, to) {
            let x = p.x - mx, y = p.y - my, u = q.x - nx, v = q.y - ny
            dot += x * u + y * v
            cross += x * v - y * u
            norm += x * x + y * y
        }
        guard norm > 1e-12 else { return .identity }
        let a = dot / norm, b = cross / norm
        return SimilarityTransform(a: a, b: b, tx: nx - (a * mx - b * my), ty: ny - (b * mx + a * my))
    }
}
