import Foundation
import PhimCore
import PhimGraphics
import PhimMedia

/// A stretch of a video file, retimed to the layer's life and fitted to the frame.
///
/// A background thread decodes and scales exactly the frames the layer will show, a few ahead of the compositor,
/// through a bounded queue.
final class VideoLayerRenderer: PreparedLayer {
    let layer: Layer
    let content: VideoLayer
    /// Where the video lands in the frame, and how it is drawn there.
    let picture: FittedPicture
    var isAnimated: Bool { true }
    var coversFrame: Bool { picture.coversFrame }
    private let queue: BlockingQueue<(index: Int, pixels: PixelBuffer)>
    private let pool: PixelBufferPool
    private var lastShown: PixelBuffer?

    /// Opens the video and starts decoding the frames the layer shows.
    /// - Parameters:
    ///   - frameRate: the render's frame rate.
    ///   - clipFrameCount: how many frames the clip lasts (including transition overlaps).
    /// - Throws: `PhimError` naming `<layer>.path` when the file is missing, has no video, or is corrupt.
    init(layer: Layer, content: VideoLayer, frameSize: PixelSize, frameRate: FrameRate, clipFrameCount: Int) throws(PhimError) {
        self.layer = layer
        self.content = content
        let subject = PhimError.Subject.field(layer.fieldPath + ".path")
        let stream: VideoStreamInfo?
        do { stream = try MediaProbe.probe(content.path).primaryVideo } catch { throw error.about(subject) }
        guard let natural = stream?.displaySize, natural.width > 0, natural.height > 0 else {
            throw PhimError(.invalidInput, "\(content.path.lastPathComponent.quoted()) has no video stream", subject: subject)
        }
        picture = FittedPicture(size: natural, fit: content.fit, frameSize: frameSize, opacity: layer.opacity)
        let placement = picture.placement
        // Frames are decoded at the video's own size (libswscale's fast YUV-to-RGB path) and scaled while drawn
        // (pixman's bilinear path touches only the pixels on screen). Buffers go round through a pool.
        // A video shown larger than it is (or not much larger than the frame) is decoded at its own size; a big one
        // shown smaller is scaled down by the decoder, never up.
        let shown = PixelSize(width: max(2, Int(placement.width.rounded())), height: max(2, Int(placement.height.rounded())))
        let decodedSize = natural.area <= frameSize.area * 2 || shown.width >= natural.width || shown.height >= natural.height
            ? natural : shown
        pool = PixelBufferPool(size: decodedSize, limit: 8)
        queue = BlockingQueue(capacity: 4)

        // The clip frames on which the layer shows, and the source time each one displays.
        let span = max(layer.stop - layer.start, 1e-9)
        let speed = content.sourceDuration.map { $0 / span } ?? 1
        var schedule: [(index: Int, sourceTime: Double)] = []
        for index in 0..<clipFrameCount {
            let time = frameRate.seconds(ofFrame: index)
            guard layer.isVisible(atClipTime: time) else { continue }
            schedule.append((index, content.cutFrom + (time - layer.start) * speed))
        }
        let url = content.path, queue = self.queue, plannedFrames = schedule
        let options = VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: decodedSize, bufferPool: pool)
        startWorkerThread(named: "phim-video-\(url.lastPathComponent)") {
            do throws(PhimError) {
                let decoder = try VideoDecoder(url: url, options: options)
                let cursor = VideoFrameCursor(decoder: decoder)
                let claimed = decoder.mediaInfo.duration ?? decoder.streamInfo.duration
                for item in plannedFrames {
                    guard let frame = try cursor.frame(at: item.sourceTime) else {
                        throw PhimError(.corruptMedia, "\(url.lastPathComponent.quoted()) has no frames that decode", subject: subject)
                    }
                    // Frames that stop well before the file's stated length mean a truncated or damaged file.
                    if let last = cursor.lastFrameTime, let claimed, claimed > last + 1, item.sourceTime > last + 1 {
                        throw PhimError(.corruptMedia, String(format: "'%@' is truncated or damaged: its frames stop at %.2f s of %.2f s",
                                                              url.lastPathComponent, last, claimed), subject: subject)
                    }
                    if !queue.push((item.index, frame.pixels)) { return }
                }
                queue.close()
            } catch {
                queue.close(error: error.about(subject))
            }
        }
    }

    deinit { queue.cancel() }

    func finish() { queue.cancel() }

    func draw(on canvas: Canvas, at frame: ClipFrame) throws(PhimError) {
        var pixels = lastShown
        while true {
            guard let next = try queue.pop() else { break }
            pixels = next.pixels
            if next.index >= frame.index { break }
        }
        if lastShown != nil, pixels?.hasSameStorage(as: lastShown!) == false { pool.recycle(&lastShown) }
        guard let pixels else { return }
        lastShown = pixels
        picture.draw(pixels, on: canvas)
    }
}
