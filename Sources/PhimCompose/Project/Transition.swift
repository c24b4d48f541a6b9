/// A transition from one clip into the next (`transition` in a clip or in `defaults`).
///
/// It overlaps the end of its clip with the start of the next one for ``duration`` seconds. In a loaded
/// ``Project`` a cut is always `nil`, never a spec with kind `.cut` or duration 0.
public struct TransitionSpec: Sendable, Equatable {
    /// The effect (`name`).
    public var kind: TransitionKind
    /// How long the two clips overlap, in seconds (`duration`, default 0.5).
    public var duration: Double
    /// How progress runs over the overlap (`easing`, default `easeInOut`).
    public var easing: Easing

    /// The duration of a transition that names none.
    public static let defaultDuration = 0.5

    /// Creates a transition spec.
    public init(kind: TransitionKind, duration: Double = TransitionSpec.defaultDuration, easing: Easing = .easeInOut) {
        self.kind = kind
        self.duration = duration
        self.easing = easing
    }

    /// `true` when the spec means a hard cut: kind `cut` or no duration.
    public var isCut: Bool { kind == .cut || duration <= 0 }
}

/// The transition effects. Raw values are the names used in project files.
public enum TransitionKind: String, Sendable, CaseIterable {
    /// No overlap: the next clip starts on the next frame.
    case cut
    /// The first clip fades to black, then the second fades in from black.
    case fade
    /// The second clip blends in over the first (a cross-fade).
    case dissolve
    /// The second clip is revealed by an edge moving from right to left.
    case wipeleft
    /// The second clip is revealed by an edge moving from left to right.
    case wiperight
    /// The second clip is revealed by an edge moving from bottom to top.
    case wipeup
    /// The second clip is revealed by an edge moving from top to bottom.
    case wipedown
    /// The second clip slides in from the right, pushing the first out to the left.
    case slideleft
    /// The second clip slides in from the left, pushing the first out to the right.
    case slideright
    /// The first clip zooms in while the second fades in over it.
    case zoomin
    /// The second clip is revealed by a circle growing from the centre.
    case circleopen
    /// The first clip shrinks into a circle closing on the centre, revealing the second around it.
    case circleclose
}

/// How a transition's (or an animation's) progress runs from 0 to 1.
public enum Easing: String, Sendable, CaseIterable {
    /// Constant speed.
    case linear
    /// Starts slowly, ends fast (cubic).
    case easeIn
    /// Starts fast, ends slowly (cubic).
    case easeOut
    /// Slow at both ends, symmetric about the middle (cubic), so `apply(0.5) == 0.5`.
    case easeInOut

    /// The eased progress for linear progress `t` (clamped to 0...1); `apply(0) == 0`, `apply(1) == 1`.
    public func apply(_ t: Double) -> Double {
        let t = min(max(t, 0), 1)
        switch self {
        case .linear:
            return t
        case .easeIn:
            return t * t * t
        case .easeOut:
            let u = 1 - t
            return 1 - u * u * u
        case .easeInOut:
            if t < 0.5 { return 4 * t * t * t }
            let u = 2 - 2 * t
            return 1 - u * u * u / 2
        }
    }
}
