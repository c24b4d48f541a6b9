import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimProvenance
import PhimWatermark

/// Writes a picture as a PNG that carries, as Phim's videos do, the invisible watermark and a signed C2PA manifest
/// (in a `caBX` chunk, bound to the file by a data hash). The watermark is made for luma: it is measured on the
/// picture's luma (BT.601 weights) and the same change is added to red, green and blue, which moves luma by exactly
/// that much. Written to a temporary file beside the destination and renamed into place when signed.
public enum SignedStill {
    /// - Returns: the export's report (one frame; the watermark's payload and its PSNR on luma).
    /// - Throws: `PhimError` naming `destination`; nothing is left there on failure.
    public static func write(_ picture: PixelBuffer, provenance: Provenance, to destination: URL) throws(PhimError) -> ExportReport {
        let started = MonotonicClock.now()
        let output = try OutputFile(destination)
        var marked = picture
        let embedder = WatermarkEmbedder(width: picture.width, height: picture.height, payload: .random())
        mark(&marked, with: embedder)
        do {
            try marked.writePNG(to: output.temporary)
            var signed = provenance
            if signed.title == nil { signed.title = destination.lastPathComponent }
            signed.watermarkPayload = embedder.payload.description
            try C2PAWriter(identity: try SigningIdentity.local()).sealPNG(output.temporary, provenance: signed)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        let change = embedder.meanSquaredChange
        return ExportReport(output: destination, frameCount: 1, duration: 0, elapsed: MonotonicClock.now() - started,
                            watermark: embedder.payload, watermarkPSNR: change > 0 ? 10 * log10(255 * 255 / change) : nil)
    }

    /// Marks `picture` in place: the embedder's change to its luma, added to each colour channel.
    static func mark(_ picture: inout PixelBuffer, with embedder: WatermarkEmbedder) {
        let width = picture.width, height = picture.height, row = picture.bytesPerRow
        let (r, g, b) = picture.format.rgbOffsets
        let luma = picture.luma()
        var changed = luma
        changed.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: width) }
        picture.withUnsafeMutableBytes { bytes in
            for y in 0..<height {
                for x in 0..<width {
                    let k = y * width + x
                    let delta = Int(changed[k]) - Int(luma[k])
                    guard delta != 0 else { continue }
                    let s = y * row + x * 4
                    for offset in [r, g, b] { bytes[s + offset] = UInt8(min(max(Int(bytes[s + offset]) + delta, 0), 255)) }
                }
            }
        }
    }
}
