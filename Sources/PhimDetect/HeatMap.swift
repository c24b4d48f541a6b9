import Foundation
import PhimCore
import PhimGraphics

/// Where in the frame the detector sees generation: its probability for each 64-pixel tile of the scaled frames (a
/// tile every 32 pixels), averaged over the sampled frames, and drawn over the first of them. The features are
/// normalised by their own frequency range and level, so the model trained on 256-pixel squares reads a tile the same
/// way, if more noisily.
public struct HeatMap: Sendable {
    public static let tile = 64
    public static let step = 32
    public private(set) var columns = 0
    public private(set) var rows = 0
    /// Per tile (row by row), the summed probability.
    private var sums: [Double] = []
    private var frames = 0
    /// The first frame, on which the map is drawn.
    private var background: PixelBuffer?

    public init() {}

    /// Adds one sampled frame's tiles (frames of another size than the first are skipped).
    public mutating func add(_ picture: PixelBuffer, detector: Detector) {
        let columns = max(1, (picture.width - Self.tile) / Self.step + 1), rows = max(1, (picture.height - Self.tile) / Self.step + 1)
        if background == nil {
            background = picture
            self.columns = columns
            self.rows = rows
            sums = [Double](repeating: 0, count: columns * rows)
        }
        guard columns == self.columns, rows == self.rows else { return }
        for r in 0..<rows {
            for c in 0..<columns {
                let luma = picture.luma(x: c * Self.step, y: r * Self.step, width: Self.tile, height: Self.tile)
                let logit = detector.model.logit(SpectralFeatures.of(luma: luma, side: Self.tile))
                sums[r * columns + c] += detector.model.probability(logit: logit)
            }
        }
        frames += 1
    }

    /// Per tile, the mean probability.
    public var scores: [Double] { sums.map { $0 / Double(max(frames, 1)) } }

    /// Writes the map as a PNG: the first frame in grey, each pixel tinted from blue (0) to red (1) by the mean of the
    /// tiles that cover it.
    public func write(to url: URL) throws(PhimError) {
        guard var picture = background else { throw PhimError(.invalidInput, "no frame to draw the map on", subject: .file(url)) }
        let scores = self.scores
        let width = picture.width, height = picture.height, row = picture.bytesPerRow
        let luma = picture.luma()
        picture.withUnsafeMutableBytes { bytes in
            for y in 0..<height {
                // The tiles that cover the pixel (the last one, past the last tile's edge).
                let r1 = min(rows - 1, y / Self.step), r0 = min(r1, max(0, (y - Self.tile) / Self.step + 1))
                for x in 0..<width {
                    let c1 = min(columns - 1, x / Self.step), c0 = min(c1, max(0, (x - Self.tile) / Self.step + 1))
                    var sum = 0.0, count = 0
                    for r in r0...r1 { for c in c0...c1 { sum += scores[r * columns + c]; count += 1 } }
                    let p = sum / Double(count)
                    let s = y * row + x * 4
                    let grey = Double(luma[y * width + x])
                    // BGRA: half the grey picture, half the tint.
                    bytes[s] = UInt8(min(255, grey / 2 + 127 * (1 - p)))
                    bytes[s + 1] = UInt8(min(255, grey / 2 + 40))
                    bytes[s + 2] = UInt8(min(255, grey / 2 + 127 * p))
                    bytes[s + 3] = 255
                }
            }
        }
        try picture.writePNG(to: url)
    }
}
