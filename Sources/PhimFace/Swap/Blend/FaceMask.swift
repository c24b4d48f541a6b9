import Foundation
import PhimCore

/// Where the new face shows, per pixel of the region being blended: the face's convex hull, pulled in by an
/// erosion and faded over a feather so that no seam is visible, with the inside of the mouth left to the target (its
/// teeth and tongue move with its speech, which the source photo cannot know).
public struct FaceMask: Sendable {
    /// The blending weight per pixel, 0...1.
    public var alpha: [Float]
    /// The pixels the seamless blend solves for: those the fade reaches (inside the erosion), so that the blend's edge
    /// takes the target's colour from skin and not from the face's outline, where hair and background begin.
    public var interior: [Bool]

    /// Settings, as fractions of the face's interocular distance so that they scale with the face.
    public struct Shape: Sendable, Equatable {
        /// How far the mask's edge is pulled inside the hull.
        public var erosion: Double
        /// The width of the fade from 0 to 1.
        public var feather: Double
        /// The fade into the hole of an open mouth.
        public var mouthFeather: Double
        /// Keep the target's open mouth.
        public var keepMouth: Bool

        public init(erosion: Double = 0.1, feather: Double = 0.22, mouthFeather: Double = 0.05, keepMouth: Bool = true) {
            self.erosion = erosion
            self.feather = feather
            self.mouthFeather = mouthFeather
            self.keepMouth = keepMouth
        }
    }

    /// The mask of the face with `landmarks` over `rect` of its picture.
    public init(landmarks: FaceLandmarks, rect: PixelRect, shape: Shape = Shape()) {
        let scale = max(landmarks.interocularDistance, 4)
        let hull = convexHull(landmarks.points)
        let mouth = Array(landmarks.points[FaceLandmarks.innerMouth])
        let erosion = shape.erosion * scale, feather = max(shape.feather * scale, 1)
        let mouthFeather = max(shape.mouthFeather * scale, 1)
        let keepMouth = shape.keepMouth && abs(polygonArea(mouth)) > 1
        var alpha = [Float](repeating: 0, count: rect.pixelCount)
        var interior = [Bool](repeating: false, count: rect.pixelCount)
        // Inside a convex polygon the distance to its edge is the least distance to its edges' lines: each line's
        // is linear in x along a row.
        let centre = Point(x: hull.reduce(0) { $0 + $1.x } / Double(max(hull.count, 1)),
                           y: hull.reduce(0) { $0 + $1.y } / Double(max(hull.count, 1)))
        let lines: [(nx: Double, ny: Double, c: Double)] = hull.indices.compactMap { i in
            let a = hull[i], b = hull[(i + 1) % hull.count]
            let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            guard length > 1e-9 else { return nil }
            var nx = -(b.y - a.y) / length, ny = (b.x - a.x) / length
            if nx * (centre.x - a.x) + ny * (centre.y - a.y) < 0 { nx = -nx; ny = -ny }
            return (nx, ny, -(nx * a.x + ny * a.y))
        }
        let mouthBox = keepMouth ? PixelRect(covering: FaceLandmarks(points: mouth + mouth).bounds, margin: 1, clippedTo: PixelSize(
            width: rect.x + rect.width, height: rect.y + rect.height)) : nil
        var rowOffsets = [Double](repeating: 0, count: lines.count)
        for y in 0..<rect.height {
            let py = Double(rect.y + y)
            for (i, line) in lines.enumerated() { rowOffsets[i] = line.ny * py + line.c }
            for x in 0..<rect.width {
                let px = Double(rect.x + x)
                var depth = Double.infinity
                for (i, line) in lines.enumerated() { depth = min(depth, line.nx * px + rowOffsets[i]) }
                guard depth > 0, lines.count >= 3 else { continue }
                let k = y * rect.width + x
                interior[k] = depth >= max(1, erosion)
                var a = smoothstep((depth - erosion) / feather)
                if let box = mouthBox, a > 0, rect.x + x >= box.x, rect.x + x < box.x + box.width,
                   rect.y + y >= box.y, rect.y + y < box.y + box.height {
                    let inMouth = signedDistance(Point(x: px, y: py), to: mouth)
                    if inMouth > 0 { a *= 1 - smoothstep(inMouth / mouthFeather) }
                }
                alpha[k] = Float(a)
            }
        }
        self.alpha = alpha
        self.interior = interior
    }
}

/// 0 below 0, 1 above 1, and a smooth S between.
func smoothstep(_ t: Double) -> Double {
    let c = min(max(t, 0), 1)
    return c * c * (3 - 2 * c)
}

/// The signed area of a polygon (positive when counter-clockwise in a y-up frame).
func polygonArea(_ polygon: [Point]) -> Double {
    guard polygon.count >= 3 else { return 0 }
    var sum = 0.0
    for i in polygon.indices {
        let p = polygon[i], q = polygon[(i + 1) % polygon.count]
        sum += p.x * q.y - q.x * p.y
    }
    return sum / 2
}

/// The distance from `p` to the nearest edge of `polygon`: positive inside it, negative outside (by the crossing
/// rule, so any simple polygon works).
func signedDistance(_ p: Point, to polygon: [Point]) -> Double {
    guard polygon.count >= 3 else { return -.infinity }
    var nearest = Double.infinity
    var inside = false
    var j = polygon.count - 1
    for i in polygon.indices {
        let a = polygon[j], b = polygon[i]
        if (b.y > p.y) != (a.y > p.y), p.x < (a.x - b.x) * (p.y - b.y) / (a.y - b.y) + b.x { inside.toggle() }
        let ex = b.x - a.x, ey = b.y - a.y
        let length = ex * ex + ey * ey
        let t = length > 0 ? min(max(((p.x - a.x) * ex + (p.y - a.y) * ey) / length, 0), 1) : 0
        let dx = p.x - (a.x + t * ex), dy = p.y - (a.y + t * ey)
        nearest = min(nearest, dx * dx + dy * dy)
        j = i
    }
    return inside ? nearest.squareRoot() : -nearest.squareRoot()
}
