import Foundation
import PhimCore

/// The frames of a video at a constant rate: for each output frame, the input frame on screen at its time (a
/// variable-rate input is sampled evenly; frames past the input's end repeat its last).
public final class RetimedFrames: VideoFrameSource {
    private let cursor: VideoFrameCursor
    private let rate: Double
    private let count: Int
    private var index = 0

    public init(url: URL, size: PixelSize, rate: Double, count: Int) throws(PhimError) {
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied, outputSize: size))
        cursor = VideoFrameCursor(decoder: decoder)
        self.rate = rate
        self.count = count
    }

    /// The frames a re-encode of a decoded video writes: its size made even (H.264 4:2:0 needs even sides, so
    /// the picture is scaled by at most a pixel), its frame rate (30 when the file's is missing or absurd), and the
    /// frame count that fills its duration at that rate.
    public struct Plan: Sendable, Equatable {
        public var size: PixelSize
        public var rate: Double
        public var count: Int

        public init(size: PixelSize, rate: Double, count: Int) {
            self.size = size
            self.rate = rate
            self.count = count
        }
    }

    /// The plan for the video `decoder` reads.
    /// - Throws: `PhimError` about `subject` when the video is a still picture or has no duration.
    public static func plan(for decoder: VideoDecoder, subject: PhimError.Subject) throws(PhimError) -> Plan {
        let stream = decoder.streamInfo
        guard !stream.isStillImage else {
            throw PhimError(.invalidInput, "it is a still picture, not a video", subject: subject)
        }
        let size = PixelSize(width: max(2, decoder.outputSize.width / 2 * 2), height: max(2, decoder.outputSize.height / 2 * 2))
        let rate = stream.frameRate.isFinite && stream.frameRate >= 1 && stream.frameRate <= 240 ? stream.frameRate : 30
        guard let duration = stream.duration ?? decoder.mediaInfo.duration, duration > 0 else {
            throw PhimError(.corruptMedia, "its video has no duration", subject: subject)
        }
        return Plan(size: size, rate: rate, count: max(1, Int((duration * rate).rounded())))
    }

    /// The frames of `url` as `plan` lays them out.
    public convenience init(url: URL, plan: Plan) throws(PhimError) {
        try self.init(url: url, size: plan.size, rate: plan.rate, count: plan.count)
    }

    public func nextFrame() throws(PhimError) -> PixelBuffer? {
        guard index < count else { return nil }
        defer { index += 1 }
        guard let frame = try cursor.frame(at: Double(index) / rate) else {
            throw PhimError(.corruptMedia, "its video holds no frame that decodes")
        }
        return frame.pixels
    }
}
