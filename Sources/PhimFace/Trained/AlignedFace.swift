import Foundation
import PhimCore
import PhimMedia

/// A face cut out of its picture upright, at a fixed size and in a fixed place: what the trained swap's model reads
/// and draws. The eye centres and the midpoint of the mouth's corners are moved (by the least-squares similarity
/// transform) onto fixed places in a square crop that holds the face from the brows to the chin, with some of the
/// cheeks, so that every face of every frame is seen the same way whatever the head's place, size and roll.
public struct FaceAlignment: Sendable, Equatable {
    /// The crop's side in pixels.
    public var size: Int
    /// Takes a point of the picture (pixel centres at whole numbers, as the landmarks are) into the crop (pixel
    /// centres at half-numbers: the crop's pixel (u, v) covers u…u+1).
    public var transform: SimilarityTransform

    /// Where the three anchors go, as fractions of the crop's side: the face's right eye (on the picture's left), its
    /// left eye, and the middle of the mouth's corners.
    static let anchors = [Point(x: 0.35, y: 0.36), Point(x: 0.65, y: 0.36), Point(x: 0.5, y: 0.66)]

    public init(landmarks: FaceLandmarks, size: Int) {
        self.size = size
        let from = [landmarks.centre(of: FaceLandmarks.rightEye), landmarks.centre(of: FaceLandmarks.leftEye),
                    Point(x: (landmarks.points[48].x + landmarks.points[54].x) / 2, y: (landmarks.points[48].y + landmarks.points[54].y) / 2)]
        let side = Double(size)
        transform = SimilarityTransform.aligning(from, to: Self.anchors.map { Point(x: $0.x * side, y: $0.y * side) })
    }

    /// The landmarks in the crop's coordinates.
    public func aligned(_ landmarks: FaceLandmarks) -> FaceLandmarks {
        FaceLandmarks(points: landmarks.points.map(transform.apply))
    }

    /// The crop from `picture`: `size * size` RGB pixels, row by row (bilinear, averaged over 2×2 or more samples a pixel
    /// when the face is shrunk, so that a large face does not alias). Outside the picture, edges are extended.
    public func crop(_ picture: PixelBuffer) -> [UInt8] {
        let (r, g, b) = picture.format.rgbOffsets
        let row = picture.bytesPerRow, width = picture.width, height = picture.height
        let inverse = transform.inverse
        // Samples per crop pixel along each axis: enough that no picture pixel is skipped.
        let taps = max(1, min(4, Int((inverse.scale).rounded(.up))))
        let step = 1.0 / Double(taps), weight = 1.0 / Double(taps * taps)
        var out = [UInt8](repeating: 0, count: size * size * 3)
        picture.withUnsafeBytes { bytes in
            @inline(__always) func value(_ x: Int, _ y: Int, _ offset: Int) -> Double { Double(bytes[y * row + x * 4 + offset]) }
            for v in 0..<size {
                for u in 0..<size {
                    var sum = (0.0, 0.0, 0.0)
                    for j in 0..<taps {
                        for i in 0..<taps {
                            let p = inverse.apply(Point(x: Double(u) + (Double(i) + 0.5) * step, y: Double(v) + (Double(j) + 0.5) * step))
                            let cx = min(max(p.x, 0), Double(width - 1)), cy = min(max(p.y, 0), Double(height - 1))
                            let x0 = Int(cx), y0 = Int(cy), x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                            let fx = cx - Double(x0), fy = cy - Double(y0)
                            func mix(_ o: Int) -> Double {
                                let top = value(x0, y0, o) + (value(x1, y0, o) - value(x0, y0, o)) * fx
                                let bottom = value(x0, y1, o) + (value(x1, y1, o) - value(x0, y1, o)) * fx
                                return top + (bottom - top) * fy
                            }
                            sum.0 += mix(r)
                            sum.1 += mix(g)
                            sum.2 += mix(b)
                        }
                    }
                    let k = 3 * (v * size + u)
                    out[k] = UInt8(min(max((sum.0 * weight).rounded(), 0), 255))
                    out[k + 1] = UInt8(min(max((sum.1 * weight).rounded(), 0), 255))
                    out[k + 2] = UInt8(min(max((sum.2 * weight).rounded(), 0), 255))
                }
            }
        }
        return out
    }

    /// The face's hull in the crop as a mask (255 inside, feathered over a pixel), `size * size` values: what the
    /// model learns to draw as its mask, and what its losses weigh.
    public func hullMask(_ landmarks: FaceLandmarks) -> [UInt8] {
        // FaceMask puts pixel centres at whole numbers.
        let centred = FaceLandmarks(points: aligned(landmarks).points.map { Point(x: $0.x - 0.5, y: $0.y - 0.5) })
        let mask = FaceMask(landmarks: centred, rect: PixelRect(x: 0, y: 0, width: size, height: size),
                            shape: FaceMask.Shape(erosion: 0, feather: 0.05, keepMouth: false))
        return mask.alpha.map { UInt8(min(max(($0 * 255).rounded(), 0), 255)) }
    }
}

extension SimilarityTransform {
    /// The transform that undoes this one (the identity's when this one collapses the plane).
    public var inverse: SimilarityTransform {
        let norm = a * a + b * b
        guard norm > 1e-18 else { return .identity }
        // The inverse of z ↦ c·z + t is z ↦ (z − t)/c, with 1/c = conj(c)/|c|².
        let ia = a / norm, ib = -b / norm
        return SimilarityTransform(a: ia, b: ib, tx: -(ia * tx - ib * ty), ty: -(ib * tx + ia * ty))
    }
}
