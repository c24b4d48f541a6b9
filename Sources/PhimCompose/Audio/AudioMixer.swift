import Foundation
import PhimCore
import PhimMedia

#if canImport(Glibc)
import Glibc
#endif

/// An anonymous scratch file: created in the temporary folder and unlinked at once, so that nothing is left behind
/// however the process ends (a crash or SIGKILL included); the space is freed when the descriptor closes.
///
/// `@unchecked Sendable`: written by the mixer thread, then read by the encoder thread, never both at once.
final class ScratchFile: @unchecked Sendable {
    let descriptor: Int32

    /// - Parameter bytes: how much will be written, checked against the free space first.
    /// - Throws: `PhimError` `.writeFailed` when the file cannot be made or the folder lacks the space.
    init(bytes: Int) throws(PhimError) {
        let folder = FileManager.default.temporaryDirectory.path
        var space = statvfs()
        if statvfs(folder, &space) == 0 {
            let free = Int(space.f_bavail) &* Int(space.f_frsize)
            let margin = 64 << 20
            guard free >= bytes + margin else {
                throw PhimError(.writeFailed, String(format: "the audio mix needs %.1f GB of scratch space and the folder has %.1f GB free; set TMPDIR to a folder with more room",
                                                     Double(bytes) / 1e9, Double(free) / 1e9), subject: .file(folder))
            }
        }
        let path = folder + "/phim-mix-\(UUID().uuidString).f32"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PhimError(.writeFailed, "cannot create a scratch file for the audio mix: \(String(cString: strerror(errno)))", subject: .file(folder))
        }
        unlink(path)
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(PhimError) {
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw PhimError(.writeFailed, "cannot write the audio mix: \(String(cString: strerror(errno)))",
                                subject: .file(FileManager.default.temporaryDirectory.path))
            }
            done += count
        }
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; returns how many were read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(PhimError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw PhimError(.operationFailed, "cannot read the audio mix back: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            done += count
        }
        return done
    }
}

/// The final mix, written to a scratch file by ``AudioMixer/mixDown(cancellation:)`` and measured on the way.
struct MixedAudio: Sendable {
    /// Raw interleaved stereo Float32 at 48 kHz; nil when the project has no sound at all (silence).
    let file: ScratchFile?
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
        guard !placements.isEmpty else {
            // Nothing to mix: silence, without a scratch file.
            return MixedAudio(file: nil, frameCount: frameCount, measurement: LoudnessMeter(sampleRate: Self.sampleRate, channelCount: 2).measurement,
                              gainDB: 0)
        }
        let file = try ScratchFile(bytes: frameCount * 2 * MemoryLayout<Float>.size)

        let readers = placements.sorted { $0.timelineStart < $1.timelineStart }.map(AudioSourceReader.init)
        let hasSpeech = placements.contains { if case .speech = $0.bus { true } else { false } }
        var meter = LoudnessMeter(sampleRate: Self.sampleRate, channelCount: 2)
        var ducker = Ducker(sampleRate: Self.sampleRate, settings: Ducker.Settings(depthDB: duckingDepthDB))
        var speech = [Float](), music = [Float](), ducked = [Float]()
        var blockStart = 0
        var nextReader = 0
        var active: [AudioSourceReader] = []
        while blockStart < frameCount {
            try cancellation?.check()
            let frames = min(Self.blockFrames, frameCount - blockStart)
            speech = [Float](repeating: 0, count: frames * 2)
            music = speech
            ducked = speech
            // Readers join when their placement starts and leave when it ends: each block touches only the sounds it
            // holds, however many the project has.
            while nextReader < readers.count, readers[nextReader].placement.timelineStart < blockStart + frames {
                active.append(readers[nextReader])
                nextReader += 1
            }
            for reader in active {
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
            active.removeAll { $0.placement.timelineEnd <= blockStart + frames }
            if hasSpeech { ducked = ducker.process(music: ducked, speech: speech) }
            var mix = speech
            Gain.accumulate(music, into: &mix)
            Gain.accumulate(ducked, into: &mix)
            meter.process(mix)
            let offset = blockStart * 8
            try mix.withUnsafeBytes { bytes in Result { () throws(PhimError) in try file.write(bytes, at: offset) } }.get()
            blockStart += frames
        }
        let measurement = meter.measurement
        let gain = loudnessTarget.map {
            LoudnessNormalizer.gainDB(measuredLoudness: measurement.integratedLoudness, targetLoudness: $0)
        } ?? 0
        return MixedAudio(file: file, frameCount: frameCount, measurement: measurement, gainDB: gain)
    }
}

/// Pass 2: reads a ``MixedAudio`` back with its normalising gain and a true-peak limiter, in blocks of any size,
/// sample-aligned with the video.
///
/// The limiter's ceiling is −1.5 dBTP so that the decoded AAC, whose peaks can overshoot the PCM fed to the
/// encoder by a few tenths of a dB, still stays at or under −1 dBTP.
///
/// Not `Sendable`.
final class MixedAudioReader: AudioSampleSource {
    private let mixed: MixedAudio
    private let gain: Float
    private var limiter = TruePeakLimiter(sampleRate: AudioMixer.sampleRate, channelCount: 2, ceilingDBTP: -1.5)
    private var output: [Float] = []
    private var outputStart = 0
    private var framesRead = 0
    private var flushed = false

    init(_ mixed: MixedAudio) {
        self.mixed = mixed
        gain = Float(Gain.linear(fromDecibels: mixed.gainDB))
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
            guard let file = mixed.file else {
                // A silent project: zeros, without the limiter's work.
                output.append(contentsOf: repeatElement(0, count: frames * 2))
                framesRead += frames
                continue
            }
            var block = [Float](repeating: 0, count: frames * 2)
            let offset = framesRead * 8
            let bytesRead = try block.withUnsafeMutableBytes { bytes in
                Result { () throws(PhimError) in try file.read(into: bytes, at: offset) }
            }.get()
            block.removeLast(block.count - bytesRead / 4)
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
