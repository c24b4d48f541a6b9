import Foundation
import PhimCore
import PhimMedia

/// One sound placed on the output timeline: an audio track, or the sound of a video layer.
struct AudioPlacement: Sendable {
    enum Bus: Sendable {
        /// Narration and clips' own sound: what ducked tracks duck under.
        case speech
        /// Music and effects; `ducked` tracks drop under speech.
        case music(ducked: Bool)
    }

    var url: URL
    /// The project field to name in errors (`audio[0].path`).
    var fieldPath: String
    /// Where in the source to start, seconds.
    var sourceStart: Double
    /// Where in the source to stop, seconds (`nil`: the end of the file).
    var sourceEnd: Double?
    /// The output sample frames the sound covers, `[start, end)`.
    var timelineStart: Int
    var timelineEnd: Int
    /// Source seconds per output second (clips retimed to their duration); pitch is kept.
    var speed: Double
    var volume: Float
    /// Fades at the placement's ends, in sample frames.
    var fadeInFrames: Int
    var fadeOutFrames: Int
    /// Start again from `sourceStart` when the source runs out.
    var loop: Bool
    var bus: Bus
}

/// Produces a placement's samples on the output timeline, block by block: decoding, looping, retiming, gain
/// and fades. Opens its decoder only when first asked.
///
/// Not `Sendable`.
final class AudioSourceReader {
    let placement: AudioPlacement
    private var decoder: AudioDecoder?
    private var tempo: AudioFilterGraph?
    private var pending: [Float] = []
    private var pendingStart = 0
    private var sourceEnded = false
    /// Output frames produced so far (relative to `timelineStart`).
    private var produced = 0
    /// Source frames consumed since the last (re)start, to stop at `sourceEnd`.
    private var sourceFramesRead = 0
    private let sampleRate = AudioBuffer.standardSampleRate
    /// A looped region's samples, recorded on its first pass while it is short enough to keep, then replayed from
    /// memory: a loop of a few milliseconds costs no seek per repetition.
    private var loopRecording: [Float]?
    private var loopCache: [Float]?
    /// The longest looped region kept in memory, in sample frames (60 s: 23 MB of stereo floats).
    static let maxCachedLoopFrames = 60 * AudioBuffer.standardSampleRate

    init(_ placement: AudioPlacement) {
        self.placement = placement
        if placement.loop { loopRecording = [] }
    }

    /// Adds this source's samples for output frames `[blockStart, blockStart + frameCount)` into `mix`
    /// (interleaved stereo).
    func mix(into mix: UnsafeMutableBufferPointer<Float>, blockStart: Int, frameCount: Int) throws(PhimError) {
        let from = max(blockStart, placement.timelineStart)
        let to = min(blockStart + frameCount, placement.timelineEnd)
        guard to > from else { return }
        // Catch up if the mixer skipped ahead (it never does today; kept exact for safety).
        if produced < from - placement.timelineStart { _ = try take(from - placement.timelineStart - produced) }
        let samples = try take(to - from)
        let total = placement.timelineEnd - placement.timelineStart
        let firstLocal = from - placement.timelineStart
        for frame in 0..<(to - from) {
            let local = firstLocal + frame
            var gain = placement.volume
            if placement.fadeInFrames > 0, local < placement.fadeInFrames {
                gain *= Float(local) / Float(placement.fadeInFrames)
            }
            let untilEnd = total - local
            if placement.fadeOutFrames > 0, untilEnd <= placement.fadeOutFrames {
                gain *= Float(max(0, untilEnd - 1)) / Float(placement.fadeOutFrames)
            }
            let out = (from - blockStart + frame) * 2
            mix[out] += samples[frame * 2] * gain
            mix[out + 1] += samples[frame * 2 + 1] * gain
        }
        if to >= placement.timelineEnd { close() }
    }

    /// The next `frameCount` output frames (silence past the end of a source that does not loop).
    private func take(_ frameCount: Int) throws(PhimError) -> [Float] {
        while pending.count - pendingStart < frameCount * 2, !sourceEnded {
            try decodeMore()
        }
        var out = [Float](repeating: 0, count: frameCount * 2)
        let available = min(frameCount * 2, pending.count - pendingStart)
        if available > 0 {
            out.withUnsafeMutableBufferPointer { destination in
                pending.withUnsafeBufferPointer { source in
                    destination.baseAddress!.update(from: source.baseAddress! + pendingStart, count: available)
                }
            }
            pendingStart += available
            if pendingStart > 1 << 16 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
        }
        produced += frameCount
        return out
    }

    private func decodeMore() throws(PhimError) {
        if decoder == nil {
            do {
                let decoder = try AudioDecoder(url: placement.url)
                try decoder.seek(to: placement.sourceStart)
                self.decoder = decoder
                if abs(placement.speed - 1) > 1e-6 { tempo = try AudioFilterGraph.tempo(placement.speed) }
            } catch {
                throw error.about(.field(placement.fieldPath))
            }
        }
        if let loopCache {
            // Replay the region from memory, at least a block's worth at a time.
            var appended = 0
            repeat {
                append(loopCache)
                appended += loopCache.count
            } while appended < 8192
            return
        }
        guard let decoder else { return }
        let limit = placement.sourceEnd.map { Int((($0 - placement.sourceStart) * Double(sampleRate)).rounded()) }
        var chunk: [Float]?
        do {
            if let limit, sourceFramesRead >= limit {
                chunk = nil
            } else if var samples = try decoder.nextChunk()?.buffer.samples {
                if let limit, sourceFramesRead + samples.count / 2 > limit {
                    samples.removeLast(samples.count - (limit - sourceFramesRead) * 2)
                }
                sourceFramesRead += samples.count / 2
                chunk = samples
            }
        } catch {
            throw error.about(.field(placement.fieldPath))
        }
        if let chunk {
            append(try tempo?.process(chunk) ?? chunk)
            return
        }
        // The source (or its cut) ran out.
        if let tempo { append(try tempo.flush()) }
        if placement.loop, sourceFramesRead > 0, let recording = loopRecording, !recording.isEmpty {
            loopCache = recording
            loopRecording = nil
            self.decoder = nil
            tempo = nil
        } else if placement.loop, sourceFramesRead > 0 {
            do { try decoder.seek(to: placement.sourceStart) } catch { throw error.about(.field(placement.fieldPath)) }
            sourceFramesRead = 0
            if abs(placement.speed - 1) > 1e-6 { tempo = try AudioFilterGraph.tempo(placement.speed) }
        } else {
            sourceEnded = true
        }
    }

    private func append(_ samples: [Float]) {
        if pendingStart > 0 && pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
        pending.append(contentsOf: samples)
        if loopRecording != nil {
            loopRecording!.append(contentsOf: samples)
            if loopRecording!.count > Self.maxCachedLoopFrames * 2 { loopRecording = nil }
        }
    }

    /// Frees the decoder once the placement is over.
    func close() {
        decoder = nil
        tempo = nil
        loopRecording = nil
        loopCache = nil
        pending = []
        pendingStart = 0
    }
}
