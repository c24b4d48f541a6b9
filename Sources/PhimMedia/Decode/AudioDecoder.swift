internal import CFFmpeg
import Foundation
import PhimCore

/// Decoded sound and where it starts.
public struct AudioChunk: Sendable {
    public var buffer: AudioBuffer
    /// Start time in seconds from the start of the file.
    public var time: Double
}

/// Decodes the audio stream of a file to interleaved float PCM at a chosen rate and channel count
/// (libswresample converts and resamples), chunk by chunk.
///
/// Not `Sendable`: one thread drives a decoder.
public final class AudioDecoder {
    public let mediaInfo: MediaInfo
    public let streamInfo: AudioStreamInfo
    public let sampleRate: Int
    public let channelCount: Int

    private let url: URL
    private let decoder: StreamDecoder
    private let timeBase: AVRational
    private let origin: Double
    private var resampler: OpaquePointer?
    private let frame: Frame
    private var flushed = false
    /// The time of the next sample handed out, once known.
    private var position: Double?
    /// Samples before this time are dropped (after a seek).
    private var discardBefore: Double?

    /// Opens the first audio stream of `url`.
    /// - Parameters:
    ///   - sampleRate: output rate (Phim mixes at 48 kHz).
    ///   - channelCount: 1 or 2 output channels.
    /// - Throws: `PhimError` naming the file when it is missing, unreadable or has no audio.
    public init(url: URL, sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2) throws(PhimError) {
        let located = try StreamDecoder.locate(AVMEDIA_TYPE_AUDIO, in: url, kind: "audio")
        let stream = located.info.audio.first { $0.index == located.streamIndex }!
        try stream.checkLimits(subject: .file(url.displayPath))
        guard (1...2).contains(channelCount), (8_000...192_000).contains(sampleRate) else {
            throw PhimError(.unsupported, "cannot decode to \(channelCount) channels at \(sampleRate) Hz", subject: .file(url.displayPath))
        }
        self.url = url
        self.mediaInfo = located.info
        self.streamInfo = stream
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.timeBase = located.timeBase
        self.origin = located.origin
        self.frame = try Frame()
        self.decoder = try StreamDecoder(url: url, located: located, threads: 1, kind: "audio")
    }

    deinit { swr_free(&resampler) }

    /// The next run of samples, or `nil` at the end of the stream.
    /// - Throws: `PhimError` `.corruptMedia` when the stream cannot be decoded.
    public func nextChunk() throws(PhimError) -> AudioChunk? {
        while true {
            guard let converted = try decodeAndConvert() else { return nil }
            var (samples, time) = converted
            if let cutoff = discardBefore {
                let frames = samples.count / channelCount
                let drop = min(frames, max(0, Int(((cutoff - time) * Double(sampleRate)).rounded())))
                if drop >= frames {
                    position = time + Double(frames) / Double(sampleRate)
                    continue
                }
                if drop > 0 { samples.removeFirst(drop * channelCount) }
                time += Double(drop) / Double(sampleRate)
                discardBefore = nil
            }
            position = time + Double(samples.count / channelCount) / Double(sampleRate)
            return AudioChunk(buffer: AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, samples: samples), time: time)
        }
    }

    /// Moves so that the next chunk starts exactly at `seconds` (to the sample).
    /// - Throws: `PhimError` if the file cannot be read again.
    public func seek(to seconds: Double) throws(PhimError) {
        try decoder.seek(to: seconds, origin: origin)
        swr_free(&resampler)
        flushed = false
        position = nil
        discardBefore = seconds
    }

    /// Reads `frameCount` frames starting at `seconds`, padding with silence past the end of the stream.
    public func read(from seconds: Double, frameCount: Int) throws(PhimError) -> AudioBuffer {
        try seek(to: seconds)
        var samples: [Float] = []
        samples.reserveCapacity(frameCount * channelCount)
        while samples.count < frameCount * channelCount, let chunk = try nextChunk() {
            samples.append(contentsOf: chunk.buffer.samples.prefix(frameCount * channelCount - samples.count))
        }
        if samples.count < frameCount * channelCount {
            samples.append(contentsOf: repeatElement(0, count: frameCount * channelCount - samples.count))
        }
        return AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, samples: samples)
    }

    /// Decodes one frame and converts it; at the end, drains the resampler.
    private func decodeAndConvert() throws(PhimError) -> (samples: [Float], time: Double)? {
        while try decoder.receive(into: frame) {
            defer { av_frame_unref(frame.pointer) }
            let f = frame.pointer.pointee
            var stamp = f.best_effort_timestamp
            if stamp == CFFmpeg_AV_NOPTS_VALUE() { stamp = f.pts }
            let frameTime = stamp != CFFmpeg_AV_NOPTS_VALUE() ? Double(stamp) * timeBase.doubleValue - origin : nil
            let samples = try convert(frame.pointer)
            guard !samples.isEmpty else { continue }
            // The resampler delays output; time the converted run from where the previous one ended.
            let delay = resampler.map { Double(swr_get_delay($0, Int64(sampleRate))) / Double(sampleRate) } ?? 0
            return (samples, position ?? max(0, (frameTime ?? 0) - delay))
        }
        guard !flushed, resampler != nil else { return nil }
        flushed = true
        let tail = try drainResampler()
        return tail.isEmpty ? nil : (tail, position ?? 0)
    }

    private func convert(_ frame: UnsafeMutablePointer<AVFrame>) throws(PhimError) -> [Float] {
        if resampler == nil {
            var inLayout = AVChannelLayout()
            if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame.pointee.ch_layout.nb_channels == 0 {
                av_channel_layout_default(&inLayout, max(1, frame.pointee.ch_layout.nb_channels))
            } else {
                av_channel_layout_copy(&inLayout, &frame.pointee.ch_layout)
            }
            defer { av_channel_layout_uninit(&inLayout) }
            var outLayout = channelCount == 1 ? CFFmpeg_mono_layout() : CFFmpeg_stereo_layout()
            let status = swr_alloc_set_opts2(&resampler, &outLayout, AV_SAMPLE_FMT_FLT, Int32(sampleRate),
                                             &inLayout, AVSampleFormat(rawValue: frame.pointee.format),
                                             frame.pointee.sample_rate, 0, nil)
            try ffmpegCheck(status, "setting up the resampler", subject: .file(url.displayPath))
            if inLayout.order != AV_CHANNEL_ORDER_NATIVE {
                // Channels with no known layout (9, 13, 32… of them): FFmpeg cannot choose a downmix, so give it one.
                var matrix = Self.downmixMatrix(inputChannels: Int(inLayout.nb_channels), outputChannels: channelCount)
                try ffmpegCheck(swr_set_matrix(resampler, &matrix, Int32(inLayout.nb_channels)), "setting up the downmix",
                                subject: .file(url.displayPath))
            }
            try ffmpegCheck(swr_init(resampler), "setting up the resampler", subject: .file(url.displayPath), code: .unsupported)
        }
        let inputFrames = Int(frame.pointee.nb_samples)
        let capacity = Int(swr_get_out_samples(resampler, Int32(inputFrames))) + 32
        var output = [Float](repeating: 0, count: capacity * channelCount)
        let produced: Int32 = output.withUnsafeMutableBufferPointer { buffer in
            var destination: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return withUnsafeMutablePointer(to: &destination) { destinationPointer in
                frame.pointee.extended_data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { source in
                    swr_convert(resampler, destinationPointer, Int32(capacity), source, Int32(inputFrames))
                }
            }
        }
        try ffmpegCheck(produced, "resampling", subject: .file(url.displayPath))
        output.removeLast(output.count - Int(produced) * channelCount)
        try checkFinite(output)
        return output
    }

    /// A downmix of `inputChannels` channels of no known layout: to mono, their mean; to stereo, the even channels'
    /// mean on the left and the odd channels' on the right (a lone channel goes to both). Row-major, output by input.
    static func downmixMatrix(inputChannels: Int, outputChannels: Int) -> [Double] {
        var matrix = [Double](repeating: 0, count: inputChannels * outputChannels)
        if outputChannels == 1 || inputChannels == 1 {
            for output in 0..<outputChannels {
                for input in 0..<inputChannels { matrix[output * inputChannels + input] = 1 / Double(inputChannels) }
            }
            return matrix
        }
        let even = (inputChannels + 1) / 2, odd = inputChannels / 2
        for input in 0..<inputChannels {
            let output = input % 2
            matrix[output * inputChannels + input] = 1 / Double(output == 0 ? even : odd)
        }
        return matrix
    }

    /// Float sources (WAV, raw) can hold NaN or infinite samples, which would poison the mix and make the encoder fail.
    private func checkFinite(_ samples: [Float]) throws(PhimError) {
        var finite = true
        for sample in samples where !sample.isFinite {
            finite = false
            break
        }
        guard finite else {
            throw PhimError(.corruptMedia, "has samples that are not numbers (NaN or infinity)", subject: .file(url.displayPath))
        }
    }

    private func drainResampler() throws(PhimError) -> [Float] {
        let capacity = Int(swr_get_out_samples(resampler, 0)) + 32
        var output = [Float](repeating: 0, count: capacity * channelCount)
        let produced: Int32 = output.withUnsafeMutableBufferPointer { buffer in
            var destination: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return swr_convert(resampler, &destination, Int32(capacity), nil, 0)
        }
        try ffmpegCheck(produced, "resampling", subject: .file(url.displayPath))
        output.removeLast(output.count - Int(produced) * channelCount)
        return output
    }
}
