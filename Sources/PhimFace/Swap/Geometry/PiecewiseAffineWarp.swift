import Foundation
import PhimCore

/// Moves a face onto another face's landmarks one triangle at a time: each triangle of the mesh is mapped by the
/// affine transform that takes its corners in the target onto its corners in the source, and every target pixel
/// inside it takes the source's colour there (bilinear). Only the pixels inside the mesh are written; `coverage`
/// says which.
public struct PiecewiseAffineWarp: Sendable {
    public var triangles: [Triangle]

    public init(triangles: [Triangle]) {
        self.triangles = triangles
    }

    /// The warped face and, per pixel of `rect`, 1 where a triangle covers it and 0 elsewhere.
    /// - Parameters:
    ///   - source: the source picture (or a part of it: points are in the coordinates of the picture it was cut from).
    ///   - from: the source face's points.
    ///   - to: the same points on the target face, in the target picture's coordinates.
    ///   - rect: the part of the target picture to fill.
    public func warp(_ source: RGBImage, from: [Point], to: [Point], over rect: PixelRect) -> (image: RGBImage, coverage: [Float]) {
        var image = RGBImage(width: rect.width, height: rect.height, origin: (rect.x, rect.y))
        var coverage = [Float](repeating: 0, count: rect.pixelCount)
        guard !rect.isEmpty else { return (image, coverage) }
        let sx = Double(source.origin.x), sy = Double(source.origin.y)
        let w = rect.width
        for t in triangles {
            let p = to[t.a], q = to[t.b], r = to[t.c]
            // Barycentric coordinates of (x, y) in the target triangle: l1 = a1·x + b1·y + c1, and so on.
            let det = (q.y - r.y) * (p.x - r.x) + (r.x - q.x) * (p.y - r.y)
            guard abs(det) > 1e-9 else { continue }
            let a1 = (q.y - r.y) / det, b1 = (r.x - q.x) / det
            let a2 = (r.y - p.y) / det, b2 = (p.x - r.x) / det
            let c1 = -(a1 * r.x + b1 * r.y), c2 = -(a2 * r.x + b2 * r.y)
            let sa = from[t.a], sb = from[t.b], sc = from[t.c]
            let left = max(rect.x, Int(min(p.x, q.x, r.x).rounded(.down)))
            let right = min(rect.x + rect.width - 1, Int(max(p.x, q.x, r.x).rounded(.up)))
            let top = max(rect.y, Int(min(p.y, q.y, r.y).rounded(.down)))
            let bottom = min(rect.y + rect.height - 1, Int(max(p.y, q.y, r.y).rounded(.up)))
            guard left <= right, top <= bottom else { continue }
            let tolerance = -1e-3
            for y in top...bottom {
                let fy = Double(y)
                for x in left...right {
                    let fx = Double(x)
                    let l1 = a1 * fx + b1 * fy + c1, l2 = a2 * fx + b2 * fy + c2
                    let l3 = 1 - l1 - l2
                    guard l1 >= tolerance, l2 >= tolerance, l3 >= tolerance else { continue }
                    let u = l1 * sa.x + l2 * sb.x + l3 * sc.x - sx
                    let v = l1 * sa.y + l2 * sb.y + l3 * sc.y - sy
                    let (cr, cg, cb) = source.sample(x: u, y: v)
                    let k = (y - rect.y) * w + (x - rect.x)
                    image.values[3 * k] = cr
                    image.values[3 * k + 1] = cg
                    image.values[3 * k + 2] = cb
                    coverage[k] = 1
                }
            }
        }
        return (image, coverage)
    }
}
