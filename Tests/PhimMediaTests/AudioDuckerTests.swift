import Foundation
import Testing
import PhimCore
import PhimMedia

@Suite struct DuckerTests {
    static let rate = TestSignal.rate

    /// Speech: a 1 kHz tone at −20 dBFS (stereo) from `start` to `end` seconds, silence around it.
    static func toneBurst(seconds: Double, start: Double, end: Double) -> [Float] {
        let tone = TestSignal.sine(frequency: 1000, amplitude: 0.1, seconds: seconds)
        return tone.enumerated().map { index, value in
            let t = Double(index / 2) / Double(rate)
            return t >= start && t < end ? value : 0
        }
    }

    /// Runs music and speech through a ducker in chunks whose sizes cycle through `chunkFrames`.
    static func ducked(music: [Float], speech: [Float], settings: Ducker.Settings = .init(),
                       chunkFrames: [Int] = [4_800]) -> [Float] {
        var ducker = Ducker(sampleRate: rate, settings: settings)
        var output = [Float]()
        var frame = 0, turn = 0
        let frames = music.count / 2
        while frame < frames {
            let count = min(chunkFrames[turn % chunkFrames.count], frames - frame)
            output += ducker.process(music: Array(music[(2 * frame)..<(2 * (frame + count))]),
                                     speech: Array(speech[(2 * frame)..<(2 * (frame + count))]))
            frame += count
            turn += 1
        }
        output += ducker.flush()
        return output
    }

    /// The gain (dB) the ducker applied at `seconds`, read from constant music of 0.5.
    static func gainDB(_ output: [Float], at seconds: Double) -> Double {
        20 * log10(Double(output[2 * Int((seconds * Double(rate)).rounded())]) / 0.5)
    }

    @Test func musicDropsUnderSpeechAndRecovers() {
        let seconds = 9.0
        let music = TestSignal.pinkishNoise(rms: 0.1, seconds: seconds)
        let speech = TestSignal.speechLike(peak: 0.5, seconds: seconds).enumerated().map { index, value in
            let t = Double(index / 2) / Double(Self.rate)
            return t >= 2.6 && t < 4.6 ? value : 0  // one 2 s phrase of eight syllables
        }
        let output = Self.ducked(music: music, speech: speech)
        #expect(output.count == music.count)
        func levelDB(_ samples: [Float], from start: Double, to end: Double) -> Double {
            let slice = samples[(2 * Int(start * Double(Self.rate)))..<(2 * Int(end * Double(Self.rate)))]
            return 10 * log10(slice.reduce(0) { $0 + Double($1) * Double($1) } / Double(slice.count))
        }
        let before = levelDB(output, from: 0.5, to: 1.9)
        let during = levelDB(output, from: 2.7, to: 4.6)
        let after = levelDB(output, from: 7, to: 9)
        print("ducker: music \(before) dB before, \(during) dB under speech, \(after) dB after")
        #expect(before - during >= 8)
        #expect(abs(before - during - 12) < 0.5)
        #expect(abs(levelDB(music, from: 7, to: 9) - after) < 0.01)
        #expect(Array(output[0..<(2 * Self.rate)]) == Array(music[0..<(2 * Self.rate)]))
    }

    @Test func attackHoldAndReleaseFollowTheSettings() {
        let settings = Ducker.Settings(thresholdDB: -40, depthDB: 12, attack: 0.03, hold: 0.2, release: 0.4)
        let seconds = 4.0
        let music = [Float](repeating: 0.5, count: Int(seconds) * Self.rate * 2)
        let speech = Self.toneBurst(seconds: seconds, start: 1, end: 2)
        let output = Self.ducked(music: music, speech: speech, settings: settings, chunkFrames: [1_000])
        #expect(output.count == music.count)
        // The speech envelope (power 0.005, 10 ms time constant) falls under the −40 dB threshold
        // 10 ms · ln(0.005 / 0.0001) ≈ 39 ms after the speech stops; then the hold, then the release.
        let speechGone = 2 + 0.01 * log(0.005 / 1e-4)
        let checks: [(String, Double, Double, Double)] = [
            ("before speech", 0.99, 0, 0),
            ("half-way through the attack", 1 + 0.015, -6, 0.3),
            ("end of the attack", 1 + 0.032, -12, 0.01),
            ("during speech", 1.5, -12, 1e-5),
            ("end of the hold", speechGone + 0.195, -12, 0.01),
            ("half-way through the release", speechGone + 0.2 + 0.2, -6, 0.3),
            ("after the release", speechGone + 0.2 + 0.41, 0, 0.01),
        ]
        for (moment, time, expected, tolerance) in checks {
            let measured = Self.gainDB(output, at: time)
            #expect(abs(measured - expected) <= tolerance, "\(moment) (\(time) s): \(measured) dB, expected \(expected)")
        }
        // Smooth: no frame changes the gain by more than depth / attack frames.
        var largest = 0.0
        for frame in 1..<(output.count / 2) {
            largest = max(largest, abs(20 * log10(Double(output[2 * frame]) / Double(output[2 * frame - 2]))))
        }
        #expect(largest <= 12 / (0.03 * Double(Self.rate)) + 1e-6)
    }

    @Test func lookaheadStartsTheDuckBeforeTheSpeech() {
        let settings = Ducker.Settings(attack: 0.03, lookahead: 0.03)
        let music = [Float](repeating: 0.5, count: 3 * Self.rate * 2)
        let speech = Self.toneBurst(seconds: 3, start: 1, end: 2)
        let output = Self.ducked(music: music, speech: speech, settings: settings, chunkFrames: [333, 4_801])
        #expect(output.count == music.count)
        #expect(Self.gainDB(output, at: 0.96) == 0)
        #expect(abs(Self.gainDB(output, at: 0.985) + 6) < 0.3)
        #expect(abs(Self.gainDB(output, at: 1.002) + 12) < 0.01)
        // Without speech, the output is the music itself, frame for frame.
        let quiet = [Float](repeating: 0, count: music.count)
        let wave = TestSignal.sine(frequency: 440, amplitude: 0.5, seconds: 3)
        #expect(Self.ducked(music: wave, speech: quiet, settings: settings, chunkFrames: [1_234]) == wave)
    }

    @Test(arguments: [0.0, 0.02])
    func chunkedProcessingEqualsOneShot(lookahead: Double) {
        let settings = Ducker.Settings(lookahead: lookahead)
        let music = TestSignal.pinkishNoise(rms: 0.1, seconds: 5)
        let speech = TestSignal.speechLike(peak: 0.5, seconds: 5)
        let oneShot = Self.ducked(music: music, speech: speech, settings: settings, chunkFrames: [music.count / 2])
        let chunked = Self.ducked(music: music, speech: speech, settings: settings, chunkFrames: [1, 17, 480, 3_001, 64])
        #expect(oneShot.count == music.count)
        #expect(oneShot == chunked)
    }

    @Test func monoSpeechDucksStereoMusic() {
        var ducker = Ducker(sampleRate: Self.rate, musicChannelCount: 2, speechChannelCount: 1)
        let music = AudioBuffer(samples: [Float](repeating: 0.5, count: Self.rate * 2))
        let speech = AudioBuffer(channelCount: 1, samples: TestSignal.sine(frequency: 300, amplitude: 0.3,
                                                                            seconds: 1, channels: [true]))
        let output = ducker.process(music: music, speech: speech)
        #expect(output.frameCount == music.frameCount)
        #expect(abs(Self.gainDB(output.samples, at: 0.9) + 12) < 0.01)
        #expect(ducker.gainDB == -12)
    }
}
