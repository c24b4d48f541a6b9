internal import CFFmpeg
import Foundation
import PhimCore

/// How a ``VideoDecoder`` hands out pictures.
public struct VideoDecoderOptions: Sendable {
    /// The byte layout of the frames.
    public var pixelFormat: PixelFormat
    /// Scale every frame to this size (after rotation) while converting; `nil` keeps the display size.
    public var outputSize: PixelSize?
    /// Turn frames upright using the stream's display matrix (phone videos).
    public var appliesRotation: Bool
    /// Decoder threads; 0 lets FFmpeg choose from the machine's cores.
    public var threads: Int
    /// Where frame buffers come from (callers recycle the frames they are done with into it); `nil` allocates.
    public var bufferPool: PixelBufferPool?

    public init(pixelFormat: PixelFormat = .rgba, outputSize: PixelSize? = nil, appliesRotation: Bool = true, threads: Int = 0,
                bufferPool: PixelBufferPool? = nil) {
        self.pixelFormat = pixelFormat
        self.outputSize = outputSize
        self.appliesRotation = appliesRotation
        self.threads = threads
        self.bufferPool = bufferPool
    }
}

/// A decoded picture and when it is shown.
public struct VideoFrame: Sendable {
    public var pixels: PixelBuffer
    /// Presentation time in seconds from the start of the file (the container's start time is 0).
    public var time: Double
    /// How long the frame is shown, when the stream says.
    public var duration: Double?

    public init(pixels: PixelBuffer, time: Double, duration: Double?) {
        self.pixels = pixels
        self.time = time
        self.duration = duration
    }
}

/// Decodes the video stream of a file, frame by frame, with FFmpeg (any container and codec it opens).
///
/// Not `Sendable`: one thread drives a decoder. For decoding on a background thread, see
/// ``VideoDecoder/frames(url:from:options:bufferSize:)``.
public final class VideoDecoder {
    /// The probed file.
    public let mediaInfo: MediaInfo
    /// The stream being decoded.
    public let streamInfo: VideoStreamInfo
    /// The size of the frames handed out.
    public let outputSize: PixelSize

    private let url: URL
    private let options: VideoDecoderOptions
    private let stream: StreamDecoder
    private let timeBase: AVRational
    private let origin: Double
    private let frame: Frame
    private let converter: FrameConverter
    private var lastTime: Double?

    /// Opens the first video stream of `url`.
    /// - Throws: `PhimError` naming the file when it is missing, unreadable, has no video, or its pictures are
    ///   larger than ``Limits``.
    public init(url: URL, options: VideoDecoderOptions = VideoDecoderOptions()) throws(PhimError) {
        let located = try StreamDecoder.locate(AVMEDIA_TYPE_VIDEO, in: url, kind: "video")
        let stream = located.info.video.first { $0.index == located.streamIndex }!
        try stream.checkSize(subject: .file(url.displayPath))
        let upright = options.appliesRotation ? stream.displaySize : PixelSize(width: stream.width, height: stream.height)
        let outputSize = options.outputSize ?? upright
        try Limits.check(outputSize, subject: .file(url.displayPath))
        self.url = url
        self.options = options
        self.mediaInfo = located.info
        self.streamInfo = stream
        self.timeBase = located.timeBase
        self.origin = located.origin
        self.frame = try Frame()
        self.outputSize = outputSize
        self.converter = FrameConverter(output: options.pixelFormat)
        self.stream = try StreamDecoder(url: url, located: located, threads: options.threads, kind: "video")
    }

    /// The next frame in presentation order, or `nil` at the end of the stream.
    ///
    /// A few damaged packets are skipped, as players do; a stream that yields nothing but errors throws.
    /// - Throws: `PhimError` `.corruptMedia` naming the file.
    public func nextFrame() throws(PhimError) -> VideoFrame? {
        guard try stream.receive(into: frame) else { return nil }
        let f = frame.pointer.pointee
        var stamp = f.best_effort_timestamp
        if stamp == CFFmpeg_AV_NOPTS_VALUE() { stamp = f.pts }
        var duration: Double? = f.pkt_duration > 0 ? Double(f.pkt_duration) * timeBase.doubleValue : nil
        let time: Double
        if stamp != CFFmpeg_AV_NOPTS_VALUE() {
            time = Double(stamp) * timeBase.doubleValue - origin
        } else {
            time = (lastTime ?? -1 / max(streamInfo.frameRate, 1)) + (duration ?? 1 / max(streamInfo.frameRate, 1))
        }
        if duration == nil, streamInfo.frameRate > 0 { duration = 1 / streamInfo.frameRate }
        lastTime = time
        let rotation = options.appliesRotation ? streamInfo.rotation : 0
        let pixels: PixelBuffer
        if rotation == 0 {
            if let pool = options.bufferPool, pool.size == outputSize, pool.format == options.pixelFormat {
                var buffer = pool.take()
                try converter.convert(frame.pointer, into: &buffer, subject: .file(url.displayPath))
                pixels = buffer
            } else {
                pixels = try converter.convert(frame.pointer, to: outputSize, subject: .file(url.displayPath))
            }
        } else {
            let unrotated = rotation % 180 == 0 ? outputSize : PixelSize(width: outputSize.height, height: outputSize.width)
            pixels = try converter.convert(frame.pointer, to: unrotated, subject: .file(url.displayPath)).rotated(clockwise: rotation)
        }
        av_frame_unref(frame.pointer)
        return VideoFrame(pixels: pixels, time: time, duration: duration)
    }

    /// Moves to the keyframe at or before `seconds`; the frames that follow start there. Callers that need the
    /// frame at an exact time use ``VideoFrameCursor``, which skips forward from the keyframe.
    /// - Throws: `PhimError` if the file cannot be read again from the start.
    public func seek(to seconds: Double) throws(PhimError) {
        try stream.seek(to: seconds, origin: origin)
        lastTime = nil
    }
}

/// Hands out the frame on screen at a given time: the last frame whose presentation time is at or before it.
/// Times may go forward in any steps (retiming, variable frame rate); going backwards or far ahead seeks.
///
/// Not `Sendable`.
public final class VideoFrameCursor {
    private let decoder: VideoDecoder
    private var current: VideoFrame?
    private var upcoming: VideoFrame?
    private var ended = false
    private var started = false

    public init(decoder: VideoDecoder) { self.decoder = decoder }

    /// The time of the last frame, once the stream has run out (`nil` before).
    public var lastFrameTime: Double? { ended ? (current ?? upcoming)?.time : nil }

    /// The frame shown at `seconds` (the first frame for times before it, the last frame after the end).
    /// - Returns: `nil` only for a stream with no frames at all.
    /// - Throws: `PhimError` from decoding.
    public func frame(at seconds: Double) throws(PhimError) -> VideoFrame? {
        let tolerance = 1e-6
        if let current, seconds + tolerance < current.time, started {
            try restart(at: seconds)
        } else if let upcoming, seconds - upcoming.time > 2.0 {
            try restart(at: seconds)
        } else if !started {
            if seconds > 0.5 { try decoder.seek(to: seconds) }
            started = true
        }
        if upcoming == nil && !ended { try advance() }
        if current == nil { try advance() }
        while let next = upcoming, next.time <= seconds + tolerance {
            try advance()
        }
        return current ?? upcoming
    }

    private func advance() throws(PhimError) {
        if let upcoming { current = upcoming }
        upcoming = ended ? nil : try decoder.nextFrame()
        if upcoming == nil { ended = true }
    }

    private func restart(at seconds: Double) throws(PhimError) {
        try decoder.seek(to: seconds)
        current = nil
        upcoming = nil
        ended = false
        try advance()
        // The keyframe may lie after the target when the seek overshoots; then it is the best we have.
    }
}
