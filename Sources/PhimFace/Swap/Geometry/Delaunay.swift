import Foundation
import PhimCore

/// A triangle of a mesh, as three indices into its points.
public struct Triangle: Hashable, Sendable {
    public var a: Int, b: Int, c: Int

    public init(_ a: Int, _ b: Int, _ c: Int) {
        self.a = a
        self.b = b
        self.c = c
    }

    public var indices: [Int] { [a, b, c] }
}

/// Delaunay triangulation by Bowyer and Watson's algorithm: points are inserted one at a time into a triangle that
/// holds them all, and each insertion re-triangulates the cavity of triangles whose circumcircle holds the new point.
/// Quadratic in the point count, which for a face's 68 landmarks is nothing; a face swap triangulates the source face
/// once and keeps that mesh for every frame, so the triangles never change topology from frame to frame (a
/// re-triangulation per frame would flip edges and make the warped face flicker).
public enum Delaunay {
    /// The triangles of the Delaunay triangulation of `points`, each wound counter-clockwise in a y-up frame.
    /// Coincident points after the first are left out of the mesh.
    public static func triangulate(_ points: [Point]) -> [Triangle] {
        guard points.count >= 3 else { return [] }
        let xs = points.map(\.x), ys = points.map(\.y)
        let minX = xs.min()!, maxX = xs.max()!, minY = ys.min()!, maxY = ys.max()!
        let span = max(maxX - minX, maxY - minY, 1)
        let midX = (minX + maxX) / 2, midY = (minY + maxY) / 2
        // A triangle far larger than the points (so that no circumcircle of points on the hull reaches its corners):
        // its corners are the last three vertices.
        var vertices = points
        let n = points.count
        let far = 1e4 * span
        vertices.append(Point(x: midX - far, y: midY - far))
        vertices.append(Point(x: midX, y: midY + far))
        vertices.append(Point(x: midX + far, y: midY - far))

        struct Cell {
            var triangle: Triangle
            var centre: Point
            var radiusSquared: Double
        }
        func cell(_ t: Triangle) -> Cell? {
            let p = vertices[t.a], q = vertices[t.b], r = vertices[t.c]
            let d = 2 * (p.x * (q.y - r.y) + q.x * (r.y - p.y) + r.x * (p.y - q.y))
            guard abs(d) > 1e-12 else { return nil }
            let p2 = p.x * p.x + p.y * p.y, q2 = q.x * q.x + q.y * q.y, r2 = r.x * r.x + r.y * r.y
            let ux = (p2 * (q.y - r.y) + q2 * (r.y - p.y) + r2 * (p.y - q.y)) / d
            let uy = (p2 * (r.x - q.x) + q2 * (p.x - r.x) + r2 * (q.x - p.x)) / d
            let centre = Point(x: ux, y: uy)
            return Cell(triangle: t, centre: centre, radiusSquared: (p.x - ux) * (p.x - ux) + (p.y - uy) * (p.y - uy))
        }

        var cells = [cell(Triangle(n, n + 1, n + 2))!]
        var inserted: [Point] = []
        for index in 0..<n {
            let point = vertices[index]
            if inserted.contains(where: { abs($0.x - point.x) < 1e-9 && abs($0.y - point.y) < 1e-9 }) { continue }
            inserted.append(point)
            var bad: [Cell] = []
            var kept: [Cell] = []
            for c in cells {
                let dx = point.x - c.centre.x, dy = point.y - c.centre.y
                if dx * dx + dy * dy < c.radiusSquared * (1 + 1e-12) { bad.append(c) } else { kept.append(c) }
            }
            // The cavity's boundary: edges of bad triangles that no other bad triangle shares.
            var edgeCount: [Int: Int] = [:]
            func key(_ u: Int, _ v: Int) -> Int { min(u, v) * (n + 3) + max(u, v) }
            for c in bad {
                let t = c.triangle
                for (u, v) in [(t.a, t.b), (t.b, t.c), (t.c, t.a)] { edgeCount[key(u, v), default: 0] += 1 }
            }
            for c in bad {
                let t = c.triangle
                for (u, v) in [(t.a, t.b), (t.b, t.c), (t.c, t.a)] where edgeCount[key(u, v)] == 1 {
                    if let fresh = cell(Triangle(u, v, index)) { kept.append(fresh) }
                }
            }
            cells = kept
        }
        return cells.map(\.triangle).filter { $0.a < n && $0.b < n && $0.c < n }.map { t in
            let p = points[t.a], q = points[t.b], r = points[t.c]
            let cross = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
            return cross >= 0 ? t : Triangle(t.a, t.c, t.b)
        }
    }
}

/// The convex hull of points, by Andrew's monotone chain, counter-clockwise in a y-up frame, without repeated ends.
public func convexHull(_ points: [Point]) -> [Point] {
    let sorted = points.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
    guard sorted.count >= 3 else { return sorted }
    func cross(_ o: Point, _ a: Point, _ b: Point) -> Double { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }
    var lower: [Point] = [], upper: [Point] = []
    for p in sorted {
        while lower.count >= 2, cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
        lower.append(p)
    }
    for p in sorted.reversed() {
        while upper.count >= 2, cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
        upper.append(p)
    }
    return Array(lower.dropLast() + upper.dropLast())
}
