/// Pools the frames of one video for ``WatermarkAnalysis``: each frame's luma loses its picture content (a 9×9 local
/// mean is taken off and the rest divided by its 8×8 block's spread, so that edges and texture do not drown the
/// pattern), and what is left is summed. The watermark is the same in every frame and adds up; the picture changes
/// and averages out.
///
/// Memory: two floats and one integer a pixel, whatever the video's length. Not `Sendable`.
public final class WatermarkAccumulator {
    public let width: Int
    public let height: Int
    /// Frames added.
    public private(set) var frames = 0
    var sum: [Float]
    /// Ten rows' sums over 9 pixels across (a ring: the window's nine and the one leaving it), and the columns' sums
    /// of those over the window.
    private var rowSums: [Int32]
    private var columnSums: [Int32]
    private var residual: [Float]
    private let reciprocalWidth: [Float]
    private let reciprocalHeight: [Float]

    static let radius = 4
    static let block = 8

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        sum = [Float](repeating: 0, count: width * height)
        rowSums = [Int32](repeating: 0, count: width * (2 * Self.radius + 2))
        columnSums = [Int32](repeating: 0, count: width)
        residual = [Float](repeating: 0, count: width * height)
        func reciprocals(_ n: Int) -> [Float] {
            (0..<n).map { i in 1 / Float(min(i + Self.radius + 1, n) - max(i - Self.radius, 0)) }
        }
        reciprocalWidth = reciprocals(width)
        reciprocalHeight = reciprocals(height)
    }

    /// Adds one frame's luma plane (8 bits a sample, `stride` bytes a row). The 9×9 box sums are separable running
    /// sums (exact integers), and the per-block pass works eight pixels at a time.
    public func add(luma: UnsafePointer<UInt8>, stride: Int) {
        let w = width, h = height, r = Self.radius
        let ring = 2 * r + 2
        rowSums.withUnsafeMutableBufferPointer { rowSums in
          columnSums.withUnsafeMutableBufferPointer { column in
            residual.withUnsafeMutableBufferPointer { residual in
              reciprocalWidth.withUnsafeBufferPointer { reciprocalWidth in
                let columns = column.baseAddress!, across = reciprocalWidth.baseAddress!
                /// Row `y`'s sums over [x - r, x + r] ∩ the row, into its slot of the ring of rows (the window's
                /// nine and the one leaving), sixteen pixels at a time away from the ends; then added to the columns.
                func addRow(_ y: Int) {
                    let line = luma + y * stride, out = rowSums.baseAddress! + (y % ring) * w
                    func scalar(_ x: Int) {
                        var total: Int32 = 0
                        for k in max(x - r, 0)...min(x + r, w - 1) { total &+= Int32(line[k]) }
                        out[x] = total
                    }
                    var x = 0
                    while x < min(r, w) { scalar(x); x += 1 }
                    while x + 16 + r <= w {
                        var total = SIMD16<UInt16>()
                        for k in -r...r {
                            total &+= SIMD16<UInt16>(truncatingIfNeeded: UnsafeRawPointer(line + x + k).loadUnaligned(as: SIMD16<UInt8>.self))
                        }
                        UnsafeMutableRawPointer(out + x).storeBytes(of: SIMD16<Int32>(truncatingIfNeeded: total), as: SIMD16<Int32>.self)
                        x += 16
                    }
                    while x < w { scalar(x); x += 1 }
                    for x in 0..<w { columns[x] &+= out[x] }
                }
                // Down the columns: the 9-row window's sum, kept by adding the row entering and taking off the
                // row leaving; then the residual.
                columns.update(repeating: 0, count: w)
                for y in 0..<min(r, h) { addRow(y) }
                for y in 0..<h {
                    if y + r < h { addRow(y + r) }
                    if y > r {
                        let leaving = rowSums.baseAddress! + ((y - r - 1) % ring) * w
                        for x in 0..<w { columns[x] &-= leaving[x] }
                    }
                    let line = luma + y * stride, out = residual.baseAddress! + y * w
                    let down = reciprocalHeight[y]
                    for x in 0..<w { out[x] = Float(line[x]) - Float(columns[x]) * down * across[x] }
                }
              }
            }
          }
        }
        residual.withUnsafeBufferPointer { residual in
            sum.withUnsafeMutableBufferPointer { sum in
                let b = Self.block, values = residual.baseAddress!, totals = sum.baseAddress!
                let low = SIMD8<Float>(repeating: -2), high = SIMD8<Float>(repeating: 2)
                var by = 0
                while by < h {
                    let yEnd = min(by + b, h)
                    var bx = 0
                    while bx < w {
                        let xEnd = min(bx + b, w)
                        if xEnd - bx == 8 {
                            var squares = SIMD8<Float>()
                            for y in by..<yEnd {
                                let v = UnsafeRawPointer(values + y * w + bx).loadUnaligned(as: SIMD8<Float>.self)
                                squares += v * v
                            }
                            let scale = 1 / ((squares.sum() / Float((yEnd - by) * 8)).squareRoot() + 1)
                            for y in by..<yEnd {
                                let v = UnsafeRawPointer(values + y * w + bx).loadUnaligned(as: SIMD8<Float>.self)
                                let at = UnsafeMutableRawPointer(totals + y * w + bx)
                                var scaled = v * scale
                                scaled.replace(with: low, where: scaled .< low)
                                scaled.replace(with: high, where: scaled .> high)
                                let total = at.loadUnaligned(as: SIMD8<Float>.self) + scaled
                                at.storeBytes(of: total, as: SIMD8<Float>.self)
                            }
                        } else {
                            var squares: Float = 0
                            for y in by..<yEnd { for x in bx..<xEnd { squares += values[y * w + x] * values[y * w + x] } }
                            let scale = 1 / ((squares / Float((yEnd - by) * (xEnd - bx))).squareRoot() + 1)
                            for y in by..<yEnd {
                                for x in bx..<xEnd { totals[y * w + x] += min(max(values[y * w + x] * scale, -2), 2) }
                            }
                        }
                        bx = xEnd
                    }
                    by = yEnd
                }
            }
        }
        frames += 1
    }
}
