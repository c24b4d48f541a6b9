import PhimCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shape of a fade, as a gain from 0 (silent) to 1 (full level) over a progress from 0 to 1.
public enum FadeCurve: String, Sendable, CaseIterable, Codable {
    /// Gain proportional to progress. A fade-out and a fade-in over the same frames sum to 1 (constant
    /// amplitude), right for crossfading correlated material (the same recording).
    case linear
    /// Gain `sin(progress · π/2)`. A fade-out and a fade-in over the same frames keep their summed power
    /// constant, right for crossfading unrelated material (two songs).
    case equalPower

    /// The fade-in gain at `progress` (clamped to 0...1).
    @inlinable
    public func gain(at progress: Double) -> Double {
        let p = min(max(progress, 0), 1)
        switch self {
        case .linear: return p
        case .equalPower: return sin(p * Double.pi / 2)
        }
    }
}

/// A fade-in or fade-out over a range of frames given in absolute positions (frames since the start of a
/// track or of the mix), so that a stream can be faded chunk by chunk: each chunk says where it starts.
///
/// A fade-in is silent before its range and leaves frames after it untouched; a fade-out leaves frames
/// before its range untouched and silences frames after it. A fade-out and a fade-in over the same range
/// with the same curve are complementary (see ``FadeCurve``).
public struct Fade: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable {
        case fadeIn, fadeOut
    }

    public var direction: Direction
    /// The first frame of the fade (absolute).
    public var startFrame: Int
    /// The length of the fade in frames; 0 makes the fade a cut at `startFrame`.
    public var frameCount: Int
    public var curve: FadeCurve

    public init(_ direction: Direction, startFrame: Int, frameCount: Int, curve: FadeCurve = .linear) {
        precondition(frameCount >= 0, "a fade cannot last a negative number of frames")
        self.direction = direction
        self.startFrame = startFrame
        self.frameCount = frameCount
        self.curve = curve
    }

    /// A fade over `duration` seconds from `start` seconds, in frames at `sampleRate` (rounded to the nearest frame).
    public init(_ direction: Direction, start: Double, duration: Double, sampleRate: Int, curve: FadeCurve = .linear) {
        let first = Int((start * Double(sampleRate)).rounded())
        let last = Int(((start + max(duration, 0)) * Double(sampleRate)).rounded())
        self.init(direction, startFrame: first, frameCount: max(0, last - first), curve: curve)
    }

    /// One past the last frame of the fade.
    public var endFrame: Int { startFrame + frameCount }

    /// The gain this fade applies to absolute frame `frame`.
    ///
    /// Frame `startFrame + i` of a fade-in gets `curve(i / frameCount)` (so the first frame is silent);
    /// of a fade-out, `curve((frameCount - i) / frameCount)` (so the first frame is at full level).
    public func gain(atFrame frame: Int) -> Float {
        let offset = frame - startFrame
        switch direction {
        case .fadeIn:
            if offset < 0 { return 0 }
            if offset >= frameCount { return 1 }
            return Float(curve.gain(at: Double(offset) / Double(frameCount)))
        case .fadeOut:
            if offset < 0 { return 1 }
            if offset >= frameCount { return 0 }
            return Float(curve.gain(at: Double(frameCount - offset) / Double(frameCount)))
        }
    }

    /// Applies the fade to interleaved samples whose first frame is absolute frame `firstFrame`.
    /// - Complexity: O(frames touched): frames the fade leaves at full level are not visited.
    public func apply(to samples: UnsafeMutableBufferPointer<Float>, channelCount: Int, firstFrame: Int) {
        precondition(channelCount > 0, "channelCount must be positive")
        let frames = samples.count / channelCount
        guard frames > 0, let base = samples.baseAddress else { return }
        let chunkEnd = firstFrame + frames
        // The frames that need work: those inside the fade, plus those silenced outside it.
        let silentBefore = direction == .fadeIn ? (firstFrame..<min(chunkEnd, max(firstFrame, startFrame))) : 0..<0
        let silentAfter = direction == .fadeOut ? (max(firstFrame, min(chunkEnd, endFrame))..<chunkEnd) : 0..<0
        for range in [silentBefore, silentAfter] where !range.isEmpty {
            (base + (range.lowerBound - firstFrame) * channelCount)
                .update(repeating: 0, count: range.count * channelCount)
        }
        let lower = max(firstFrame, startFrame), upper = min(chunkEnd, endFrame)
        guard lower < upper else { return }
        for frame in lower..<upper {
            let gain = gain(atFrame: frame)
            let row = base + (frame - firstFrame) * channelCount
            for channel in 0..<channelCount { row[channel] *= gain }
        }
    }

    /// Applies the fade to a buffer whose first frame is absolute frame `firstFrame`.
    public func apply(to buffer: inout AudioBuffer, firstFrame: Int) {
        let channels = buffer.channelCount
        buffer.samples.withUnsafeMutableBufferPointer { apply(to: $0, channelCount: channels, firstFrame: firstFrame) }
    }
}
