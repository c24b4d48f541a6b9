import Foundation
import PhimCore

extension VideoDecoder {
    /// The frames of `url` as an async sequence, decoded on a background thread a few frames ahead.
    /// - Parameter seconds: start at the keyframe at or before this time.
    /// - Throws (while iterating): `PhimError` as ``VideoDecoder/init(url:options:)`` and ``nextFrame()`` do.
    public static func frames(url: URL, from seconds: Double = 0, options: VideoDecoderOptions = VideoDecoderOptions(),
                              bufferSize: Int = 4) -> BackgroundSequence<VideoFrame> {
        BackgroundSequence(bufferSize: bufferSize, threadName: "phim-decode-\(url.lastPathComponent)") { yield in
            let decoder = try VideoDecoder(url: url, options: options)
            if seconds > 0 { try decoder.seek(to: seconds) }
            while let frame = try decoder.nextFrame() {
                guard yield(frame) else { return }
            }
        }
    }
}

extension AudioDecoder {
    /// The sound of `url` as an async sequence of chunks (interleaved float at `sampleRate`), decoded on a
    /// background thread a few chunks ahead.
    /// - Parameter seconds: start exactly at this time.
    public static func chunks(url: URL, from seconds: Double = 0, sampleRate: Int = AudioBuffer.standardSampleRate,
                              channelCount: Int = 2, bufferSize: Int = 8) -> BackgroundSequence<AudioChunk> {
        BackgroundSequence(bufferSize: bufferSize, threadName: "phim-decode-audio-\(url.lastPathComponent)") { yield in
            let decoder = try AudioDecoder(url: url, sampleRate: sampleRate, channelCount: channelCount)
            if seconds > 0 { try decoder.seek(to: seconds) }
            while let chunk = try decoder.nextChunk() {
                guard yield(chunk) else { return }
            }
        }
    }
}
