import PhimCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lowers music under speech (sidechain ducking), chunk by chunk.
///
/// For each frame, the speech level is followed by an RMS envelope (a one-pole average of the speech power
/// over ``Settings/detectorTime``, all speech channels). While it is at or above ``Settings/thresholdDB``,
/// and for ``Settings/hold`` seconds after it falls below, speech counts as present. The music gain then
/// moves in a straight line (in dB) towards `−depthDB`, reaching it ``Settings/attack`` seconds after
/// speech starts, and back to 0 dB over ``Settings/release`` seconds once speech has gone. The gain never
/// jumps: its change per frame is at most `depthDB / (attack · sampleRate)` dB.
///
/// **Look-ahead.** With ``Settings/lookahead`` > 0, the music is delayed internally by that much so that the
/// gain starts falling before the first word. As with ``TruePeakLimiter``, frame *i* of the output is
/// always frame *i* of the music: the first chunks come back shorter (by ``latencyFrames`` in all) and
/// ``flush()`` returns the rest. With the default look-ahead of 0, every call returns as many frames as
/// it was given and ``flush()`` returns nothing.
///
/// Deterministic: the result does not depend on how the streams are cut into chunks.
public struct Ducker: Sendable {
    /// How the ducker reacts; all times in seconds.
    public struct Settings: Sendable, Hashable, Codable {
        /// Speech at or above this RMS level (dBFS) counts as present.
        public var thresholdDB: Double
        /// How far the music drops while speech is present, in dB (positive).
        public var depthDB: Double
        /// Time for the gain to go from 0 dB to `−depthDB` once speech starts.
        public var attack: Double
        /// Time speech still counts as present after its level falls below the threshold (bridges the gaps
        /// between words).
        public var hold: Double
        /// Time for the gain to come back from `−depthDB` to 0 dB after speech (and the hold) ends.
        public var release: Double
        /// How far ahead the ducker listens to the speech, delaying the music by as much.
        public var lookahead: Double
        /// The time constant of the speech RMS envelope.
        public var detectorTime: Double

        public init(thresholdDB: Double = -40, depthDB: Double = 12, attack: Double = 0.03, hold: Double = 0.2,
                    release: Double = 0.4, lookahead: Double = 0, detectorTime: Double = 0.01) {
            self.thresholdDB = thresholdDB
            self.depthDB = depthDB
            self.attack = attack
            self.hold = hold
            self.release = release
            self.lookahead = lookahead
            self.detectorTime = detectorTime
        }
    }

    public let sampleRate: Int
    public let musicChannelCount: Int
    public let speechChannelCount: Int
    public let settings: Settings
    /// Frames of music held back for the look-ahead (see the type's discussion).
    public let latencyFrames: Int
    /// The music gain of the latest frame computed, in dB (0 or negative).
    public private(set) var gainDB = 0.0

    private let detectorCoefficient: Double
    private let thresholdPower: Double
    private let attackStep: Double
    private let releaseStep: Double
    private let holdFrames: Int
    private var envelope = 0.0
    private var holdRemaining = 0
    private var linearGain: Float = 1
    private var linearGainDB = 0.0
    /// Music frames received but not yet emitted (only with look-ahead).
    private var pending: [Float] = []
    private var gains: [Float] = []
    private var framesReceived = 0

    /// - Parameters:
    ///   - musicChannelCount: channels of the music chunks (what gets ducked).
    ///   - speechChannelCount: channels of the speech chunks (the sidechain).
    public init(sampleRate: Int, musicChannelCount: Int = 2, speechChannelCount: Int = 2,
                settings: Settings = Settings()) {
        precondition(sampleRate > 0 && musicChannelCount > 0 && speechChannelCount > 0,
                     "sample rate and channel counts must be positive")
        precondition(settings.depthDB >= 0 && settings.attack >= 0 && settings.release >= 0 && settings.hold >= 0
                     && settings.lookahead >= 0 && settings.detectorTime >= 0, "ducker times and depth cannot be negative")
        self.sampleRate = sampleRate
        self.musicChannelCount = musicChannelCount
        self.speechChannelCount = speechChannelCount
        self.settings = settings
        let rate = Double(sampleRate)
        latencyFrames = Int((settings.lookahead * rate).rounded())
        detectorCoefficient = settings.detectorTime > 0 ? exp(-1 / (settings.detectorTime * rate)) : 0
        thresholdPower = pow(10, settings.thresholdDB / 10)
        attackStep = settings.attack > 0 ? settings.depthDB / (settings.attack * rate) : .infinity
        releaseStep = settings.release > 0 ? settings.depthDB / (settings.release * rate) : .infinity
        holdFrames = Int((settings.hold * rate).rounded())
    }

    /// Ducks `music` under `speech` (same number of frames) and returns the music frames that are ready.
    /// - Precondition: both hold the same number of frames.
    /// - Complexity: O(n · channels); one allocation for the result.
    public mutating func process(music: [Float], speech: [Float]) -> [Float] {
        var output = [Float]()
        output.reserveCapacity(music.count)
        music.withUnsafeBufferPointer { music in
            speech.withUnsafeBufferPointer { speech in process(music: music, speech: speech, appendingTo: &output) }
        }
        return output
    }

    /// Ducks a music buffer under a speech buffer of the same length and sample rate.
    public mutating func process(music: AudioBuffer, speech: AudioBuffer) -> AudioBuffer {
        precondition(music.sampleRate == sampleRate && speech.sampleRate == sampleRate, "sample rates differ")
        precondition(music.channelCount == musicChannelCount && speech.channelCount == speechChannelCount,
                     "channel counts differ from the ducker's")
        return AudioBuffer(sampleRate: sampleRate, channelCount: musicChannelCount,
                           samples: process(music: music.samples, speech: speech.samples))
    }

    /// Ducks `music` under `speech`, appending the music frames that are ready to `output`.
    public mutating func process(music: UnsafeBufferPointer<Float>, speech: UnsafeBufferPointer<Float>,
                                 appendingTo output: inout [Float]) {
        precondition(music.count % musicChannelCount == 0 && speech.count % speechChannelCount == 0,
                     "samples must fill whole frames")
        let frames = music.count / musicChannelCount
        precondition(speech.count / speechChannelCount == frames, "music and speech chunks differ in length")
        guard frames > 0 else { return }
        computeGains(speech: speech.baseAddress!, frames: frames)
        if latencyFrames == 0 {
            emit(from: music.baseAddress!, frames: frames, into: &output)
        } else {
            pending.append(contentsOf: music)
            let ready = max(0, min(frames, framesReceived - latencyFrames))
            let skipped = frames - ready  // gains of frames before the stream's start
            emitPending(gainOffset: skipped, frames: ready, into: &output)
        }
    }

    /// Returns the music frames still held back for the look-ahead (speech after the end is taken as
    /// silence), ending the stream; the ducker is then ready for a new stream.
    public mutating func flush() -> [Float] {
        var output = [Float]()
        let received = framesReceived
        if latencyFrames > 0, received > 0 {
            // Music frame m takes the gain computed at speech frame m + latency; those past the end are silence.
            let silence = [Float](repeating: 0, count: latencyFrames * speechChannelCount)
            silence.withUnsafeBufferPointer { computeGains(speech: $0.baseAddress!, frames: latencyFrames) }
            emitPending(gainOffset: max(0, latencyFrames - received), frames: min(latencyFrames, received),
                        into: &output)
        }
        self = Ducker(sampleRate: sampleRate, musicChannelCount: musicChannelCount,
                      speechChannelCount: speechChannelCount, settings: settings)
        return output
    }

    /// Runs the detector and gain over `frames` speech frames, leaving one gain per frame in `gains`.
    private mutating func computeGains(speech: UnsafePointer<Float>, frames: Int) {
        if gains.count < frames { gains = [Float](repeating: 1, count: frames) }
        let channels = speechChannelCount
        let smoothing = detectorCoefficient, channelScale = 1 / Double(channels)
        let depth = settings.depthDB, threshold = thresholdPower, holdFrames = self.holdFrames
        let attackStep = self.attackStep, releaseStep = self.releaseStep
        var envelope = self.envelope, holdRemaining = self.holdRemaining, gainDB = self.gainDB
        var linearGain = self.linearGain, linearGainDB = self.linearGainDB
        gains.withUnsafeMutableBufferPointer { gains in
            var pointer = speech
            for frame in 0..<frames {
                var power = 0.0
                for channel in 0..<channels {
                    let sample = Double(pointer[channel])
                    power += sample * sample
                }
                pointer += channels
                envelope = power * channelScale + (envelope - power * channelScale) * smoothing
                if envelope < 1e-30 { envelope = 0 }  // no subnormal numbers in long silences
                let present: Bool
                if envelope >= threshold {
                    holdRemaining = holdFrames
                    present = true
                } else if holdRemaining > 0 {
                    holdRemaining -= 1
                    present = true
                } else {
                    present = false
                }
                gainDB = present ? max(-depth, gainDB - attackStep) : min(0, gainDB + releaseStep)
                if gainDB != linearGainDB {
                    linearGainDB = gainDB
                    linearGain = Float(pow(10, gainDB / 20))
                }
                gains[frame] = linearGain
            }
        }
        self.envelope = envelope
        self.holdRemaining = holdRemaining
        self.gainDB = gainDB
        self.linearGain = linearGain
        self.linearGainDB = linearGainDB
        framesReceived += frames
    }

    /// Multiplies `frames` music frames by `gains[0..<frames]` into `output`.
    private func emit(from music: UnsafePointer<Float>, frames: Int, into output: inout [Float]) {
        emit(from: music, frames: frames, gainOffset: 0, into: &output)
    }

    private func emit(from music: UnsafePointer<Float>, frames: Int, gainOffset: Int, into output: inout [Float]) {
        let channels = musicChannelCount, start = output.count
        output.append(contentsOf: repeatElement(0, count: frames * channels))
        output.withUnsafeMutableBufferPointer { out in
            gains.withUnsafeBufferPointer { gains in
                let destination = out.baseAddress! + start
                for frame in 0..<frames {
                    let gain = gains[gainOffset + frame]
                    for channel in 0..<channels {
                        destination[frame * channels + channel] = music[frame * channels + channel] * gain
                    }
                }
            }
        }
    }

    /// Emits the oldest `frames` held-back music frames with `gains[gainOffset...]`.
    private mutating func emitPending(gainOffset: Int, frames: Int, into output: inout [Float]) {
        guard frames > 0 else { return }
        pending.withUnsafeBufferPointer { held in
            emit(from: held.baseAddress!, frames: frames, gainOffset: gainOffset, into: &output)
        }
        pending.removeFirst(frames * musicChannelCount)
    }
}
