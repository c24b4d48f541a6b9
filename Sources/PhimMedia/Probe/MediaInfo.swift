import Foundation
import PhimCore

/// What a media file holds: its container, duration and streams.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// The path that was probed.
    public var path: String
    /// The container, as FFmpeg names it (`mov,mp4,m4a,3gp,3g2,mj2`, `avi`, `image2`).
    public var format: String
    /// The container's duration in seconds, when it knows one.
    public var duration: Double?
    /// The overall bit rate in bits per second, when known.
    public var bitRate: Int?
    public var video: [VideoStreamInfo]
    public var audio: [AudioStreamInfo]
    /// Container tags (title, encoder, creation time…).
    public var tags: [String: String]

    /// The first video stream, if any.
    public var primaryVideo: VideoStreamInfo? { video.first }
    /// The first audio stream, if any.
    public var primaryAudio: AudioStreamInfo? { audio.first }
}

/// One video stream.
public struct VideoStreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var codec: String
    /// Coded size in pixels.
    public var width: Int
    public var height: Int
    /// Clockwise rotation the player applies (0, 90, 180, 270), from the display matrix.
    public var rotation: Int
    /// Average frames per second (for variable frame rate, the mean).
    public var frameRate: Double
    /// `true` when timestamps are not evenly spaced (the container's nominal rate and the average differ).
    public var variableFrameRate: Bool
    public var pixelFormat: String
    public var duration: Double?
    public var frameCount: Int?
    public var bitRate: Int?
    /// `true` for a still picture (an image file or cover art).
    public var isStillImage: Bool

    /// The size as displayed, after rotation.
    public var displaySize: PixelSize {
        rotation % 180 == 0 ? PixelSize(width: width, height: height) : PixelSize(width: height, height: width)
    }
}

/// One audio stream.
public struct AudioStreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var channelLayout: String
    public var duration: Double?
    public var bitRate: Int?
}

extension VideoStreamInfo {
    /// Checks the stream's picture size: readable (FFmpeg leaves it unset when the header claims more pixels than
    /// Phim allows, or is damaged) and within ``Limits``.
    /// - Throws: `PhimError` naming `subject`.
    public func checkSize(subject: PhimError.Subject) throws(PhimError) {
        guard width > 0, height > 0 else {
            throw PhimError(.corruptMedia, "the picture's size cannot be read: the file is damaged, or larger than \(Limits.maxFrameSide) pixels a side",
                            subject: subject)
        }
        try Limits.check(PixelSize(width: width, height: height), subject: subject)
    }
}

extension AudioStreamInfo {
    /// Checks the stream against the channel and sample-rate limits Phim mixes within.
    /// - Throws: `PhimError` `.limitExceeded` naming `subject`.
    public func checkLimits(subject: PhimError.Subject) throws(PhimError) {
        guard channels <= Limits.maxAudioChannels else {
            throw PhimError(.limitExceeded, "has \(channels) audio channels; at most \(Limits.maxAudioChannels)", subject: subject)
        }
        guard sampleRate <= Limits.maxAudioSampleRate else {
            throw PhimError(.limitExceeded, "has a sample rate of \(sampleRate) Hz; at most \(Limits.maxAudioSampleRate) Hz",
                            subject: subject)
        }
        guard sampleRate >= Limits.minAudioSampleRate else {
            throw PhimError(.unsupported, "has a sample rate of \(sampleRate) Hz; at least \(Limits.minAudioSampleRate) Hz",
                            subject: subject)
        }
    }
}
