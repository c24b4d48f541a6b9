internal import CYUV
import PhimCore

/// Converts a 32-bit frame to I420 (`yuv420p`, BT.601 matrix, limited range) with libyuv: the one conversion
/// between Phim's frames and what H.264 encodes, shared by the encoder and the raw-frame copy.
/// - Returns: `false` if libyuv refused the conversion.
func convertToI420(_ pixels: PixelBuffer, y: UnsafeMutablePointer<UInt8>, yStride: Int32,
                   u: UnsafeMutablePointer<UInt8>, uStride: Int32, v: UnsafeMutablePointer<UInt8>, vStride: Int32) -> Bool {
    let width = Int32(pixels.size.width), height = Int32(pixels.size.height)
    let status: Int32 = pixels.withUnsafeBytes { raw in
        let source = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let stride = Int32(pixels.bytesPerRow)
        // libyuv names formats by their little-endian word order: its "ARGB" is B, G, R, A in memory.
        return switch pixels.format {
        case .bgraPremultiplied: ARGBToI420(source, stride, y, yStride, u, uStride, v, vStride, width, height)
        case .rgba: ABGRToI420(source, stride, y, yStride, u, uStride, v, vStride, width, height)
        }
    }
    return status == 0
}
