import Foundation
import PhimCore
import PhimMedia
import PhimScript

/// The frame shape of a made video.
public enum Aspect: String, Sendable, CaseIterable {
    case landscape = "16:9"
    case portrait = "9:16"
    case square = "1:1"

    /// 1920×1080, 1080×1920 or 1080×1080.
    public var size: PixelSize {
        switch self {
        case .landscape: PixelSize(width: 1920, height: 1080)
        case .portrait: PixelSize(width: 1080, height: 1920)
        case .square: PixelSize(width: 1080, height: 1080)
        }
    }
}

/// Where the background music comes from.
public enum MusicChoice: Sendable, Equatable {
    /// A bed synthesised for the style.
    case generated
    /// No music.
    case none
    /// The user's track, looped and ducked.
    case file(URL)
}

/// Everything `phim make` is asked to do.
public struct MakeOptions: Sendable {
    /// The article, outline or topic file.
    public var input: URL
    /// The MP4 to write; subtitles go beside it as `.srt` and `.vtt`.
    public var output: URL
    /// The exact length in seconds, or nil for what the text needs.
    public var duration: Double?
    public var aspect: Aspect
    /// nil: detected from the text.
    public var language: ScriptLanguage?
    /// The voice: `festival`, `festival:NAME`, `espeak-ng:NAME` or an espeak-ng voice name (`vi`, `en-us`, `en+f3`, …);
    /// nil for the language's default (Festival for English when installed, else espeak-ng). See ``VoiceSelection``.
    public var voice: String?
    /// Speaking rate as a multiple of the voice's normal rate (0.5...2). Fitting a duration may change it by ±10 %.
    public var rate: Double
    /// Voice pitch, 0...100 (espeak's scale; 50 is the voice's own).
    public var pitch: Int
    public var style: ScriptStyle
    public var music: MusicChoice
    /// A folder of the user's pictures and clips, matched to scenes by file name.
    public var images: URL?
    /// Where to write the storyboard (a project file `phim render` reads), with its sound and subtitle files in
    /// `NAME.assets/` beside it.
    public var storyboard: URL?
    /// An OpenAI-compatible endpoint that writes the script; the built-in writer is the fallback.
    public var llm: URL?
    public var llmModel: String?
    /// A shell command that speaks `{text}` into the WAV file `{output}` instead of Festival or espeak-ng.
    public var ttsCommand: String?
    /// Highlight each word as it is spoken.
    public var karaoke: Bool
    /// Half size, fastest encoder preset.
    public var preview: Bool
    /// Chooses the presenter, the backdrops and the music.
    public var seed: Int
    /// Extra work on each frame before it is encoded (``RawVideoCopy`` for benchmarks).
    public var stages: [any FrameStage]
    /// Render the video (default). Off, only the storyboard is written, for editing and `phim render` later.
    public var renderVideo = true

    public init(input: URL, output: URL, duration: Double? = nil, aspect: Aspect = .landscape, language: ScriptLanguage? = nil,
                voice: String? = nil, rate: Double = 1, pitch: Int = 50, style: ScriptStyle = .explainer, music: MusicChoice = .generated,
                images: URL? = nil, storyboard: URL? = nil, llm: URL? = nil, llmModel: String? = nil, ttsCommand: String? = nil,
                karaoke: Bool = false, preview: Bool = false, seed: Int = 1, stages: [any FrameStage] = []) {
        self.input = input
        self.output = output
        self.duration = duration
        self.aspect = aspect
        self.language = language
        self.voice = voice
        self.rate = rate
        self.pitch = pitch
        self.style = style
        self.music = music
        self.images = images
        self.storyboard = storyboard
        self.llm = llm
        self.llmModel = llmModel
        self.ttsCommand = ttsCommand
        self.karaoke = karaoke
        self.preview = preview
        self.seed = seed
        self.stages = stages
    }

    /// The frame rate of made videos.
    public static let frameRate = 30
    /// The shortest and longest `--duration`.
    public static let durationRange: ClosedRange<Double> = 1...3_600
    public static let rateRange: ClosedRange<Double> = 0.5...2
    /// Seeds beyond this lose precision in a storyboard's JSON numbers.
    public static let seedLimit = 1 << 53

    /// Checks every setting a caller can get wrong, before any work; ``VideoMaker`` calls it, so every front end (the
    /// CLI, a server) gets the same checks and the same errors.
    /// - Throws: `PhimError` `.invalidInput` naming the option.
    public func validate() throws(PhimError) {
        if let duration {
            guard duration.isFinite, duration > 0 else {
                throw PhimError(.invalidInput, "must be more than 0 seconds, got \(duration)", subject: .option("duration"))
            }
            guard Self.durationRange.contains(duration) else {
                throw PhimError(.invalidInput, "\(duration) s is outside \(Int(Self.durationRange.lowerBound))...\(Int(Self.durationRange.upperBound)) s",
                                subject: .option("duration"))
            }
        }
        guard seed.magnitude < Self.seedLimit else {
            throw PhimError(.invalidInput, "must be between -2^53 and 2^53, got \(seed)", subject: .option("seed"))
        }
        guard (0...100).contains(pitch) else {
            throw PhimError(.invalidInput, "must be between 0 and 100, got \(pitch)", subject: .option("pitch"))
        }
        guard rate.isFinite, Self.rateRange.contains(rate) else {
            throw PhimError(.invalidInput, "must be between 0.5 and 2, got \(rate)", subject: .option("rate"))
        }
        if let llm, !["http", "https"].contains(llm.scheme?.lowercased() ?? "") {
            throw PhimError(.invalidInput, "\(llm.absoluteString.quoted()) is not an http:// or https:// address", subject: .option("llm"))
        }
        if !renderVideo, storyboard == nil {
            throw PhimError(.invalidInput, "without rendering, a storyboard file to write is needed", subject: .option("storyboard"))
        }
    }
}
