/// One clip: a stack of layers shown for ``duration`` seconds (an entry of `clips`).
public struct Clip: Sendable, Equatable {
    /// How long the clip lasts in seconds, including the part that overlaps the next clip (`duration`).
    public var duration: Double
    /// The transition from this clip into the next (`transition`, editly's convention), with the project's
    /// default applied; `nil` means a cut, and it is always `nil` for the last clip.
    public var transition: TransitionSpec?
    /// The layers, first at the back (`layers`).
    public var layers: [Layer]
    /// The words spoken over this clip, for people reading and editing the project (`narration`; `phim make`
    /// writes it). Informational: the sound comes from the audio tracks.
    public var narration: String?
    /// Where the clip is in the project file (`clips[3]`), for error messages.
    public var fieldPath: String

    /// Creates a clip; `transition` is into the next clip (`nil` for a cut).
    public init(duration: Double, transition: TransitionSpec? = nil, layers: [Layer], narration: String? = nil,
                fieldPath: String = "") {
        self.duration = duration
        self.narration = narration
        self.transition = transition
        self.layers = layers
        self.fieldPath = fieldPath
    }
}
