/// Sizes Phim refuses before allocating anything, so that a hostile or mistaken input cannot exhaust memory.
public enum Limits {
    /// The largest output or input frame side, in pixels (8K is 7680).
    public static let maxFrameSide = 16_384
    /// The largest frame area, in pixels (about 67 megapixels, 8K is 33).
    public static let maxFrameArea = 8_192 * 8_192
    /// The longest project or input, in seconds (24 hours).
    public static let maxDuration = 24.0 * 3600
    /// The highest frame rate.
    public static let maxFrameRate = 240.0

    /// The most audio channels a source may have (FFmpeg's resampler takes at most 64).
    public static let maxAudioChannels = 64
    /// The highest sample rate of a source, in Hz.
    public static let maxAudioSampleRate = 768_000
    /// The lowest sample rate of a source, in Hz (telephone sound is 8 kHz). Resampling multiplies a source's
    /// samples by 48,000 over its rate: a header claiming 1 Hz would turn 32 KB into 8,000 s of sound.
    public static let minAudioSampleRate = 1_000

    /// The most characters in one text: a title or subtitle layer, or a subtitle cue.
    public static let maxTextCharacters = 5_000
    /// The most characters in a short text: a keyword, a bullet item, a chart label or unit.
    public static let maxShortTextCharacters = 200
    /// The most clips in a project.
    public static let maxClips = 10_000
    /// The most layers in one clip.
    public static let maxLayersPerClip = 1_000
    /// The most video layers in one clip (each is decoded on a thread of its own).
    public static let maxVideoLayersPerClip = 16
    /// The memory one clip's layers may take if each holds one frame-sized picture, in bytes (2 GiB): 258 layers at
    /// 1920×1080, the full ``maxLayersPerClip`` at 640×360 and below.
    public static let maxClipLayerBytes = 2 << 30
    /// The most audio tracks in a project.
    public static let maxAudioTracks = 64
    /// The most cues in a subtitle file.
    public static let maxSubtitleCues = 100_000

    /// Checks a frame size against the limits.
    /// - Throws: `PhimError` with code `.limitExceeded` naming `subject`.
    public static func check(_ size: PixelSize, subject: PhimError.Subject) throws(PhimError) {
        guard size.width > 0, size.height > 0 else {
            throw PhimError(.invalidInput, "size \(size) must be positive", subject: subject)
        }
        guard size.width <= maxFrameSide, size.height <= maxFrameSide, size.area <= maxFrameArea else {
            throw PhimError(
                .limitExceeded,
                "size \(size) is too large (at most \(maxFrameSide) pixels a side and \(maxFrameArea / 1_000_000) megapixels)",
                subject: subject)
        }
    }
}
