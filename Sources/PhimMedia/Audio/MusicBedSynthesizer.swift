import Foundation
import PhimCore

/// The character of a generated music bed.
public enum MusicMood: String, Sendable, CaseIterable {
    /// Slow pads and a sparse arpeggio (explainers).
    case calm
    /// Bright major chords, a busy arpeggio, soft kick and hats (ads).
    case upbeat
    /// A mid-tempo pulse that stays out of the way (tutorials).
    case steady
    /// Minor-key pads and a gentle pluck (stories).
    case warm
}

/// Synthesises a background music bed: a four-chord progression played by detuned pads, a bass and an
/// arpeggiated pluck (and light drums for upbeat beds), looping seamlessly for any duration. Deterministic for a
/// given mood and seed.
public struct MusicBedSynthesizer: Sendable {
    public let mood: MusicMood
    public let seed: Int
    public let sampleRate: Int

    /// Beats per minute, chosen by mood.
    public var tempo: Double {
        switch mood {
        case .calm: 84
        case .upbeat: 112
        case .steady: 96
        case .warm: 76
        }
    }

    /// The progression as scale degrees (0-based) of the key, one chord per bar.
    var progression: [Int] {
        let options: [[Int]] = switch mood {
        case .calm: [[0, 5, 3, 4], [0, 3, 5, 4]]
        case .upbeat: [[0, 4, 5, 3], [0, 5, 3, 4]]
        case .steady: [[0, 3, 0, 4], [5, 3, 0, 4]]
        case .warm: [[0, 5, 2, 6], [0, 3, 6, 2]]
        }
        return options[Int(seed.magnitude % UInt(options.count))]
    }

    var isMinor: Bool { mood == .warm }

    /// The key's root as a MIDI note (A2 to E3), by seed.
    var root: Int { 45 + Int((seed.magnitude / 2) % 8) }

    public init(mood: MusicMood, seed: Int = 0, sampleRate: Int = AudioBuffer.standardSampleRate) {
        self.mood = mood
        self.seed = seed
        self.sampleRate = sampleRate
    }

    /// Seconds of one pass through the chord progression.
    public var cycleSeconds: Double { Double(progression.count) * 4 * 60 / tempo }

    /// A bed that loops seamlessly: whole passes through the progression covering `seconds` (at most `longest`),
    /// the end cross-faded into the start over 0.1 s. Play it looped for longer videos; memory stays bounded.
    /// - Returns: interleaved stereo samples; their length is a whole number of progression cycles.
    public func loop(covering seconds: Double, longest: Double = 60) -> [Float] {
        let cycles = max(1, Int((min(max(seconds, 0), longest) / cycleSeconds).rounded(.up)))
        let length = Int((Double(cycles) * cycleSeconds * Double(sampleRate)).rounded())
        let fade = sampleRate / 10
        var samples = render(duration: Double(length + fade) / Double(sampleRate))
        // What follows the loop's end naturally is blended into its start, so the wrap is continuous.
        for index in 0..<fade {
            let gain = Float(index) / Float(fade)
            for channel in 0..<2 {
                let head = 2 * index + channel, tail = 2 * (length + index) + channel
                samples[head] = samples[head] * gain + samples[tail] * (1 - gain)
            }
        }
        samples.removeLast(samples.count - 2 * length)
        return samples
    }

    /// `duration` seconds of interleaved stereo samples, peaking at about −6 dBFS.
    /// - Complexity: O(duration × sample rate); about a hundred times faster than real time in release builds.
    public func render(duration: Double) -> [Float] {
        let frames = max(0, Int((duration * Double(sampleRate)).rounded()))
        var output = [Float](repeating: 0, count: frames * 2)
        guard frames > 0 else { return output }
        let rate = Double(sampleRate)
        let beat = 60 / tempo
        let bar = 4 * beat
        let scale = isMinor ? [0, 2, 3, 5, 7, 8, 10] : [0, 2, 4, 5, 7, 9, 11]
        func chord(_ degree: Int) -> [Int] {
            (0..<3).map { step in
                let index = degree + 2 * step
                return root + 12 + scale[index % 7] + 12 * (index / 7)
            }
        }
        func frequency(_ midi: Int) -> Double { 440 * pow(2, Double(midi - 69) / 12) }
        let padCutoff = mood == .upbeat ? 2_400.0 : 1_500.0
        let lowpass = 1 - exp(-2 * .pi * padCutoff / rate)
        let drums = mood == .upbeat
        let arpDivision = mood == .upbeat ? 4.0 : 2.0  // arpeggio notes per beat

        // Per-bar tables, so the sample loop does no pow() or table lookups.
        struct BarVoices {
            var padFrequencies: [Double]     // 3 notes × 3 detuned voices
            var bassFrequency: Double
            var arpFrequencies: [Double]     // by step within the bar
        }
        let detunes = [-0.12, 0.0, 0.12].map { pow(2, $0 / 12) }
        let pans = [0.2, 0.5, 0.8]
        let step = beat / arpDivision
        let stepsPerBar = Int((bar / step).rounded())
        let bars: [BarVoices] = progression.map { degree in
            let notes = chord(degree)
            return BarVoices(
                padFrequencies: notes.flatMap { note in detunes.map { frequency(note) * $0 } },
                bassFrequency: frequency(notes[0] - 24),
                arpFrequencies: (0..<stepsPerBar).map { index in
                    frequency(notes[index % notes.count] + 12 + (index / notes.count % 2) * 12)
                })
        }
        let halfBar = bar / 2
        // Two halves on two threads (the oscillators are functions of time; the pad filter is warmed up on the
        // 20 ms before each half, so the halves join without a click).
        let chunks = frames >= sampleRate * 4 ? 2 : 1
        let chunkFrames = (frames + chunks - 1) / chunks
        let warmUp = sampleRate / 50
        output.withUnsafeMutableBufferPointer { whole in
            let base = UncheckedPointer(whole.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * chunkFrames
                let end = min(frames, start + chunkFrames)
                guard end > start else { return }
                let buffer = UnsafeMutableBufferPointer(start: base.pointer + 2 * start, count: 2 * (end - start))
                let first = max(0, start - warmUp)
                var random = SplitMix64(seed: seed &+ chunk, salt: 0x6d75_7369_63)
                var pad = [0.0, 0.0]   // one-pole low-pass state per channel
                for n in first..<end {
                    let t = Double(n) / rate
                    let barIndex = Int(t / bar)
                    let inBar = t - Double(barIndex) * bar
                    let voices = bars[barIndex % bars.count]
                    // Pads: three detuned triangle-ish voices per note, crossfaded at bar lines.
                    let attack = min(1, inBar / 0.35), release = min(1, (bar - inBar) / 0.25)
                    let padEnvelope = (0.5 + 0.5 * min(attack, release)) * 0.05
                    var left = 0.0, right = 0.0
                    for voice in 0..<9 {
                        let raw = t * voices.padFrequencies[voice] + Double(voice / 3) * 0.13
                        let phase = raw - raw.rounded(.down)
                        let sample = (0.75 * (4 * abs(phase - 0.5) - 1) + 0.25 * (2 * phase - 1)) * padEnvelope
                        let pan = pans[voice % 3]
                        left += sample * (1 - pan)
                        right += sample * pan
                    }
                    pad[0] += lowpass * (left - pad[0])
                    pad[1] += lowpass * (right - pad[1])
                    var l = pad[0], r = pad[1]

                    // Bass: the chord's root two octaves down, plucked on beats 1 and 3.
                    let sinceBass = inBar.truncatingRemainder(dividingBy: halfBar)
                    let bass = sin(2 * .pi * voices.bassFrequency * t) * exp(-sinceBass * 2.2) * 0.16
                    l += bass
                    r += bass

                    // Arpeggio: chord tones going up, a sine with one harmonic and a quick decay, panned side to side.
                    let stepIndex = min(Int(inBar / step), stepsPerBar - 1)
                    let sinceStep = inBar - Double(stepIndex) * step
                    let arpFrequency = voices.arpFrequencies[stepIndex]
                    let angle = 2 * .pi * arpFrequency * t
                    let pluck = (sin(angle) + 0.3 * sin(2 * angle)) * exp(-sinceStep * 9) * 0.05
                    let arpPan = stepIndex % 2 == 0 ? 0.35 : 0.65
                    l += pluck * (1 - arpPan)
                    r += pluck * arpPan

                    if drums {
                        // A soft kick on every beat and a closed hat between.
                        let sinceBeat = inBar.truncatingRemainder(dividingBy: beat)
                        let kickFrequency = 50 + 90 * exp(-sinceBeat * 30)
                        let kick = sin(2 * .pi * kickFrequency * sinceBeat) * exp(-sinceBeat * 14) * 0.22
                        let sinceHat = (inBar + beat / 2).truncatingRemainder(dividingBy: beat)
                        let noise = Double(Int64(bitPattern: random.next() >> 1) % 2_000_000) / 1_000_000 - 1
                        let hat = noise * exp(-sinceHat * 60) * 0.03
                        l += kick + hat * 0.8
                        r += kick + hat * 1.2
                    }
                    if n >= start {
                        buffer[2 * (n - start)] = Float(l)
                        buffer[2 * (n - start) + 1] = Float(r)
                    }
                }
            }
        }
        // Peak at −6 dBFS; the render's mixer sets the loudness.
        var peak: Float = 0
        for sample in output { peak = max(peak, abs(sample)) }
        if peak > 0 {
            let gain = 0.5 / peak
            for index in output.indices { output[index] *= gain }
        }
        return output
    }
}

/// A buffer's base address handed to worker closures that write disjoint ranges of it.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
