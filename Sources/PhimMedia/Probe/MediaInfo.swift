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
