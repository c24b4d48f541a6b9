/// How the four bytes of a pixel are laid out in memory.
public enum PixelFormat: String, Sendable, Hashable {
    /// Bytes B, G, R, A with colour premultiplied by alpha: Cairo's `ARGB32` on little-endian machines,
    /// the compositor's working format.
    case bgraPremultiplied
    /// Bytes R, G, B, A with straight alpha: what most image APIs and users expect.
    case rgba

    /// One pixel of `color` in this format, as the 32-bit word whose little-endian bytes are the pixel's bytes.
    public func word(for color: Color) -> UInt32 {
        let a = min(max(color.alpha, 0), 1)
        func byte(_ value: Double, premultiply: Bool) -> UInt32 {
            UInt32((min(max(value, 0), 1) * (premultiply ? a : 1) * 255).rounded())
        }
        let bytes: (UInt32, UInt32, UInt32, UInt32) = switch self {
        case .rgba: (byte(color.red, premultiply: false), byte(color.green, premultiply: false),
                     byte(color.blue, premultiply: false), byte(a, premultiply: false))
        case .bgraPremultiplied: (byte(color.blue, premultiply: true), byte(color.green, premultiply: true),
                                  byte(color.red, premultiply: true), byte(a, premultiply: false))
        }
        return bytes.0 | bytes.1 << 8 | bytes.2 << 16 | bytes.3 << 24
    }
}

/// One 8-bit, 4-channel pixel with straight alpha.
public struct RGBA8: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    public var description: String { "rgba(\(r), \(g), \(b), \(a))" }

    /// The largest difference between two pixels over the four channels.
    public func distance(to other: RGBA8) -> Int {
        max(abs(Int(r) - Int(other.r)), abs(Int(g) - Int(other.g)), abs(Int(b) - Int(other.b)),
            abs(Int(a) - Int(other.a)))
    }
}

/// A picture in memory: `size`, 4 bytes a pixel, rows `bytesPerRow` apart (a multiple of 64).
///
/// A value type with copy-on-write storage, so frames move between the decode, compose and encode threads
/// without copies and without shared mutable state.
public struct PixelBuffer: Sendable {
    public let size: PixelSize
    public let format: PixelFormat
    public let bytesPerRow: Int
    private var storage: PixelStorage

    /// A buffer of transparent black pixels (or, with `zeroed: false`, of whatever the memory held, for buffers
    /// that are about to be overwritten whole).
    /// - Precondition: the size has passed ``Limits/check(_:subject:)``.
    public init(size: PixelSize, format: PixelFormat = .bgraPremultiplied, zeroed: Bool = true) {
        precondition(size.width > 0 && size.height > 0, "PixelBuffer needs a positive size")
        self.size = size
        self.format = format
        self.bytesPerRow = (size.width * 4 + 63) & ~63
        self.storage = PixelStorage(byteCount: bytesPerRow * size.height, zeroed: zeroed)
    }

    public var width: Int { size.width }
    public var height: Int { size.height }

    /// Reads the pixels.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes, count: storage.byteCount))
    }

    /// Writes the pixels, copying them first if another value shares them.
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableRawBufferPointer(start: storage.bytes, count: storage.byteCount))
    }

    /// The pixel at (`x`, `y`) with straight alpha.
    /// - Precondition: the point lies inside the buffer.
    public func pixel(x: Int, y: Int) -> RGBA8 {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(size)")
        let base = storage.bytes.advanced(by: y * bytesPerRow + x * 4).assumingMemoryBound(to: UInt8.self)
        switch format {
        case .rgba:
            return RGBA8(r: base[0], g: base[1], b: base[2], a: base[3])
        case .bgraPremultiplied:
            let alpha = base[3]
            func straight(_ value: UInt8) -> UInt8 {
                guard alpha != 0, alpha != 255 else { return alpha == 0 ? 0 : value }
                return UInt8(min(255, (Int(value) * 255 + Int(alpha) / 2) / Int(alpha)))
            }
            return RGBA8(r: straight(base[2]), g: straight(base[1]), b: straight(base[0]), a: alpha)
        }
    }

    /// The mean colour of the pixels in a rectangle (clipped to the buffer), with straight alpha.
    public func averagePixel(x: Int, y: Int, width w: Int, height h: Int) -> RGBA8 {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return RGBA8(r: 0, g: 0, b: 0, a: 0) }
        var sums = [Int](repeating: 0, count: 4)
        for row in y0..<y1 {
            for column in x0..<x1 {
                let p = pixel(x: column, y: row)
                sums[0] += Int(p.r); sums[1] += Int(p.g); sums[2] += Int(p.b); sums[3] += Int(p.a)
            }
        }
        let n = (x1 - x0) * (y1 - y0)
        return RGBA8(r: UInt8(sums[0] / n), g: UInt8(sums[1] / n), b: UInt8(sums[2] / n), a: UInt8(sums[3] / n))
    }

    /// Fills every pixel with one colour.
    public mutating func fill(_ color: Color) {
        let word = format.word(for: color)
        let rowBytes = bytesPerRow, w = width, h = height
        withUnsafeMutableBytes { raw in
            for row in 0..<h {
                let line = (raw.baseAddress! + row * rowBytes).assumingMemoryBound(to: UInt32.self)
                line.update(repeating: word, count: w)
            }
        }
    }
}

/// The memory behind a ``PixelBuffer``: one aligned allocation, freed in `deinit`.
///
/// `@unchecked Sendable`: a storage is written only through `PixelBuffer.withUnsafeMutableBytes`, which first
/// makes it unique (copy-on-write), so no two threads ever see a storage that one of them is writing.
final class PixelStorage: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int

    /// Bytes allocated past the end: SIMD code in libswscale and pixman reads and writes whole vectors and may
    /// touch a few bytes beyond the last pixel.
    static let padding = 256

    init(byteCount: Int, zeroed: Bool = true) {
        self.byteCount = byteCount
        bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount + Self.padding, alignment: 64)
        if zeroed {
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount + Self.padding)
        } else {
            (bytes + byteCount).initializeMemory(as: UInt8.self, repeating: 0, count: Self.padding)
        }
    }

    func copy() -> PixelStorage {
        let copy = PixelStorage(byteCount: byteCount, zeroed: false)
        copy.bytes.copyMemory(from: bytes, byteCount: byteCount)
        return copy
    }

    deinit { bytes.deallocate() }
}

extension PixelBuffer {
    /// `true` when no other value shares this buffer's memory, so writing will not copy it.
    public mutating func isUniquelyOwned() -> Bool { isKnownUniquelyReferenced(&storage) }
}

extension PixelBuffer {
    /// `true` when both values share the same memory (one is a copy of the other, unchanged).
    public func hasSameStorage(as other: PixelBuffer) -> Bool { storage === other.storage }
}

extension PixelFormat {
    /// The byte offsets of red, green and blue within a pixel.
    public var rgbOffsets: (Int, Int, Int) {
        switch self {
        case .bgraPremultiplied: (2, 1, 0)
        case .rgba: (0, 1, 2)
        }
    }
}

extension PixelBuffer {
    /// BT.601 luma (0.299 R + 0.587 G + 0.114 B, in 1/256 steps) of the `width × height` region at (`x`, `y`), one
    /// byte a pixel, row by row; 0 where the region leaves the picture.
    public func luma(x left: Int = 0, y top: Int = 0, width: Int? = nil, height: Int? = nil) -> [UInt8] {
        let w = width ?? self.width, h = height ?? self.height
        let (r, g, b) = format.rgbOffsets
        let row = bytesPerRow
        var luma = [UInt8](repeating: 0, count: w * h)
        withUnsafeBytes { bytes in
            for y in max(0, -top)..<max(0, min(h, self.height - top)) {
                for x in max(0, -left)..<max(0, min(w, self.width - left)) {
                    let s = (top + y) * row + (left + x) * 4
                    let red = 77 * Int(bytes[s + r]), green = 150 * Int(bytes[s + g]), blue = 29 * Int(bytes[s + b])
                    luma[y * w + x] = UInt8((red + green + blue + 128) >> 8)
                }
            }
        }
        return luma
    }
}
