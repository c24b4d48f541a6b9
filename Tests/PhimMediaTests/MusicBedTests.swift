import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimMedia

/// The generated music bed: audible, bounded, deterministic, and actually changing chords bar by bar.
@Suite struct MusicBedTests {
    @Test(arguments: MusicMood.allCases)
    func bedIsAudibleBoundedAndDeterministic(mood: MusicMood) {
        let synth = MusicBedSynthesizer(mood: mood, seed: 3)
        let samples = synth.render(duration: 3)
        #expect(samples.count == 3 * 48_000 * 2)
        let peak = samples.map { abs($0) }.max() ?? 0
        #expect(abs(peak - 0.5) < 0.01)
        let level = OutputInspector.rmsDecibels(samples, frames: 0..<144_000)
        #expect(level > -30 && level < -6, "level \(level) dBFS")
        #expect(samples == MusicBedSynthesizer(mood: mood, seed: 3).render(duration: 3))
        #expect(samples != MusicBedSynthesizer(mood: mood, seed: 4).render(duration: 3))
    }

    @Test func chordsChangeAtBarLines() {
        let synth = MusicBedSynthesizer(mood: .calm, seed: 0)
        let bar = 4 * 60 / synth.tempo
        let samples = synth.render(duration: 2 * bar)
        let scale = [0, 2, 4, 5, 7, 9, 11]
        func chordFrequencies(_ degree: Int) -> [Double] {
            (0..<3).map { step in
                let index = degree + 2 * step
                return 440 * pow(2, Double(synth.root + 12 + scale[index % 7] + 12 * (index / 7) - 69) / 12)
            }
        }
        let first = chordFrequencies(synth.progression[0]), second = chordFrequencies(synth.progression[1])
        let onlyFirst = first.filter { f in !second.contains { abs($0 - f) < 1 } }
        #expect(!onlyFirst.isEmpty)
        let barFrames = Int(bar * 48_000)
        func energy(_ frequency: Double, bar index: Int) -> Double {
            OutputInspector.toneAmplitude(samples, frequency: frequency,
                                          frames: (index * barFrames + barFrames / 4)..<(index * barFrames + barFrames * 3 / 4))
        }
        // A tone of the first chord that the second lacks is much stronger in bar one.
        for frequency in onlyFirst {
            #expect(energy(frequency, bar: 0) > 3 * energy(frequency, bar: 1), "\(frequency) Hz")
        }
    }
}
