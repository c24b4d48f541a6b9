import Foundation
import PhimCore

/// Which way a head faces, from its landmarks: yaw (turning left or right), pitch (nodding) and roll (tilting in the
/// picture), in degrees, 0 for a face looking straight at the camera.
///
/// Six landmarks (nose tip, chin, the eyes' outer corners, the mouth's corners) are matched to the same points on a
/// generic 3-D head by a weak-perspective camera: the least-squares 2×3 projection, whose rows are made orthonormal
/// and completed to a rotation. Good to a few degrees, enough to compare two faces in the same frame (a swap's
/// output against its target); not a head tracker.
public struct HeadPose: Sendable, Equatable {
    public var yaw: Double
    public var pitch: Double
    public var roll: Double

    public init(yaw: Double, pitch: Double, roll: Double) {
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
    }

    /// The landmarks used, and where they sit on a generic head (x to the face's left as seen, y up, z towards the
    /// camera; millimetre-like units).
    static let model: [(index: Int, point: (Double, Double, Double))] = [
        (30, (0, 0, 0)),              // nose tip
        (8, (0, -330, -65)),          // chin
        (36, (-225, 170, -135)),      // outer corner of the eye on the picture's left
        (45, (225, 170, -135)),       // outer corner of the eye on the picture's right
        (48, (-150, -150, -125)),     // mouth corner on the left
        (54, (150, -150, -125)),      // mouth corner on the right
    ]

    /// The pose of the face with `landmarks`; `nil` when its points are degenerate (all on a line).
    public init?(_ landmarks: FaceLandmarks) {
        let image = Self.model.map { (landmarks.points[$0.index].x, -landmarks.points[$0.index].y) }  // y up
        let world = Self.model.map(\.point)
        let n = Double(image.count)
        let mu = (image.reduce(0) { $0 + $1.0 } / n, image.reduce(0) { $0 + $1.1 } / n)
        let mw = (world.reduce(0) { $0 + $1.0 } / n, world.reduce(0) { $0 + $1.1 } / n, world.reduce(0) { $0 + $1.2 } / n)
        // Normal equations: M = (Σ p·Xᵀ)(Σ X·Xᵀ)⁻¹ over the centred points.
        var xx = [[Double]](repeating: [0, 0, 0], count: 3)
        var px = [[Double]](repeating: [0, 0, 0], count: 2)
        for (p, w) in zip(image, world) {
            let x = [w.0 - mw.0, w.1 - mw.1, w.2 - mw.2]
            let q = [p.0 - mu.0, p.1 - mu.1]
            for i in 0..<3 { for j in 0..<3 { xx[i][j] += x[i] * x[j] } }
            for i in 0..<2 { for j in 0..<3 { px[i][j] += q[i] * x[j] } }
        }
        guard let inverse = Self.inverse(xx) else { return nil }
        let rows = (0..<2).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + px[i][$1] * inverse[$1][j] } } }
        func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        guard norm(rows[0]) > 1e-12, norm(rows[1]) > 1e-12 else { return nil }
        let r1 = rows[0].map { $0 / norm(rows[0]) }
        let along = zip(rows[1], r1).reduce(0) { $0 + $1.0 * $1.1 }
        let orthogonal = zip(rows[1], r1).map { $0 - along * $1 }
        guard norm(orthogonal) > 1e-12 else { return nil }
        let r2 = orthogonal.map { $0 / norm(orthogonal) }
        let r3 = [r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]]
        // R = Rz(roll)·Ry(yaw)·Rx(pitch).
        let degrees = 180 / Double.pi
        yaw = asin(min(max(-r3[0], -1), 1)) * degrees
        pitch = atan2(r3[1], r3[2]) * degrees
        roll = atan2(r2[0], r1[0]) * degrees
    }

    /// The rotation R = Rz(roll)·Ry(yaw)·Rx(pitch), as rows.
    func rotation() -> [[Double]] {
        let r = Double.pi / 180
        let (cy, sy, cp, sp, cr, sr) = (cos(yaw * r), sin(yaw * r), cos(pitch * r), sin(pitch * r), cos(roll * r), sin(roll * r))
        return [
            [cr * cy, cr * sy * sp - sr * cp, cr * sy * cp + sr * sp],
            [sr * cy, sr * sy * sp + cr * cp, sr * sy * cp - cr * sp],
            [-sy, cy * sp, cy * cp],
        ]
    }

    /// The inverse of a 3×3 matrix, `nil` when it is singular.
    static func inverse(_ m: [[Double]]) -> [[Double]]? {
        let a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2], g = m[2][0], h = m[2][1], i = m[2][2]
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
        guard abs(det) > 1e-9 else { return nil }
        return [
            [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
        ]
    }
}
