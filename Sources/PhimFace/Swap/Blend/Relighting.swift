import Foundation
import PhimCore

/// Gives a warped face the target's lighting: the face's own detail (what a blur takes out of it) laid over the
/// target's shading (what a blur of the target keeps). Both blurs are normalised convolutions over the face alone
/// (weights), so the background around the face does not bleed into its shading. A shadow that fell across the
/// source photo's face does not come along into the video; the target's own shadows and light do.
public enum Relighting {
    /// Relights `face` from `target` (the same rectangle), over the pixels weighted in `weights`, with a blur of
    /// about `radius` pixels.
    public static func relight(_ face: inout RGBImage, target: RGBImage, weights: [Float], radius: Int) {
        guard radius >= 1, face.width > 2, face.height > 2 else { return }
        let faceShading = blurred(face, weights: weights, radius: radius)
        let targetShading = blurred(target, weights: weights, radius: radius)
        for k in weights.indices where weights[k] > 0 {
            for c in 0..<3 {
                let i = 3 * k + c
                face.values[i] = min(max(face.values[i] - faceShading[i] + targetShading[i], 0), 255)
            }
        }
    }

    /// `image` blurred by two passes of a box `2·radius + 1` wide, each way, weighted by `weights` and divided by the
    /// blurred weights.
    static func blurred(_ image: RGBImage, weights: [Float], radius: Int) -> [Float] {
        let w = image.width, h = image.height
        // Four planes: the weighted colour and the weight.
        var planes = [Float](repeating: 0, count: 4 * w * h)
        for k in 0..<(w * h) {
            let m = weights[k] > 0 ? Float(1) : 0
            planes[4 * k] = image.values[3 * k] * m
            planes[4 * k + 1] = image.values[3 * k + 1] * m
            planes[4 * k + 2] = image.values[3 * k + 2] * m
            planes[4 * k + 3] = m
        }
        var scratch = planes
        for _ in 0..<2 {
            boxPass(from: planes, to: &scratch, count: h, length: w, stride: 1, lineStride: w, radius: radius)
            boxPass(from: scratch, to: &planes, count: w, length: h, stride: w, lineStride: 1, radius: radius)
        }
        var out = [Float](repeating: 0, count: 3 * w * h)
        for k in 0..<(w * h) where planes[4 * k + 3] > 1e-4 {
            let inv = 1 / planes[4 * k + 3]
            out[3 * k] = planes[4 * k] * inv
            out[3 * k + 1] = planes[4 * k + 1] * inv
            out[3 * k + 2] = planes[4 * k + 2] * inv
        }
        return out
    }

    /// One box-filter pass along `count` lines of `length` pixels (pixel `i` of line `l` at `l·lineStride + i·stride`),
    /// by running sums, edges clamped.
    private static func boxPass(from source: [Float], to target: inout [Float], count: Int, length: Int, stride: Int,
                                lineStride: Int, radius: Int) {
        let scale = 1 / Float(2 * radius + 1)
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                for line in 0..<count {
                    let base = line * lineStride
                    @inline(__always) func at(_ i: Int) -> Int { 4 * (base + min(max(i, 0), length - 1) * stride) }
                    var sum: (Float, Float, Float, Float) = (0, 0, 0, 0)
                    for i in -radius...radius {
                        let j = at(i)
                        sum.0 += s[j]; sum.1 += s[j + 1]; sum.2 += s[j + 2]; sum.3 += s[j + 3]
                    }
                    for i in 0..<length {
                        let o = 4 * (base + i * stride)
                        t[o] = sum.0 * scale; t[o + 1] = sum.1 * scale; t[o + 2] = sum.2 * scale; t[o + 3] = sum.3 * scale
                        let add = at(i + radius + 1), drop = at(i - radius)
                        sum.0 += s[add] - s[drop]; sum.1 += s[add + 1] - s[drop + 1]
                        sum.2 += s[add + 2] - s[drop + 2]; sum.3 += s[add + 3] - s[drop + 3]
                    }
                }
            }
        }
    }
}
