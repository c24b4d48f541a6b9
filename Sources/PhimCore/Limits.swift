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

    /// Checks a frame size against the limits.
    /// - Throws: `PhimError` with code `.limitExceeded` naming `subject`.
    public static func check(_ size: PixelSize, subject: String) throws(PhimError) {
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
