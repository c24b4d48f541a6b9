internal import CFFmpeg
import PhimCore

/// Converts decoded frames (any FFmpeg pixel format and size) to Phim's 4-byte formats, scaling on the way,
/// through libswscale. Owns one `SwsContext`, rebuilt only when the input changes.
///
/// Not `Sendable`.
final class FrameConverter {
    private var context: OpaquePointer?
    private var key: [Int]?
    private let output: PixelFormat

    init(output: PixelFormat) { self.output = output }

    deinit { sws_freeContext(context) }

    var outputFFmpegFormat: AVPixelFormat { output == .rgba ? AV_PIX_FMT_RGBA : AV_PIX_FMT_BGRA }

    /// Converts `frame` into a new buffer of `size`.
    /// - Throws: `PhimError` if swscale refuses the conversion.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>, to size: PixelSize, subject: PhimError.Subject) throws(PhimError) -> PixelBuffer {
        var buffer = PixelBuffer(size: size, format: output, zeroed: false)
        try convert(frame, into: &buffer, subject: subject)
        return buffer
    }

    /// Converts `frame` into `buffer`, scaling to the buffer's size.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>, into buffer: inout PixelBuffer, subject: PhimError.Subject) throws(PhimError) {
        let f = frame.pointee
        let size = buffer.size
        let newKey = [Int(f.width), Int(f.height), Int(f.format), Int(f.colorspace.rawValue), Int(f.color_range.rawValue),
                      size.width, size.height]
        if key != newKey {
            let sameSize = Int(f.width) == size.width && Int(f.height) == size.height
            context = sws_getCachedContext(
                context, f.width, f.height, AVPixelFormat(rawValue: f.format),
                Int32(size.width), Int32(size.height), outputFFmpegFormat,
                sameSize ? SWS_POINT : SWS_BILINEAR, nil, nil, nil)
            guard context != nil else {
                throw PhimError(.unsupported, "cannot convert pixel format \(f.format) at \(f.width)x\(f.height)", subject: subject)
            }
            // Honour the source's YUV matrix and range (BT.601 when unspecified); RGB output is full range.
            let colorspace = f.colorspace == AVCOL_SPC_UNSPECIFIED
                ? (f.height >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT) : Int32(f.colorspace.rawValue)
            let fullRange: Int32 = f.color_range == AVCOL_RANGE_JPEG || isJPEGFormat(f.format) ? 1 : 0
            sws_setColorspaceDetails(context, sws_getCoefficients(colorspace), fullRange,
                                     sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
            key = newKey
        }
        let rowBytes = Int32(buffer.bytesPerRow)
        buffer.withUnsafeMutableBytes { raw in
            scaleFrame(frame, with: context, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), stride: rowBytes)
        }
        if output == .bgraPremultiplied, hasAlpha(f.format) { buffer.premultiplyAlpha() }
    }

    private func hasAlpha(_ format: Int32) -> Bool {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)) else { return false }
        return (descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA)) != 0
    }

    private func isJPEGFormat(_ format: Int32) -> Bool {
        let pixelFormat = AVPixelFormat(rawValue: format)
        return pixelFormat == AV_PIX_FMT_YUVJ420P || pixelFormat == AV_PIX_FMT_YUVJ422P || pixelFormat == AV_PIX_FMT_YUVJ444P
            || pixelFormat == AV_PIX_FMT_YUVJ440P || pixelFormat == AV_PIX_FMT_YUVJ411P
    }
}

extension PixelBuffer {
    /// Multiplies colour by alpha in place (for `bgraPremultiplied` buffers filled with straight alpha).
    mutating func premultiplyAlpha() {
        let w = width, h = height, rowBytes = bytesPerRow
        withUnsafeMutableBytes { raw in
            for row in 0..<h {
                let line = (raw.baseAddress! + row * rowBytes).assumingMemoryBound(to: UInt8.self)
                for x in 0..<w {
                    let a = UInt32(line[x * 4 + 3])
                    guard a != 255 else { continue }
                    for c in 0..<3 {
                        let v = UInt32(line[x * 4 + c]) * a + 128
                        line[x * 4 + c] = UInt8((v + (v >> 8)) >> 8)
                    }
                }
            }
        }
    }

    /// This buffer turned clockwise by `degrees` (90, 180 or 270).
    func rotated(clockwise degrees: Int) -> PixelBuffer {
        let turns = ((degrees / 90) % 4 + 4) % 4
        guard turns != 0 else { return self }
        let outSize = turns % 2 == 0 ? size : PixelSize(width: height, height: width)
        var result = PixelBuffer(size: outSize, format: format)
        let w = width, h = height, inRow = bytesPerRow, outRow = result.bytesPerRow
        withUnsafeBytes { source in
            result.withUnsafeMutableBytes { destination in
                for y in 0..<h {
                    let sourceLine = (source.baseAddress! + y * inRow).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<w {
                        let (nx, ny): (Int, Int) = switch turns {
                        case 1: (h - 1 - y, x)
                        case 2: (w - 1 - x, h - 1 - y)
                        default: (y, w - 1 - x)
                        }
                        (destination.baseAddress! + ny * outRow).assumingMemoryBound(to: UInt32.self)[nx] = sourceLine[x]
                    }
                }
            }
        }
        return result
    }
}

/// Runs `sws_scale` from all of `frame`'s planes into one packed destination plane (`stride` bytes a row).
func scaleFrame(_ frame: UnsafeMutablePointer<AVFrame>, with context: OpaquePointer?, into plane: UnsafeMutablePointer<UInt8>,
                stride: Int32) {
    var destination: [UnsafeMutablePointer<UInt8>?] = [plane, nil, nil, nil]
    var destinationStride: [Int32] = [stride, 0, 0, 0]
    withUnsafePointer(to: frame.pointee.data) { dataTuple in
        dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { source in
            withUnsafePointer(to: frame.pointee.linesize) { strideTuple in
                strideTuple.withMemoryRebound(to: Int32.self, capacity: 8) { sourceStride in
                    _ = sws_scale(context, source, sourceStride, 0, frame.pointee.height, &destination, &destinationStride)
                }
            }
        }
    }
}
