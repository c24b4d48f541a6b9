import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing
@testable import PhimCompose

/// The audio mix's scratch file: none for a silent project, and never a name on disk that a killed run could leave.
@Suite struct AudioScratchTests {
    let folder = TemporaryFolder("phim-scratch")

    func scratchNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("phim-mix-") }
    }

    /// A 24-hour project with no sound used to write 33 GB of zeros; now it writes nothing and reads back silence.
    @Test func aSilentProjectNeedsNoScratchFile() throws {
        let day = 24 * 3600 * AudioMixer.sampleRate
        let mixer = AudioMixer(placements: [], frameCount: day, loudnessTarget: -14)
        let mixed = try mixer.mixDown()
        #expect(mixed.file == nil)
        #expect(mixed.gainDB == 0)
        let reader = MixedAudioReader(mixed)
        let block = try reader.read(frameCount: 48_000)
        #expect(block.count == 96_000 && block.allSatisfy { $0 == 0 })
    }

    @Test func theScratchFileHasNoNameWhileInUse() throws {
        let tone = try WAVWriter.tone(to: folder.file("tone.wav"), seconds: 2, frequency: 440, amplitude: 0.3)
        let placement = AudioPlacement(url: tone, fieldPath: "audio[0]", sourceStart: 0, sourceEnd: nil, timelineStart: 0,
                                       timelineEnd: 96_000, speed: 1, volume: 1, fadeInFrames: 0, fadeOutFrames: 0, loop: false,
                                       bus: .music(ducked: false))
        let before = Set(scratchNames())
        let mixed = try AudioMixer(placements: [placement], frameCount: 96_000, loudnessTarget: nil).mixDown()
        #expect(mixed.file != nil)
        #expect(Set(scratchNames()) == before, "the scratch file is unlinked as soon as it is made")
        let samples = try MixedAudioReader(mixed).read(frameCount: 48_000)
        #expect(OutputInspector.toneAmplitude(samples, frequency: 440, frames: 4_800..<43_200) > 0.2)
    }
}
