import Foundation
import PhimCore

/// An audio file mixed into the output (an entry of `audio`).
public struct AudioTrackSpec: Sendable, Equatable {
    /// The audio (or video with sound) file (`path`).
    public var path: URL
    /// When the track starts in the output, in seconds (`start`, default 0).
    public var start: Double
    /// Where in the source to start, in seconds (`cutFrom`, default 0).
    public var cutFrom: Double
    /// Where in the source to stop, in seconds (`cutTo`, default the end of the source); greater than `cutFrom`.
    public var cutTo: Double?
    /// Linear gain (`volume`, 0...10, default 1).
    public var volume: Double
    /// Seconds of fade-in at the track's start (`fadeIn`, default 0).
    public var fadeIn: Double
    /// Seconds of fade-out at the track's end, or at the end of the video if that comes first
    /// (`fadeOut`, default 0).
    public var fadeOut: Double
    /// Whether `cutFrom..cutTo` repeats until the video ends (`loop`, default false).
    public var loop: Bool
    /// Whether the track is lowered while narration (speech tracks) or clip sound plays (`duck`, default false).
    /// Only music tracks duck.
    public var duck: Bool
    /// What the track is (`role`, default `music`).
    public var role: AudioRole
    /// Where the track is in the project file (`audio[1]`). Decode errors should name `fieldPath + ".path"`.
    public var fieldPath: String

    /// Creates a track; the defaults are those of a project file.
    public init(path: URL, start: Double = 0, cutFrom: Double = 0, cutTo: Double? = nil, volume: Double = 1,
                fadeIn: Double = 0, fadeOut: Double = 0, loop: Bool = false, duck: Bool = false,
                role: AudioRole = .music, fieldPath: String = "") {
        self.path = path
        self.start = start
        self.cutFrom = cutFrom
        self.cutTo = cutTo
        self.volume = volume
        self.fadeIn = fadeIn
        self.fadeOut = fadeOut
        self.loop = loop
        self.duck = duck
        self.role = role
        self.fieldPath = fieldPath
    }
}

/// What an audio track carries. Raw values are the names used in project files.
public enum AudioRole: String, Sendable, CaseIterable {
    /// Music or ambience: may duck under speech.
    case music
    /// Narration: music tracks with `duck` are lowered under it.
    case speech
}

/// A subtitle file burnt into the picture (`subtitles`).
public struct SubtitleSpec: Sendable, Equatable {
    /// The subtitle file: SubRip (`.srt`), WebVTT (`.vtt`) or ASS/SSA (`path`).
    public var path: URL
    /// Seconds added to every cue's times (`offset`, default 0; negative shows cues earlier).
    public var offset: Double
    /// Where cues sit (`position`, default `bottom`).
    public var position: TextPosition
    /// How cues look (`font`, `fontSize`, `color`, `outlineColor`, `outlineWidth`, `boxColor`, `maxWidth`,
    /// `align`, with the defaults of a subtitle layer).
    public var style: TextLayerStyle
    /// Karaoke: the colour of the word being spoken, for cues that carry word timings (WebVTT inline timestamps
    /// such as `<00:00:01.500>`) (`highlight`, default none).
    public var highlight: Color?
    /// Where the spec is in the project file (`subtitles`). Parse errors should name `fieldPath + ".path"`.
    public var fieldPath: String

    /// Creates a subtitle spec; the defaults are those of a project file.
    public init(path: URL, offset: Double = 0, position: TextPosition = .bottom, style: TextLayerStyle,
                highlight: Color? = nil, fieldPath: String = "subtitles") {
        self.path = path
        self.highlight = highlight
        self.offset = offset
        self.position = position
        self.style = style
        self.fieldPath = fieldPath
    }
}
