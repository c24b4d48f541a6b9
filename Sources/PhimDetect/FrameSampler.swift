import Foundation
import PhimCore
import PhimMedia

/// The frames a detector looks at: at most ``maxFrames`` of a video, evenly spaced at no more than ``perSecond`` a
/// second, each scaled so its shorter side is ``SpectralFeatures/side`` and cut to the middle square, as luma. A
/// photo is one frame. Every frame is decoded (time grows with the video's length), one at a time (memory does not).
public struct FrameSampler: Sendable {
    public var perSecond: Double
    public var maxFrames: Int
    public var side: Int

    public init(perSecond: Double = 2, maxFrames: Int = 64, side: Int = SpectralFeatures.side) {
        self.perSecond = perSecond
        self.maxFrames = maxFrames
        self.side = side
    }

    /// One sampled frame: its time, its luma square, and the whole frame as scaled (shorter side ``side``).
    public struct Sample: Sendable {
        public var time: Double
        public var luma: [UInt8]
        public var picture: PixelBuffer
    }

    /// Calls `body` with each sampled frame of `url`, in order.
    /// - Throws: `PhimError` naming the file: missing, corrupt, no video, or no frame that decodes.
    public func forEach(in url: URL, cancellation: CancellationFlag? = nil, _ body: (Sample) throws(PhimError) -> Void) throws(PhimError) {
        let subject = PhimError.Subject.file(url)
        _ = try InputFile.check(url, subject: subject)
        let probe = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: PixelSize(width: 2, height: 2)))
        let size = probe.streamInfo.displaySize
        let shorter = max(1, min(size.width, size.height))
        let scaled = PixelSize(width: max(side, Int((Double(size.width) * Double(side) / Double(shorter)).rounded())),
                               height: max(side, Int((Double(size.height) * Double(side) / Double(shorter)).rounded())))
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: scaled))
        let duration = decoder.streamInfo.duration ?? decoder.mediaInfo.duration ?? 0
        let interval = decoder.streamInfo.isStillImage ? 0 : max(1 / perSecond, duration / Double(maxFrames))
        var next = 0.0
        var taken = 0
        while taken < maxFrames, let frame = try decoder.nextFrame() {
            try cancellation?.check()
            guard frame.time + 1e-6 >= next else { continue }
            next = frame.time + interval
            taken += 1
            try body(Sample(time: frame.time, luma: Self.middleSquare(frame.pixels, side: side), picture: frame.pixels))
        }
        guard taken > 0 else { throw PhimError(.corruptMedia, "holds no frame that decodes", subject: subject) }
    }

    /// The middle `side × side` square of `picture` as BT.601 luma.
    static func middleSquare(_ picture: PixelBuffer, side: Int) -> [UInt8] {
        picture.luma(x: max(0, (picture.width - side) / 2), y: max(0, (picture.height - side) / 2), width: side, height: side)
    }
}
