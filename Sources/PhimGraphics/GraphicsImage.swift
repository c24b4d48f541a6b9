internal import CCairo
import PhimCore

/// A picture ready to be drawn many times (a still under Ken Burns motion, a pre-rendered title): owns one
/// Cairo image surface. Opaque pictures are stored without alpha, which lets pixman take its fast paths.
///
/// Not `Sendable`: a surface is used by one thread at a time.
public final class GraphicsImage {
    let surface: OpaquePointer
    public let size: PixelSize
    /// `true` when every pixel is fully opaque.
    public let isOpaque: Bool

    /// Copies `pixels` into a new surface.
    public init(_ pixels: PixelBuffer) {
        var source = pixels
        if source.format == .rgba { source = source.convertedToPremultipliedBGRA() }
        let opaque = source.isFullyOpaque
        let surface = cairo_image_surface_create(opaque ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32,
                                                 Int32(pixels.width), Int32(pixels.height))!
        cairo_surface_flush(surface)
        let destinationStride = Int(cairo_image_surface_get_stride(surface))
        let destination = cairo_image_surface_get_data(surface)!
        let rowBytes = pixels.width * 4
        source.withUnsafeBytes { raw in
            for row in 0..<pixels.height {
                (destination + row * destinationStride).update(
                    from: (raw.baseAddress! + row * source.bytesPerRow).assumingMemoryBound(to: UInt8.self), count: rowBytes)
            }
        }
        cairo_surface_mark_dirty(surface)
        self.surface = surface
        self.size = pixels.size
        self.isOpaque = opaque
    }

    /// A transparent picture to draw into (for caching rendered text or shapes).
    public init(size: PixelSize, draw: (Canvas) -> Void) {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(size.width), Int32(size.height))!
        let context = cairo_create(surface)!
        draw(Canvas(context: context, size: size))
        cairo_destroy(context)
        cairo_surface_flush(surface)
        self.surface = surface
        self.size = size
        self.isOpaque = false
    }

    deinit { cairo_surface_destroy(surface) }

    /// The picture as a pixel buffer (premultiplied BGRA).
    public func pixels() -> PixelBuffer {
        cairo_surface_flush(surface)
        var buffer = PixelBuffer(size: size)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        let opaque = isOpaque
        let width = size.width, height = size.height, rowBytes = buffer.bytesPerRow
        buffer.withUnsafeMutableBytes { raw in
            for row in 0..<height {
                let line = (raw.baseAddress! + row * rowBytes).assumingMemoryBound(to: UInt8.self)
                line.update(from: data + row * stride, count: width * 4)
                if opaque { for x in 0..<width { line[x * 4 + 3] = 255 } }
            }
        }
        return buffer
    }
}

extension PixelBuffer {
    /// `true` when every alpha byte is 255.
    public var isFullyOpaque: Bool {
        let w = width, h = height, rowBytes = bytesPerRow
        return withUnsafeBytes { raw in
            for row in 0..<h {
                let line = (raw.baseAddress! + row * rowBytes).assumingMemoryBound(to: UInt8.self)
                for x in 0..<w where line[x * 4 + 3] != 255 { return false }
            }
            return true
        }
    }

    /// The same picture as premultiplied BGRA.
    public func convertedToPremultipliedBGRA() -> PixelBuffer {
        guard format == .rgba else { return self }
        var result = PixelBuffer(size: size, format: .bgraPremultiplied)
        let w = width, h = height, inRow = bytesPerRow, outRow = result.bytesPerRow
        withUnsafeBytes { source in
            result.withUnsafeMutableBytes { destination in
                for row in 0..<h {
                    let s = (source.baseAddress! + row * inRow).assumingMemoryBound(to: UInt8.self)
                    let d = (destination.baseAddress! + row * outRow).assumingMemoryBound(to: UInt8.self)
                    for x in 0..<w {
                        let a = UInt32(s[x * 4 + 3])
                        func premultiplied(_ v: UInt8) -> UInt8 {
                            let t = UInt32(v) * a + 128
                            return UInt8((t + (t >> 8)) >> 8)
                        }
                        d[x * 4] = premultiplied(s[x * 4 + 2])
                        d[x * 4 + 1] = premultiplied(s[x * 4 + 1])
                        d[x * 4 + 2] = premultiplied(s[x * 4])
                        d[x * 4 + 3] = UInt8(a)
                    }
                }
            }
        }
        return result
    }
}
