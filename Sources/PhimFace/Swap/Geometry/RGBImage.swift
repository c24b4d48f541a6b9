import Foundation
import PhimCore

/// A rectangle of whole pixels.
public struct PixelRect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The pixels `rect` touches, grown by `margin` on every side and clipped to `size` (empty when outside it).
    public init(covering rect: Rect, margin: Double = 0, clippedTo size: PixelSize) {
        let left = max(0, Int((rect.x - margin).rounded(.down)))
        let top = max(0, Int((rect.y - margin).rounded(.down)))
        let right = min(size.width, Int((rect.x + rect.width + margin).rounded(.up)))
        let bottom = min(size.height, Int((rect.y + rect.height + margin).rounded(.up)))
        self.init(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var pixelCount: Int { max(0, width) * max(0, height) }
}

/// A picture of three float channels (R, G, B in 0...255), interleaved, standing at `origin` in a larger picture:
/// the working form of a face while it is warped, recoloured and blended.
public struct RGBImage: Sendable {
    public var width: Int
    public var height: Int
    /// Where the image's left-top pixel lies in the picture it was cut from.
    public var origin: (x: Int, y: Int)
    /// `3 * width * height` values, row by row.
    public var values: [Float]

    public init(width: Int, height: Int, origin: (x: Int, y: Int) = (0, 0), fill: Float = 0) {
        self.width = width
        self.height = height
        self.origin = origin
        values = [Float](repeating: fill, count: 3 * width * height)
    }

    /// The pixels of `rect` in `picture` (opaque pictures: alpha is ignored, as video frames have none).
    public init(_ picture: PixelBuffer, rect: PixelRect) {
        self.init(width: rect.width, height: rect.height, origin: (rect.x, rect.y))
        let (r, g, b) = picture.format.rgbOffsets
        let row = picture.bytesPerRow
        let w = width
        values.withUnsafeMutableBufferPointer { out in
            picture.withUnsafeBytes { bytes in
                for y in 0..<rect.height {
                    var s = (rect.y + y) * row + rect.x * 4
                    var t = 3 * y * w
                    for _ in 0..<w {
                        out[t] = Float(bytes[s + r])
                        out[t + 1] = Float(bytes[s + g])
                        out[t + 2] = Float(bytes[s + b])
                        s += 4
                        t += 3
                    }
                }
            }
        }
    }

    /// The whole of `picture`.
    public init(_ picture: PixelBuffer) {
        self.init(picture, rect: PixelRect(x: 0, y: 0, width: picture.width, height: picture.height))
    }

    /// The colour at a point in this image's own pixel coordinates (pixel centres at whole numbers), bilinearly
    /// interpolated, with edges extended.
    @inline(__always)
    public func sample(x: Double, y: Double) -> (Float, Float, Float) {
        let cx = min(max(x, 0), Double(width - 1)), cy = min(max(y, 0), Double(height - 1))
        let x0 = Int(cx), y0 = Int(cy)
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let fx = Float(cx - Double(x0)), fy = Float(cy - Double(y0))
        let i00 = 3 * (y0 * width + x0), i10 = 3 * (y0 * width + x1), i01 = 3 * (y1 * width + x0), i11 = 3 * (y1 * width + x1)
        return values.withUnsafeBufferPointer { v in
            func mix(_ c: Int) -> Float {
                let top = v[i00 + c] + (v[i10 + c] - v[i00 + c]) * fx
                let bottom = v[i01 + c] + (v[i11 + c] - v[i01 + c]) * fx
                return top + (bottom - top) * fy
            }
            return (mix(0), mix(1), mix(2))
        }
    }

    /// Blends this image into `picture` at its origin: each pixel is `alpha * self + (1 - alpha) * picture`, with
    /// `alpha` one value per pixel of this image (0...1).
    public func composite(into picture: inout PixelBuffer, alpha: [Float]) {
        let (r, g, b) = picture.format.rgbOffsets
        let row = picture.bytesPerRow
        let w = width
        let left = max(0, -origin.x), top = max(0, -origin.y)
        let right = min(width, picture.width - origin.x), bottom = min(height, picture.height - origin.y)
        guard right > left, bottom > top else { return }
        let ox = origin.x, oy = origin.y
        values.withUnsafeBufferPointer { v in
            alpha.withUnsafeBufferPointer { a in
                picture.withUnsafeMutableBytes { bytes in
                    for y in top..<bottom {
                        for x in left..<right {
                            let k = y * w + x
                            let m = a[k]
                            guard m > 0.002 else { continue }
                            let s = (oy + y) * row + (ox + x) * 4
                            let weight = min(m, 1)
                            @inline(__always) func blend(_ offset: Int, _ c: Int) {
                                let old = Float(bytes[s + offset])
                                bytes[s + offset] = UInt8(min(max((old + (v[3 * k + c] - old) * weight).rounded(), 0), 255))
                            }
                            blend(r, 0)
                            blend(g, 1)
                            blend(b, 2)
                        }
                    }
                }
            }
        }
    }
}
