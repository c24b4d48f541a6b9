import Foundation
import PhimCore

/// Decodes still pictures (JPEG, PNG, WebP, BMP, TIFF, GIF's first frame… whatever FFmpeg reads).
public enum ImageLoader {
    /// Loads the picture at `url`, upright.
    /// - Parameters:
    ///   - format: the byte layout wanted.
    ///   - size: scale to this size while converting; `nil` keeps the picture's own size.
    /// - Throws: `PhimError` naming the file when it is missing, not a picture, corrupt, or larger than ``Limits``.
    public static func load(_ url: URL, format: PixelFormat = .rgba, size: PixelSize? = nil) throws(PhimError) -> PixelBuffer {
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: format, outputSize: size, threads: 1))
        guard let frame = try decoder.nextFrame() else {
            throw PhimError(.corruptMedia, "holds no picture", subject: .file(url.displayPath))
        }
        return frame.pixels
    }

    /// The size of the picture at `url` without decoding it.
    public static func size(of url: URL) throws(PhimError) -> PixelSize {
        let info = try MediaProbe.probe(url)
        guard let video = info.primaryVideo, video.width > 0, video.height > 0 else {
            throw PhimError(.corruptMedia, "is not a picture", subject: .file(url.displayPath))
        }
        return video.displaySize
    }
}
