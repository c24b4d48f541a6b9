import Foundation
import PhimCore
import PhimMedia

/// The final mix, written to a scratch file by ``AudioMixer/mixDown(progress:)`` and measured on the way.
struct MixedAudio: Sendable {
    /// Raw interleaved stereo Float32 at 48 kHz.
    let file: URL
    let frameCount: Int
    /// Loudness and peaks of the mix before normalisation.
    let measurement: LoudnessMeasurement
    /// The gain, in dB, that brings the mix to the loudness target (0 without a target).
    let gainDB: Double
}

/// Mixes every sound of a project onto the output timeline in two passes, so that the whole mix can be measured
/// before it is normalised, without holding it in memory:
/// 1. ``mixDown(progress:)`` decodes and mixes all placements block by block (music ducked under speech), writes
///    the mix to a scratch file and measures its loudness (EBU R128);
/// 2. ``MixedAudioReader`` reads it back with the normalising gain and a true-peak limiter, in whatever block
///    sizes the encoder asks for.
final class AudioMixer: Sendable {
    static let sampleRate = AudioBuffer.standardSampleRate
    static let blockFrames = 48_000

    let placements: [AudioPlacement]
    let frameCount: Int
    let loudnessTarget: Double?
    /// How far ducked tracks drop under speech.
    let duckingDepthDB: Double

    init(placements: [AudioPlacement], frameCount: Int, loudnessTarget: Double?, duckingDepthDB: Double = 12) {
        self.placements = placements
        self.frameCount = frameCount
        self.loudnessTarget = loudnessTarget
        self.duckingDepthDB = duckingDepthDB
    }

    /// Pass 1. Blocking: call it off the cooperative pool.
    /// - Throws: `PhimError` naming the placement's field when a source cannot be decoded, or `.writeFailed`.
    func mixDown(cancellation: CancellationFlag? = nil) throws(PhimError) -> MixedAudio {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("phim-mix-\(UUID().uuidString).f32")
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: file.path) else {
            throw PhimError(.writeFailed, "cannot create a scratch file for the audio mix", subject: file.path)
        }
        defer { try? handle.close() }
        var completed = false
        defer { if !completed { try? FileManager.default.removeItem(at: file) } }

        let readers = placements.sorted { $0.timelineStart < $1.timelineStart }.map(AudioSourceReader.init)
        let hasSpeech = placements.contains { if case .speech = $0.bus { true } else { false } }
        var meter = LoudnessMeter(sampleRate: Self.sampleRate, channelCount: 2)
        var ducker = Ducker(sampleRate: Self.sampleRate, settings: Ducker.Settings(depthDB: duckingDepthDB))
        var speech = [Float](), music = [Float](), ducked = [Float]()
        var blockStart = 0
        while blockStart < frameCount {
            try cancellation?.check()
            let frames = min(Self.blockFrames, frameCount - blockStart)
            speech = [Float](repeating: 0, count: frames * 2)
            music = speech
            ducked = speech
            for reader in readers {
                let placement = reader.placement
                guard placement.timelineStart < blockStart + frames, placement.timelineEnd > blockStart else { continue }
                switch placement.bus {
                case .speech:
                    try speech.withUnsafeMutableBufferPointer { (b) throws(PhimError) in try reader.mix(into: b, blockStart: blockStart, frameCount: frames) }
                case .music(let isDucked):
                    if isDucked && hasSpeech {
                        try ducked.withUnsafeMutableBufferPointer { (b) throws(PhimError) in try reader.mix(into: b, blockStart: blockStart, frameCount: frames) }
                    } else {
                        try music.withUnsafeMutableBufferPointer { (b) throws(PhimError) in try reader.mix(into: b, blockStart: blockStart, frameCount: frames) }
                    }
                }
            }
            if hasSpeech { ducked = ducker.process(music: ducked, speech: speech) }
            var mix = speech
            Gain.accumulate(music, into: &mix)
            Gain.accumulate(ducked, into: &mix)
            meter.process(mix)
            do {
                try mix.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
            } catch {
                throw PhimError(.writeFailed, "cannot write the audio mix: \(error)", subject: file.path)
            }
            blockStart += frames
        }
        let measurement = meter.measurement
        let gain = loudnessTarget.map {
            LoudnessNormalizer.gainDB(measuredLoudness: measurement.integratedLoudness, targetLoudness: $0)
        } ?? 0
        completed = true
        return MixedAudio(file: file, frameCount: frameCount, measurement: measurement, gainDB: gain)
    }
}

/// Pass 2: reads a ``MixedAudio`` back with its normalising gain and a true-peak limiter, in blocks of any size,
/// sample-aligned with the video. Deletes the scratch file when done.
///
/// The limiter's ceiling is −1.5 dBTP so that the decoded AAC, whose peaks can overshoot the PCM fed to the
/// encoder by a few tenths of a dB, still stays at or under −1 dBTP.
///
/// Not `Sendable`.
final class MixedAudioReader {
    private let mixed: MixedAudio
    private let handle: FileHandle?
    private let gain: Float
    private var limiter = TruePeakLimiter(sampleRate: AudioMixer.sampleRate, channelCount: 2, ceilingDBTP: -1.5)
    private var output: [Float] = []
    private var outputStart = 0
    private var framesRead = 0
    private var flushed = false

    init(_ mixed: MixedAudio) {
        self.mixed = mixed
        handle = FileHandle(forReadingAtPath: mixed.file.path)
        gain = Float(Gain.linear(fromDecibels: mixed.gainDB))
    }

    deinit {
        try? handle?.close()
        try? FileManager.default.removeItem(at: mixed.file)
    }

    /// The next `frameCount` frames of the final mix (silence past its end).
    func read(frameCount: Int) throws(PhimError) -> [Float] {
        while output.count - outputStart < frameCount * 2, !flushed {
            let frames = min(AudioMixer.blockFrames, mixed.frameCount - framesRead)
            if frames <= 0 {
                limiter.flush(appendingTo: &output)
                flushed = true
                break
            }
            let data: Data
            do { data = try handle?.read(upToCount: frames * 8) ?? Data() } catch {
                throw PhimError(.operationFailed, "cannot read the audio mix back: \(error)", subject: mixed.file.path)
            }
            var block = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            guard !block.isEmpty else {
                limiter.flush(appendingTo: &output)
                flushed = true
                break
            }
            framesRead += block.count / 2
            if gain != 1 { Gain.apply(gain, to: &block) }
            block.withUnsafeBufferPointer { limiter.process($0, appendingTo: &output) }
        }
        var result = [Float](repeating: 0, count: frameCount * 2)
        let available = min(frameCount * 2, output.count - outputStart)
        if available > 0 {
            for i in 0..<available { result[i] = output[outputStart + i] }
            outputStart += available
            if outputStart > 1 << 18 {
                output.removeFirst(outputStart)
                outputStart = 0
            }
        }
        return result
    }
}
