import PhimCore
/// One word as written in the input text (NFC, with attached punctuation, e.g. `"world."`), and when it is spoken.
public struct SpokenWord: Sendable, Hashable {
    /// The whitespace-separated token of the input, exactly as written (NFC).
    public var text: String
    /// When the word's sound starts, in seconds from the clip's first sample.
    public var start: Double
    /// When the word's sound stops (no later than the next word's start), in seconds.
    public var end: Double

    public init(text: String, start: Double, end: Double) {
        self.text = text
        self.start = start
        self.end = end
    }
}
