import Foundation
import PhimCore
import PhimProvenance

/// A video project: what a project file (JSON or YAML) describes, checked and with every default filled in.
///
/// Build one with ``ProjectLoader``; the compositor and renderer read it. All paths are absolute `URL`s
/// (relative paths in the file resolve against ``baseDirectory``) that existed as regular, readable files (folders,
/// for generated layers' models) when the project was loaded. Durations are seconds.
public struct Project: Sendable, Equatable {
    /// The output frame size (`width`, `height`), both even.
    public var size: PixelSize
    /// The output frame rate (`fps`; `29.97` means exactly `30000/1001`).
    public var frameRate: FrameRate
    /// What shows where no layer covers the frame (`background`, default black).
    public var background: Color
    /// The project-wide defaults (`defaults`), already applied to every clip and layer below.
    public var defaults: ProjectDefaults
    /// The clips in playing order (`clips`, at least one).
    public var clips: [Clip]
    /// Audio tracks mixed under the clips' own sound (`audio`).
    public var audio: [AudioTrackSpec]
    /// A subtitle file burnt into the picture (`subtitles`).
    public var subtitles: SubtitleSpec?
    /// The integrated loudness target of the final mix in LUFS (`loudness`, EBU R128); `nil` leaves levels alone.
    public var loudness: Double?
    /// Encoder settings (`output`).
    public var output: OutputSettings
    /// The folder of the project file; relative paths in the file were resolved against it.
    public var baseDirectory: URL

    /// Creates a project from parts that have already been checked (``ProjectLoader`` checks file input).
    public init(
        size: PixelSize, frameRate: FrameRate = FrameRate(30), background: Color = .black,
        defaults: ProjectDefaults = ProjectDefaults(), clips: [Clip], audio: [AudioTrackSpec] = [],
        subtitles: SubtitleSpec? = nil, loudness: Double? = nil, output: OutputSettings = OutputSettings(),
        baseDirectory: URL
    ) {
        self.size = size
        self.frameRate = frameRate
        self.background = background
        self.defaults = defaults
        self.clips = clips
        self.audio = audio
        self.subtitles = subtitles
        self.loudness = loudness
        self.output = output
        self.baseDirectory = baseDirectory
    }

    /// The length of the video in seconds before rounding to frames: the clip durations minus the transitions
    /// that overlap them (the last clip's transition never counts).
    public var nominalDuration: Double { Project.nominalDuration(of: clips) }

    /// The length in seconds of `clips` played in order with their transitions, before rounding to frames.
    public static func nominalDuration(of clips: [Clip]) -> Double {
        var total = 0.0
        // The same sum, in the same order, as TimelineResolver's clip starts, so the two agree to the last bit.
        for (index, clip) in clips.enumerated() {
            total += clip.duration - (index < clips.count - 1 ? clip.transition?.duration ?? 0 : 0)
        }
        return total
    }

    /// The allowed range of ``loudness``, in LUFS.
    public static let loudnessRange: ClosedRange<Double> = -70 ... -5
}

/// Project-wide defaults (`defaults` in the file). The loader has already applied them to every clip and layer,
/// so the compositor never needs to consult them; they are kept for reference and for tools that write projects.
public struct ProjectDefaults: Sendable, Equatable {
    /// The duration of a clip that gives none and has no video layer with a `cutTo` (`duration`, default 4 s).
    public var duration: Double
    /// The transition between clips that give none (`transition`); `nil` means cuts.
    public var transition: TransitionSpec?
    /// The font family of text that names none (`font`, default "DejaVu Sans").
    public var font: String
    /// How images and videos that give no `fit` fill the frame (`fit`, default `cover`).
    public var fit: FitMode

    /// The clip duration when neither the clip, a video layer nor `defaults` gives one.
    public static let defaultDuration = 4.0
    /// The font family when neither the text nor `defaults` names one.
    public static let defaultFont = "DejaVu Sans"

    /// Creates defaults; the arguments' defaults are the built-in ones.
    public init(
        duration: Double = ProjectDefaults.defaultDuration, transition: TransitionSpec? = nil,
        font: String = ProjectDefaults.defaultFont, fit: FitMode = .cover
    ) {
        self.duration = duration
        self.transition = transition
        self.font = font
        self.fit = fit
    }
}

/// Encoder settings (`output` in the file). Every output is H.264 (`yuv420p`) + AAC in MP4.
public struct OutputSettings: Sendable, Equatable {
    /// x264's constant rate factor (`crf`, 0...51, default 23): lower is better quality and larger files.
    public var crf: Int
    /// x264's speed/size trade-off (`preset`, default `veryfast`).
    public var preset: EncoderPreset
    /// The AAC bit rate in bits per second (`audioBitrate`, default 192000).
    public var audioBitrate: Int

    /// The allowed range of ``crf``.
    public static let crfRange: ClosedRange<Int> = 0...51
    /// The allowed range of ``audioBitrate``.
    public static let audioBitrateRange: ClosedRange<Int> = 32_000...512_000

    /// Creates settings; the defaults are those of a project file.
    public init(crf: Int = 23, preset: EncoderPreset = .veryfast, audioBitrate: Int = 192_000) {
        self.crf = crf
        self.preset = preset
        self.audioBitrate = audioBitrate
    }
}

/// x264's presets, fastest first. The raw values are x264's names.
public enum EncoderPreset: String, Sendable, CaseIterable {
    case ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo
}

extension Project {
    /// The media files the project shows or plays (pictures, videos, sound tracks, and the weights of the models its
    /// generated layers sample), each once, in the order they first appear: the manifest names each as an ingredient.
    public var mediaFiles: [URL] {
        var files: [URL] = []
        for clip in clips {
            for layer in clip.layers {
                switch layer.content {
                case .image(let image): files.append(image.path)
                case .video(let video): files.append(video.path)
                case .generated(let generated): files.append(generated.weights)
                default: break
                }
            }
        }
        files += audio.map(\.path)
        var seen = Set<String>()
        return files.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// What a render of this project is made from, for its C2PA manifest: the user's media when it shows a
    /// picture or a video or plays a sound file; otherwise only what Phim draws (colours, gradients, text, scenes).
    /// A generated layer is a trained model's clip composed into the frame with what else the project draws, from a
    /// model file the user supplied (an ingredient, as a picture is): trained models and the user's media both took
    /// part, so such a render is `compositeWithTrainedAlgorithmicMedia`.
    public var madeFrom: MadeFrom {
        var media = !audio.isEmpty, generated = false
        for clip in clips {
            for layer in clip.layers {
                switch layer.content {
                case .image, .video: media = true
                case .generated: generated = true
                default: break
                }
            }
        }
        return MadeFrom(userMedia: media || generated, trainedModels: generated)
    }
}
