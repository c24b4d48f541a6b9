import Foundation
import PhimCore
import PhimMedia

/// Writes WAV files for tests (16-bit PCM), so that audio inputs have exactly known content.
public enum WAVWriter {
    /// Writes `seconds` of stereo audio whose samples `sample(frameIndex, time)` gives (same in both channels).
    @discardableResult
    public static func write(to url: URL, seconds: Double, sampleRate: Int = 48_000,
                             sample: (Int, Double) -> Double) throws -> URL {
        let frames = Int(seconds * Double(sampleRate))
        var samples = [Float](repeating: 0, count: frames * 2)
        for n in 0..<frames {
            let value = Float(sample(n, Double(n) / Double(sampleRate)))
            samples[2 * n] = value
            samples[2 * n + 1] = value
        }
        try WAVFile.write(samples, sampleRate: sampleRate, channelCount: 2, to: url)
        return url
    }

    /// A sine tone.
    @discardableResult
    public static func tone(to url: URL, seconds: Double, frequency: Double, amplitude: Double) throws -> URL {
        try write(to: url, seconds: seconds) { _, t in amplitude * sin(2 * .pi * frequency * t) }
    }
}

/// Reads back what Phim wrote, for assertions.
public enum OutputInspector {
    /// Every decoded video frame (small test videos only).
    public static func frames(_ url: URL) throws -> [VideoFrame] {
        let decoder = try VideoDecoder(url: url)
        var frames: [VideoFrame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }

    /// The whole audio track as interleaved stereo at 48 kHz.
    public static func audio(_ url: URL) throws -> [Float] {
        let decoder = try AudioDecoder(url: url)
        var samples: [Float] = []
        while let chunk = try decoder.nextChunk() { samples.append(contentsOf: chunk.buffer.samples) }
        return samples
    }

    /// The amplitude of one frequency in the left channel of `samples[range]` (Goertzel), as a peak amplitude.
    public static func toneAmplitude(_ samples: [Float], frequency: Double, frames range: Range<Int>, sampleRate: Int = 48_000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var s1 = 0.0, s2 = 0.0
        let lower = max(0, range.lowerBound), upper = min(samples.count / 2, range.upperBound)
        guard upper > lower else { return 0 }
        for n in lower..<upper {
            let s0 = Double(samples[n * 2]) + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return 2 * power.squareRoot() / Double(upper - lower)
    }

    /// The RMS level in dBFS of the left channel over `range` of frames.
    public static func rmsDecibels(_ samples: [Float], frames range: Range<Int>) -> Double {
        let lower = max(0, range.lowerBound), upper = min(samples.count / 2, range.upperBound)
        guard upper > lower else { return -.infinity }
        var sum = 0.0
        for n in lower..<upper { sum += Double(samples[n * 2]) * Double(samples[n * 2]) }
        let rms = (sum / Double(upper - lower)).squareRoot()
        return rms > 0 ? 20 * log10(rms) : -.infinity
    }
}

/// The `ffmpeg` command-line tool (Debian's), for making and attacking test media.
public enum FFmpegTool {
    /// Runs `ffmpeg -nostdin -loglevel error -y` with `arguments` (inputs, options and the output) and returns its
    /// exit status.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
