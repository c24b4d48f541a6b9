import Foundation
import PhimCore
import PhimMedia

/// Deterministic test signals, interleaved Float32.
enum TestSignal {
    static let rate = 48_000

    /// A sine of `amplitude` (peak, linear) in the channels where `channels[c]` is true.
    static func sine(frequency: Double, amplitude: Double, seconds: Double, sampleRate: Int = rate,
                     channels: [Bool] = [true, true], phase: Double = 0) -> [Float] {
        let frames = Int((seconds * Double(sampleRate)).rounded())
        var samples = [Float](repeating: 0, count: frames * channels.count)
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        for frame in 0..<frames {
            let value = Float(amplitude * sin(step * Double(frame) + phase))
            for (channel, on) in channels.enumerated() where on { samples[frame * channels.count + channel] = value }
        }
        return samples
    }

    /// SplitMix64: a small, seeded, platform-independent generator.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in -1..<1.
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
    }

    /// White noise, uniform in ±amplitude, independent per channel.
    static func whiteNoise(amplitude: Double, seconds: Double, channelCount: Int = 2, seed: UInt64 = 1) -> [Float] {
        var random = Random(state: seed)
        let count = Int(seconds * Double(rate)) * channelCount
        return (0..<count).map { _ in Float(amplitude * random.uniform()) }
    }

    /// Noise with roughly −3 dB/octave slope from 40 Hz to 10 kHz: white noise through nine one-pole
    /// low-passes an octave apart, each scaled by 1/√(its corner), summed; then scaled to `rms` (linear).
    static func pinkishNoise(rms: Double, seconds: Double, channelCount: Int = 2, seed: UInt64 = 7) -> [Float] {
        var random = Random(state: seed)
        let frames = Int(seconds * Double(rate))
        let corners = (0..<9).map { 40.0 * pow(2, Double($0)) }
        let poles = corners.map { exp(-2 * Double.pi * $0 / Double(rate)) }
        let scales = corners.map { 100 / $0.squareRoot() }
        var state = [Double](repeating: 0, count: corners.count * channelCount)
        var samples = [Double](repeating: 0, count: frames * channelCount)
        var energy = 0.0
        // Unsafe pointers keep this fast in debug builds too.
        poles.withUnsafeBufferPointer { poles in
        scales.withUnsafeBufferPointer { scales in
        state.withUnsafeMutableBufferPointer { state in
        samples.withUnsafeMutableBufferPointer { samples in
            for index in 0..<(frames * channelCount) {
                let white = random.uniform()
                let slots = state.baseAddress! + (index % channelCount) * poles.count
                var sum = 0.0
                for band in 0..<poles.count {
                    slots[band] = poles[band] * (slots[band] - white) + white
                    sum += slots[band] * scales[band]
                }
                samples[index] = sum
                energy += sum * sum
            }
        }
        }
        }
        }
        let scale = rms / (energy / Double(samples.count)).squareRoot()
        return samples.map { Float($0 * scale) }
    }

    /// Speech-like: a voice with a 120–180 Hz gliding fundamental and harmonics falling 6 dB/octave,
    /// shaped into 4 Hz syllables, in phrases of 2 s separated by 0.6 s pauses. Mono copied to every channel.
    static func speechLike(peak: Double, seconds: Double, channelCount: Int = 2, seed: UInt64 = 3) -> [Float] {
        var random = Random(state: seed)
        let frames = Int(seconds * Double(rate))
        var phase = 0.0
        var mono = [Double](repeating: 0, count: frames)
        var syllableGain = 1.0
        var largest = 0.0
        mono.withUnsafeMutableBufferPointer { mono in
            for frame in 0..<frames {
                let t = Double(frame) / Double(rate)
                let fundamental = 150 + 30 * sin(2 * Double.pi * 0.7 * t)
                phase += 2 * Double.pi * fundamental / Double(rate)
                // Harmonics sin(k·phase) by the recurrence s(k) = 2·cos(phase)·s(k−1) − s(k−2).
                let twiceCos = 2 * cos(phase)
                var previous = 0.0, current = sin(phase), voice = 0.0
                for harmonic in 1...12 {
                    voice += current / Double(harmonic)
                    (previous, current) = (current, twiceCos * current - previous)
                }
                let inPhrase = t.truncatingRemainder(dividingBy: 2.6) < 2.0
                let syllable = 0.5 - 0.5 * cos(2 * Double.pi * 4 * t)
                if frame % (rate / 4) == 0 { syllableGain = 0.4 + 0.6 * abs(random.uniform()) }
                let value = inPhrase ? voice * syllable * syllableGain : 0
                mono[frame] = value
                largest = max(largest, abs(value))
            }
        }
        var samples = [Float](repeating: 0, count: frames * channelCount)
        for frame in 0..<frames {
            let value = Float(mono[frame] * peak / largest)
            for channel in 0..<channelCount { samples[frame * channelCount + channel] = value }
        }
        return samples
    }

    /// The signal with raised-cosine fades of `seconds` at both ends, so that no edge rings in the
    /// interpolation filters (an abrupt start is a wide-band transient with its own inter-sample peaks).
    static func tapered(_ samples: [Float], seconds: Double = 0.02, channelCount: Int = 2) -> [Float] {
        var copy = samples
        let frames = samples.count / channelCount, length = min(frames / 2, Int(seconds * Double(rate)))
        for frame in 0..<length {
            let gain = Float(0.5 - 0.5 * cos(Double.pi * Double(frame) / Double(length)))
            for channel in 0..<channelCount {
                copy[frame * channelCount + channel] *= gain
                copy[(frames - 1 - frame) * channelCount + channel] *= gain
            }
        }
        return copy
    }

    /// The samples of `channel` in interleaved `samples`.
    static func channel(_ channel: Int, of samples: [Float], channelCount: Int) -> [Float] {
        stride(from: channel, to: samples.count, by: channelCount).map { samples[$0] }
    }
}

/// Runs FFmpeg's `ebur128` filter (an independent BS.1770 implementation) on a WAV file.
enum FFmpegLoudness {
    static let path = "/usr/bin/ffmpeg"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    struct Result {
        /// From the summary FFmpeg prints on stderr (one decimal).
        var integrated: Double
        var truePeak: Double
        /// From the last frame's metadata (three decimals; the true peak there is linear).
        var preciseIntegrated: Double
        var preciseTruePeak: Double
        var loudnessRange: Double
    }

    static func measure(_ samples: [Float], sampleRate: Int = TestSignal.rate, channelCount: Int = 2) throws -> Result {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("phim-loudness-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try WAVFile.write(samples, sampleRate: sampleRate, channelCount: channelCount, format: .float32, to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-nostdin", "-hide_banner", "-nostats", "-i", url.path,
                             "-af", "ebur128=peak=true:metadata=1,ametadata=mode=print:file=-", "-f", "null", "-"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes fully before waiting, so that neither fills up and blocks FFmpeg.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        let errText = String(decoding: errData.get(), as: UTF8.self)
        guard let summary = errText.range(of: "Summary:") else { throw PhimError(.operationFailed, "no summary: \(errText)") }
        let tail = errText[summary.upperBound...]
        func number(after label: String, in text: Substring) -> Double? {
            guard let range = text.range(of: label) else { return nil }
            return Double(text[range.upperBound...].trimmingPrefix(while: { $0 == " " }).prefix { "-+.0123456789inf".contains($0) })
        }
        let truePeakSection = tail[(tail.range(of: "True peak:")?.upperBound ?? tail.startIndex)...]
        func lastMetadata(_ key: String) -> Double? {
            outText.split(separator: "\n").last { $0.hasPrefix(key + "=") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        guard let integrated = number(after: "I:", in: tail), let peak = number(after: "Peak:", in: truePeakSection),
              let preciseIntegrated = lastMetadata("lavfi.r128.I"), let linearPeak = lastMetadata("lavfi.r128.true_peak"),
              let range = lastMetadata("lavfi.r128.LRA")
        else { throw PhimError(.operationFailed, "cannot parse FFmpeg output: \(tail)") }
        return Result(integrated: integrated, truePeak: peak, preciseIntegrated: preciseIntegrated,
                      preciseTruePeak: 20 * log10(linearPeak), loudnessRange: range)
    }
}

/// A Data value handed from a reader thread.
final class LockedData: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}

extension Array where Element == Float {
    /// Runs a meter over the samples in chunks of `chunkFrames`.
    func measured(sampleRate: Int = TestSignal.rate, channelCount: Int = 2, chunkFrames: Int = 4_800) -> LoudnessMeter {
        var meter = LoudnessMeter(sampleRate: sampleRate, channelCount: channelCount)
        withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = Swift.min(buffer.count, start + chunkFrames * channelCount)
                meter.process(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                start = end
            }
        }
        return meter
    }
}
