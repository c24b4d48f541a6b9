import Foundation
import PhimCore
import PhimWatermark

/// The baseline detector's view of a frame: how its luma's energy spreads over spatial frequencies. Generators and
/// the upsampling in them leave their mark there (too little energy at the top of the spectrum, or peaks at the
/// upsampler's period), and so do blending and resizing.
///
/// The frame is read as a `side × side` luma square (the decoder scales the frame so its shorter side is `side`; the
/// middle square is taken). Two groups of features, each made independent of brightness and contrast by subtracting
/// its own mean:
/// - the azimuthally averaged power spectrum (a Hann window, then the 2-D FFT), in ``radialBins`` rings from the
///   lowest frequency to the highest, as log10 power;
/// - the mean log magnitude of each of the 63 AC coefficients of the 8 × 8 block DCT (JPEG's and H.264's grid).
public enum SpectralFeatures {
    public static let side = 256
    public static let radialBins = 24
    public static let dctCoefficients = 63
    public static let count = radialBins + dctCoefficients
    public static let names: [String] = (0..<radialBins).map { "spectrum.\($0)" } + (1...dctCoefficients).map { "dct.\($0)" }

    /// The features of a `side × side` luma square (row by row, one byte a pixel).
    public static func of(luma: [UInt8], side: Int = side) -> [Float] {
        precondition(luma.count == side * side, "a square of luma")
        return spectrum(luma, side: side) + dct(luma, side: side)
    }

    static func spectrum(_ luma: [UInt8], side: Int) -> [Float] {
        let mean = Float(luma.reduce(0) { $0 + Int($1) }) / Float(luma.count)
        let window = (0..<side).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(side - 1))) }
        var re = [Float](repeating: 0, count: side * side), im = re
        for y in 0..<side {
            for x in 0..<side { re[y * side + x] = (Float(luma[y * side + x]) - mean) * window[x] * window[y] }
        }
        FFT2D(rows: side, columns: side)(re: &re, im: &im)
        var sums = [Double](repeating: 0, count: radialBins), counts = [Int](repeating: 0, count: radialBins)
        let half = Double(side / 2)
        for v in 0..<side {
            let fy = Double(v <= side / 2 ? v : v - side)
            for u in 0..<side {
                let fx = Double(u <= side / 2 ? u : u - side)
                let radius = (fx * fx + fy * fy).squareRoot() / half
                guard radius > 0, radius <= 1 else { continue }  // no DC, no corners beyond the highest ring
                let bin = min(radialBins - 1, Int(radius * Double(radialBins)))
                let k = v * side + u
                sums[bin] += Double(re[k] * re[k] + im[k] * im[k])
                counts[bin] += 1
            }
        }
        let logs = (0..<radialBins).map { log10(sums[$0] / Double(max(counts[$0], 1)) + 1e-6) }
        let centre = logs.reduce(0, +) / Double(radialBins)
        return logs.map { Float($0 - centre) }
    }

    /// 8 × 8 DCT-II basis values, `basis[u][x]`.
    private static let basis: [[Double]] = (0..<8).map { u -> [Double] in
        let norm = u == 0 ? (1.0 / 8).squareRoot() : (2.0 / 8).squareRoot()
        return (0..<8).map { x -> Double in norm * cos(Double((2 * x + 1) * u) * Double.pi / 16) }
    }

    static func dct(_ luma: [UInt8], side: Int) -> [Float] {
        var sums = [Double](repeating: 0, count: 64)
        var blocks = 0
        var block = [Double](repeating: 0, count: 64), rows = [Double](repeating: 0, count: 64)
        for by in stride(from: 0, to: side - 7, by: 8) {
            for bx in stride(from: 0, to: side - 7, by: 8) {
                for y in 0..<8 { for x in 0..<8 { block[y * 8 + x] = Double(luma[(by + y) * side + bx + x]) } }
                // Rows, then columns.
                for y in 0..<8 {
                    for u in 0..<8 {
                        var s = 0.0
                        for x in 0..<8 { s += basis[u][x] * block[y * 8 + x] }
                        rows[y * 8 + u] = s
                    }
                }
                for u in 0..<8 {
                    for v in 0..<8 {
                        var s = 0.0
                        for y in 0..<8 { s += basis[v][y] * rows[y * 8 + u] }
                        sums[v * 8 + u] += log1p(abs(s))
                    }
                }
                blocks += 1
            }
        }
        let ac = sums.dropFirst().map { $0 / Double(max(blocks, 1)) }
        let centre = ac.reduce(0, +) / Double(ac.count)
        return ac.map { Float($0 - centre) }
    }
}
