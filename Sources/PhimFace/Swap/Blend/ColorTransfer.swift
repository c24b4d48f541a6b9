import Foundation
import PhimCore

/// Gives the warped source face the target face's colouring, so that skin tone and light match before blending.
public enum ColorTransferMethod: String, Sendable, CaseIterable, Codable {
    /// Reinhard et al.'s transfer in CIELAB ("rct" in DeepFaceLab): each channel's mean and spread are moved to the
    /// target's.
    case rct
    /// Histogram matching per RGB channel: each channel's distribution becomes the target's.
    case histogram
    /// None: the seamless blend alone adjusts the colour at the edges.
    case none
}

/// Colour statistics of a face: mean and standard deviation of its L*, a*, b*.
public struct LabStatistics: Sendable {
    public var mean: (Double, Double, Double)
    public var deviation: (Double, Double, Double)

    /// The statistics of the pixels of `image` whose weight in `weights` is above one half (every third pixel of them:
    /// plenty for a mean and a spread).
    public init?(of image: RGBImage, weights: [Float]) {
        var sum = (0.0, 0.0, 0.0), squares = (0.0, 0.0, 0.0)
        var count = 0.0
        for k in stride(from: 0, to: weights.count, by: 3) where weights[k] > 0.5 {
            let (l, a, b) = CIELAB.fromRGB(image.values[3 * k], image.values[3 * k + 1], image.values[3 * k + 2])
            sum.0 += l; sum.1 += a; sum.2 += b
            squares.0 += l * l; squares.1 += a * a; squares.2 += b * b
            count += 1
        }
        guard count >= 16 else { return nil }
        mean = (sum.0 / count, sum.1 / count, sum.2 / count)
        func spread(_ s: Double, _ m: Double) -> Double { max(max(s / count - m * m, 0).squareRoot(), 0.5) }
        deviation = (spread(squares.0, mean.0), spread(squares.1, mean.1), spread(squares.2, mean.2))
    }

    /// A weighted mix: `self` moved `amount` (0...1) of the way to `other`.
    public func moved(toward other: LabStatistics, by amount: Double) -> LabStatistics {
        func mix(_ a: Double, _ b: Double) -> Double { a + (b - a) * amount }
        var out = self
        out.mean = (mix(mean.0, other.mean.0), mix(mean.1, other.mean.1), mix(mean.2, other.mean.2))
        out.deviation = (mix(deviation.0, other.deviation.0), mix(deviation.1, other.deviation.1), mix(deviation.2, other.deviation.2))
        return out
    }
}

/// Colour transfer between two faces.
public enum ColorTransfer {
    /// Moves the colours of `image` from statistics `from` to statistics `to` (Reinhard's transfer), over the pixels
    /// where `coverage` is set. The spread's ratio is kept within 0.5...2 so that a flat source cannot blow up.
    public static func reinhard(_ image: inout RGBImage, coverage: [Float], from: LabStatistics, to: LabStatistics) {
        func ratio(_ t: Double, _ s: Double) -> Double { min(max(t / s, 0.5), 2) }
        let r0 = ratio(to.deviation.0, from.deviation.0), r1 = ratio(to.deviation.1, from.deviation.1)
        let r2 = ratio(to.deviation.2, from.deviation.2)
        for k in coverage.indices where coverage[k] > 0 {
            let (l, a, b) = CIELAB.fromRGB(image.values[3 * k], image.values[3 * k + 1], image.values[3 * k + 2])
            let (r, g, bl) = CIELAB.toRGB((l - from.mean.0) * r0 + to.mean.0, (a - from.mean.1) * r1 + to.mean.1,
                                          (b - from.mean.2) * r2 + to.mean.2)
            image.values[3 * k] = r
            image.values[3 * k + 1] = g
            image.values[3 * k + 2] = bl
        }
    }

    /// Histogram matching per RGB channel: the pixels of `image` where `coverage` is set take the values of `target`
    /// at the same ranks, both counted over the pixels weighted above one half in `weights`.
    public static func matchHistograms(_ image: inout RGBImage, coverage: [Float], target: RGBImage, weights: [Float]) {
        for channel in 0..<3 {
            var source = [Double](repeating: 0, count: 256), wanted = [Double](repeating: 0, count: 256)
            for k in weights.indices where weights[k] > 0.5 {
                source[Int(min(max(image.values[3 * k + channel], 0), 255))] += 1
                wanted[Int(min(max(target.values[3 * k + channel], 0), 255))] += 1
            }
            let sourceTotal = source.reduce(0, +), wantedTotal = wanted.reduce(0, +)
            guard sourceTotal >= 16, wantedTotal >= 16 else { continue }
            // Cumulative shares, then for each source level the target level at the same share.
            var cumulative = [Double](repeating: 0, count: 256), targetCumulative = [Double](repeating: 0, count: 256)
            var running = 0.0, targetRunning = 0.0
            for level in 0..<256 {
                running += source[level]
                targetRunning += wanted[level]
                cumulative[level] = running / sourceTotal
                targetCumulative[level] = targetRunning / wantedTotal
            }
            var map = [Float](repeating: 0, count: 256)
            var t = 0
            for level in 0..<256 {
                while t < 255, targetCumulative[t] < cumulative[level] { t += 1 }
                map[level] = Float(t)
            }
            for k in coverage.indices where coverage[k] > 0 {
                let v = min(max(image.values[3 * k + channel], 0), 255)
                let low = Int(v), high = min(low + 1, 255), f = v - Float(low)
                image.values[3 * k + channel] = map[low] + (map[high] - map[low]) * f
            }
        }
    }
}

/// sRGB (0...255) to CIELAB (D65) and back.
enum CIELAB {
    /// sRGB's transfer curve, tabulated over 0...255 in steps of 1/16.
    private static let toLinear: [Double] = (0...4096).map { i in
        let c = Double(i) / 16 / 255
        return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }

    /// The inverse curve, tabulated over the square root of linear light (fine steps near black, where the curve is
    /// steep), to 0...255.
    private static let fromLinear: [Float] = (0...4096).map { i in
        let v = Double(i) / 4096 * Double(i) / 4096
        return Float(255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055))
    }

    static func fromRGB(_ r: Float, _ g: Float, _ b: Float) -> (Double, Double, Double) {
        func linear(_ v: Float) -> Double { toLinear[Int(min(max(v, 0), 255) * 16)] }
        let lr = linear(r), lg = linear(g), lb = linear(b)
        let x = (0.4124 * lr + 0.3576 * lg + 0.1805 * lb) / 0.95047
        let y = 0.2126 * lr + 0.7152 * lg + 0.0722 * lb
        let z = (0.0193 * lr + 0.1192 * lg + 0.9505 * lb) / 1.08883
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        let fx = f(x), fy = f(y), fz = f(z)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    static func toRGB(_ l: Double, _ a: Double, _ b: Double) -> (Float, Float, Float) {
        let fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200
        func finv(_ t: Double) -> Double { t > 0.206893 ? t * t * t : (t - 16.0 / 116) / 7.787 }
        let x = finv(fx) * 0.95047, y = finv(fy), z = finv(fz) * 1.08883
        let lr = 3.2406 * x - 1.5372 * y - 0.4986 * z
        let lg = -0.9689 * x + 1.8758 * y + 0.0415 * z
        let lb = 0.0557 * x - 0.2040 * y + 1.0570 * z
        func encode(_ c: Double) -> Float { fromLinear[Int(min(max(c, 0), 1).squareRoot() * 4096)] }
        return (encode(lr), encode(lg), encode(lb))
    }
}
