import Foundation
import PhimCore

/// A project's clips placed on exact frames: what the compositor and the audio mixer walk through.
///
/// Made by ``TimelineResolver``. Frames are numbered from 0; ranges are half-open (`endFrame` is the first frame
/// after). A clip's frames include the frames it shares with its neighbours during transitions.
public struct Timeline: Sendable, Equatable, CustomStringConvertible {
    /// The output frame rate.
    public var frameRate: FrameRate
    /// Frames in the whole video: round((Σ clip durations − Σ transition durations) × fps).
    public var frameCount: Int
    /// The clips in order, on their frames.
    public var clips: [ResolvedClip]

    /// Creates a timeline; use ``TimelineResolver/resolve(_:)`` to make one from a project.
    public init(frameRate: FrameRate, frameCount: Int, clips: [ResolvedClip]) {
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.clips = clips
    }

    /// The length of the video in seconds, exactly `frameCount` frames.
    public var duration: Double { frameRate.seconds(ofFrame: frameCount) }

    /// The transitions that last at least one frame, in order.
    public var transitions: [ResolvedTransition] { clips.compactMap(\.transitionOut) }

    /// What is on screen at a frame: one clip, or two during a transition with its progress.
    ///
    /// - Precondition: `0 <= frame < frameCount`.
    /// - Complexity: O(log n) in the number of clips.
    public func activeClips(atFrame frame: Int) -> TimelineFrame {
        precondition(frame >= 0 && frame < frameCount, "frame \(frame) is outside the timeline (0..<\(frameCount))")
        // The last clip that has started by `frame`.
        var low = 0, high = clips.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if clips[middle].startFrame <= frame { low = middle } else { high = middle - 1 }
        }
        let current = clips[low]
        let time = frameRate.seconds(ofFrame: frame)
        if low > 0, let transition = clips[low - 1].transitionOut, frame < clips[low - 1].endFrame {
            let linear = transition.linearProgress(atFrame: frame)
            return TimelineFrame(
                frame: frame, time: time,
                clips: [active(clips[low - 1], at: frame), active(current, at: frame)],
                transition: ActiveTransition(transition: transition, linearProgress: linear,
                                             progress: transition.easing.apply(linear)))
        }
        return TimelineFrame(frame: frame, time: time, clips: [active(current, at: frame)], transition: nil)
    }

    private func active(_ clip: ResolvedClip, at frame: Int) -> ActiveClip {
        let localFrame = frame - clip.startFrame
        return ActiveClip(clip: clip, localFrame: localFrame, localTime: frameRate.seconds(ofFrame: localFrame))
    }

    /// What `phim render --dry-run` prints: a line per clip with its frames, times and transition, then the total.
    public var description: String {
        var lines: [String] = []
        let width = String(clips.count).count
        for clip in clips {
            let number = String(clip.index + 1)
            let label = "clip " + String(repeating: " ", count: width - number.count) + number
            let start = seconds(frameRate.seconds(ofFrame: clip.startFrame))
            let end = seconds(frameRate.seconds(ofFrame: clip.endFrame))
            var line = "\(label): \(start) – \(end) s, frames \(clip.startFrame)..<\(clip.endFrame) (\(clip.frameCount))"
            if let transition = clip.transitionOut {
                line += ", then \(transition.kind.rawValue) \(formatNumber(transition.nominalDuration)) s"
                    + " (\(transition.frameCount) frames, \(transition.easing.rawValue))"
            } else if clip.index < clips.count - 1 {
                line += ", then cut"
            } else {
                line += ", end"
            }
            lines.append(line)
        }
        lines.append("total: \(seconds(duration)) s, \(frameCount) frames at \(rateText)")
        return lines.joined(separator: "\n")
    }

    private func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    private var rateText: String {
        let rate = frameRate.rate
        if rate.denominator == 1 { return "\(rate.numerator) fps" }
        return String(format: "%.3f", frameRate.framesPerSecond) + " fps (\(rate))"
    }
}

/// A clip placed on frames.
public struct ResolvedClip: Sendable, Equatable {
    /// Its index in `Project.clips`.
    public var index: Int
    /// The first frame showing it.
    public var startFrame: Int
    /// The frame after the last one showing it (including the overlap with the next clip).
    public var endFrame: Int
    /// When it starts in seconds, exactly: Σ over earlier clips of (duration − outgoing transition).
    public var startTime: Double
    /// Its duration in seconds, as in the project.
    public var duration: Double
    /// The transition from the previous clip into this one, if any.
    public var transitionIn: ResolvedTransition?
    /// The transition from this clip into the next one, if any (never for the last clip).
    public var transitionOut: ResolvedTransition?

    /// Creates a resolved clip.
    public init(index: Int, startFrame: Int, endFrame: Int, startTime: Double, duration: Double,
                transitionIn: ResolvedTransition? = nil, transitionOut: ResolvedTransition? = nil) {
        self.index = index
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.startTime = startTime
        self.duration = duration
        self.transitionIn = transitionIn
        self.transitionOut = transitionOut
    }

    /// How many frames show it.
    public var frameCount: Int { endFrame - startFrame }
}

/// A transition placed on frames: the frames where clip `fromClip` and clip `fromClip + 1` are both on screen.
public struct ResolvedTransition: Sendable, Equatable {
    /// The effect.
    public var kind: TransitionKind
    /// How progress runs.
    public var easing: Easing
    /// The index of the outgoing clip; the incoming one is the next.
    public var fromClip: Int
    /// The first frame of the overlap (the incoming clip's first frame).
    public var startFrame: Int
    /// Frames in the overlap, at least 1 (a transition that rounds to no frames is a cut and is not resolved).
    public var frameCount: Int
    /// The duration written in the project, in seconds.
    public var nominalDuration: Double

    /// Creates a resolved transition.
    public init(kind: TransitionKind, easing: Easing, fromClip: Int, startFrame: Int, frameCount: Int,
                nominalDuration: Double) {
        self.kind = kind
        self.easing = easing
        self.fromClip = fromClip
        self.startFrame = startFrame
        self.frameCount = frameCount
        self.nominalDuration = nominalDuration
    }

    /// The frame after the overlap (the outgoing clip's `endFrame`).
    public var endFrame: Int { startFrame + frameCount }

    /// Uneased progress at a frame of the overlap: `(k + 1) / (n + 1)` for the k-th of n frames, so every frame
    /// of the overlap mixes both clips (never exactly 0 or 1) and the steps are even; 0 before, 1 after.
    public func linearProgress(atFrame frame: Int) -> Double {
        if frame < startFrame { return 0 }
        if frame >= endFrame { return 1 }
        return Double(frame - startFrame + 1) / Double(frameCount + 1)
    }

    /// Eased progress at a frame (see ``linearProgress(atFrame:)``).
    public func progress(atFrame frame: Int) -> Double { easing.apply(linearProgress(atFrame: frame)) }
}

/// What is on screen at one frame.
public struct TimelineFrame: Sendable, Equatable {
    /// The frame index.
    public var frame: Int
    /// When the frame starts, in seconds from the start of the video.
    public var time: Double
    /// The visible clips, back to front: one clip, or during a transition the outgoing then the incoming clip.
    public var clips: [ActiveClip]
    /// The transition in progress, if any.
    public var transition: ActiveTransition?

    /// Creates a frame description.
    public init(frame: Int, time: Double, clips: [ActiveClip], transition: ActiveTransition?) {
        self.frame = frame
        self.time = time
        self.clips = clips
        self.transition = transition
    }

    /// The clip leaving during a transition, or the only clip.
    public var outgoing: ActiveClip { clips[0] }
    /// The clip arriving during a transition.
    public var incoming: ActiveClip? { clips.count > 1 ? clips[1] : nil }
}

/// A clip as seen at one frame.
public struct ActiveClip: Sendable, Equatable {
    /// The clip.
    public var clip: ResolvedClip
    /// Frames since the clip's first frame.
    public var localFrame: Int
    /// Seconds since the clip's first frame (`localFrame / fps`): compare with layers' `start` and `stop`.
    public var localTime: Double

    /// Creates an active clip.
    public init(clip: ResolvedClip, localFrame: Int, localTime: Double) {
        self.clip = clip
        self.localFrame = localFrame
        self.localTime = localTime
    }
}

/// A transition at one frame.
public struct ActiveTransition: Sendable, Equatable {
    /// The transition.
    public var transition: ResolvedTransition
    /// Progress before easing, in (0, 1).
    public var linearProgress: Double
    /// Progress after the transition's easing, in (0, 1): what the effect should use.
    public var progress: Double

    /// Creates an active transition.
    public init(transition: ResolvedTransition, linearProgress: Double, progress: Double) {
        self.transition = transition
        self.linearProgress = linearProgress
        self.progress = progress
    }
}
