internal import CFFmpeg
import Foundation
import PhimCore
import PhimWatermark

/// Reads Phim's invisible watermark (see `WatermarkEmbedder`) from any video FFmpeg decodes: the luma of ten frames a
/// second is pooled (on a thread of its own, while the next frames decode) and analysed once at the end. Time grows
/// with the video's length (every frame is decoded); memory does not.
public enum WatermarkDetector {
    /// Frames pooled per second of video.
    public static let framesPerSecond = 10.0
    /// At most this many frames are pooled; a longer video pools frames further apart.
    public static let maxPooledFrames = 1_200
    /// Larger pictures are read in a centred window of this many pixels a side: the tile repeats, so a window holds
    /// it as well as the whole frame does, and memory stays under about 100 MB whatever the frame size.
    public static let maxWindow = 2560

    /// - Parameter decoys: patterns Phim never embeds to search for as well (``WatermarkReading/decoyPValues``).
    /// - Throws: `PhimError` naming the file when it is missing, unreadable, corrupt or has no video stream.
    public static func read(_ url: URL, decoys: Int = 0, progress: ProgressHandler? = nil,
                            cancellation: CancellationFlag? = nil) throws(PhimError) -> WatermarkReading {
        let started = MonotonicClock.now()
        let located = try StreamDecoder.locate(AVMEDIA_TYPE_VIDEO, in: url, kind: "video")
        let stream = located.info.video.first { $0.index == located.streamIndex }!
        try stream.checkSize(subject: .file(url.displayPath))
        let decoder = try StreamDecoder(url: url, located: located, threads: 0, kind: "video")
        let rate = stream.frameRate > 0 ? stream.frameRate : 30
        let duration = stream.duration ?? located.info.duration
        let expected = duration.map { Int(($0 * rate).rounded()) }
        var step = max(1, Int((rate / framesPerSecond).rounded()))
        if let expected { step = max(step, (expected + maxPooledFrames - 1) / maxPooledFrames) }
        let window = (width: min(stream.width, maxWindow), height: min(stream.height, maxWindow))
        let left = (stream.width - window.width) / 2, top = (stream.height - window.height) / 2
        let pool = LumaPool(accumulator: WatermarkAccumulator(width: window.width, height: window.height),
                            left: left, top: top, width: stream.width, height: stream.height, subject: .file(url.displayPath))
        // Decoding (FFmpeg's threads) and pooling (this worker) overlap; a few frames wait between them at most.
        let queue = BlockingQueue<PooledFrame>(capacity: 4)
        let pooled = DispatchSemaphore(value: 0)
        startWorkerThread(named: "phim-watermark-pool") {
            pool.run(queue)
            pooled.signal()
        }
        do {
            var frame = try Frame()
            var index = 0
            while try decoder.receive(into: frame) {
                defer { index += 1 }
                try cancellation?.check()
                if let progress, index % 10 == 0 {
                    progress(ProgressUpdate(stage: "watermark", completed: index, total: expected, elapsed: MonotonicClock.now() - started))
                }
                let f = frame.pointer.pointee
                // A frame of another size (a resolution change mid-stream) cannot be pooled with the rest.
                guard index % step == 0, Int(f.width) == stream.width, Int(f.height) == stream.height else {
                    av_frame_unref(frame.pointer)
                    continue
                }
                guard queue.push(PooledFrame(frame)) else { break }  // the worker failed; its error is thrown below
                frame = try Frame()
            }
            queue.close()
        } catch {
            queue.cancel()
            pooled.wait()
            throw error
        }
        pooled.wait()
        if let failure = pool.failure { throw failure }
        return pool.accumulator.read(decoys: decoys)
    }
}

/// A decoded frame on its way to the pooling thread (its only owner once pushed).
private final class PooledFrame: @unchecked Sendable {
    let frame: Frame
    init(_ frame: Frame) { self.frame = frame }
}

/// The pooling thread's side of ``WatermarkDetector/read``: takes frames off the queue and adds their luma (the
/// centred window) to the accumulator. `@unchecked Sendable`: the detector touches `accumulator` and `failure` only
/// after the thread has finished.
private final class LumaPool: @unchecked Sendable {
    let accumulator: WatermarkAccumulator
    private(set) var failure: PhimError?
    private let left: Int, top: Int
    private let gray: GrayConverter
    private let subject: PhimError.Subject

    init(accumulator: WatermarkAccumulator, left: Int, top: Int, width: Int, height: Int, subject: PhimError.Subject) {
        self.accumulator = accumulator
        self.left = left
        self.top = top
        gray = GrayConverter(width: width, height: height)
        self.subject = subject
    }

    func run(_ queue: BlockingQueue<PooledFrame>) {
        while let item = try? queue.pop() {
            let f = item.frame.pointer.pointee
            if GrayConverter.lumaIsFirstPlane(f.format) {
                let stride = Int(f.linesize.0)
                accumulator.add(luma: f.data.0! + top * stride + left, stride: stride)
            } else {
                do {
                    try gray.convert(item.frame.pointer, subject: subject) { luma, stride in
                        accumulator.add(luma: luma + top * stride + left, stride: stride)
                    }
                } catch {
                    failure = error
                    queue.cancel()
                    return
                }
            }
        }
    }
}

/// 8-bit luma from frames whose first plane is not already that (RGB, 10-bit, palette…), through libswscale.
private final class GrayConverter {
    private let width: Int
    private let height: Int
    private var context: OpaquePointer?
    private var format: Int32 = -1
    private var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = []
    }

    deinit { sws_freeContext(context) }

    /// 8-bit planar YUV (and grey) formats, whose first plane is the luma itself.
    static func lumaIsFirstPlane(_ format: Int32) -> Bool {
        let formats: [AVPixelFormat] = [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P,
                                        AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_NV12, AV_PIX_FMT_NV21,
                                        AV_PIX_FMT_GRAY8]
        return formats.contains { $0.rawValue == format }
    }

    func convert(_ frame: UnsafeMutablePointer<AVFrame>, subject: PhimError.Subject,
                 _ body: (UnsafePointer<UInt8>, Int) -> Void) throws(PhimError) {
        let f = frame.pointee
        if format != f.format || context == nil {
            context = sws_getCachedContext(context, f.width, f.height, AVPixelFormat(rawValue: f.format),
                                           Int32(width), Int32(height), AV_PIX_FMT_GRAY8, SWS_POINT, nil, nil, nil)
            guard context != nil else {
                throw PhimError(.unsupported, "cannot read the luma of pixel format \(f.format)", subject: subject)
            }
            format = f.format
            if pixels.isEmpty { pixels = [UInt8](repeating: 0, count: width * height) }
        }
        pixels.withUnsafeMutableBufferPointer { out in
            scaleFrame(frame, with: context, into: out.baseAddress!, stride: Int32(width))
            body(UnsafePointer(out.baseAddress!), width)
        }
    }
}
