import Foundation
import PhimCore

/// Writes RIFF/WAVE files: narration, generated music and test signals that other tools (and Phim's own
/// decoders) read back. Reading goes through ``AudioDecoder`` like any other media file.
public enum WAVFile {
    /// How samples are stored.
    public enum SampleFormat: Sendable {
        /// 16-bit signed integers (WAVE_FORMAT_PCM), read by every tool; samples are clipped to ±1 and rounded.
        case int16
        /// 32-bit floats (WAVE_FORMAT_IEEE_FLOAT), lossless for Phim's float pipeline.
        case float32
    }

    /// Writes interleaved samples to `url`, through a temporary file renamed into place when complete.
    /// - Parameters:
    ///   - samples: interleaved, `channelCount` values per frame, nominally in −1...1.
    ///   - sampleRate: frames per second.
    /// - Throws: `PhimError` if the folder is missing or not writable, or the data exceeds WAV's 4 GiB limit.
    /// - Complexity: O(n) in the number of samples; the file is built in memory before it is written.
    public static func write(_ samples: [Float], sampleRate: Int, channelCount: Int, format: SampleFormat = .int16,
                             to url: URL) throws(PhimError) {
        precondition(channelCount > 0 && sampleRate > 0 && samples.count % channelCount == 0)
        let bytesPerSample = format == .int16 ? 2 : 4
        let dataBytes = samples.count * bytesPerSample
        guard dataBytes < Int(UInt32.max) - 64 else {
            throw PhimError(.limitExceeded, "is too long for a WAV file (\(dataBytes) bytes of samples)", subject: .file(url.displayPath))
        }
        var data = Data()
        data.reserveCapacity(dataBytes + 64)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let isFloat = format == .float32
        let formatChunkSize = isFloat ? 18 : 16
        let factChunkSize = isFloat ? 12 : 0
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(4 + 8 + formatChunkSize + factChunkSize + 8 + dataBytes))
        data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); append(UInt32(formatChunkSize))
        append(UInt16(isFloat ? 3 : 1)); append(UInt16(channelCount)); append(UInt32(sampleRate))
        append(UInt32(sampleRate * channelCount * bytesPerSample)); append(UInt16(channelCount * bytesPerSample))
        append(UInt16(bytesPerSample * 8))
        if isFloat {
            append(UInt16(0))
            data.append(contentsOf: Array("fact".utf8)); append(UInt32(4)); append(UInt32(samples.count / channelCount))
        }
        data.append(contentsOf: Array("data".utf8)); append(UInt32(dataBytes))
        // Little-endian hosts (x86-64, arm64) store the samples as WAV wants them: convert, then copy in one go.
        switch format {
        case .int16:
            let converted = samples.map { sample -> Int16 in
                let clipped = max(-1, min(1, sample.isFinite ? sample : 0))
                return Int16((clipped * 32767).rounded()).littleEndian
            }
            converted.withUnsafeBytes { data.append(contentsOf: $0) }
        case .float32:
            samples.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        let output = try OutputFile(url)
        do { try data.write(to: output.temporary) } catch {
            throw PhimError(.writeFailed, "cannot be written: \(error.localizedDescription)", subject: .file(url.displayPath))
        }
        try output.commit()
    }
}
