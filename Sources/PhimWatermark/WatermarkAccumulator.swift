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
    private var integral: [UInt32]
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
        integral = [UInt32](repeating: 0, count: (width + 1) * (height + 1))
        residual = [Float](repeating: 0, count: width * height)
        func reciprocals(_ n: Int) -> [Float] {
            (0..<n).map { i in 1 / Float(min(i + Self.radius + 1, n) - max(i - Self.radius, 0)) }
        }
        reciprocalWidth = reciprocals(width)
        reciprocalHeight = reciprocals(height)
    }

    /// Adds one frame's luma plane (8 bits a sample, `stride` bytes a row).
    public func add(luma: UnsafePointer<UInt8>, stride: Int) {
        let w = width, h = height, r = Self.radius
        integral.withUnsafeMutableBufferPointer { integral in
            // Summed-area table, wrapping: differences of wrapped sums are exact while a box holds < 2^32.
            let row0 = w + 1
            for y in 0..<h {
                let line = luma + y * stride
                var running: UInt32 = 0
                let above = y * row0, here = (y + 1) * row0
                integral[here] = 0
                for x in 0..<w {
                    running &+= UInt32(line[x])
                    integral[here + x + 1] = integral[above + x + 1] &+ running
                }
            }
            residual.withUnsafeMutableBufferPointer { residual in
                for y in 0..<h {
                    let line = luma + y * stride
                    let top = max(y - r, 0) * row0, bottom = (min(y + r, h - 1) + 1) * row0
                    let ry = reciprocalHeight[y]
                    for x in 0..<w {
                        let left = max(x - r, 0), right = min(x + r, w - 1) + 1
                        let box = integral[bottom + right] &- integral[bottom + left] &- integral[top + right] &+ integral[top + left]
                        residual[y * w + x] = Float(line[x]) - Float(box) * ry * reciprocalWidth[x]
                    }
                }
            }
        }
        residual.withUnsafeBufferPointer { residual in
            sum.withUnsafeMutableBufferPointer { sum in
                let b = Self.block
                var by = 0
                while by < h {
                    let yEnd = min(by + b, h)
                    var bx = 0
                    while bx < w {
                        let xEnd = min(bx + b, w)
                        var squares: Float = 0
                        for y in by..<yEnd { for x in bx..<xEnd { squares += residual[y * w + x] * residual[y * w + x] } }
                        let scale = 1 / ((squares / Float((yEnd - by) * (xEnd - bx))).squareRoot() + 1)
                        for y in by..<yEnd {
                            for x in bx..<xEnd {
                                sum[y * w + x] += min(max(residual[y * w + x] * scale, -2), 2)
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
