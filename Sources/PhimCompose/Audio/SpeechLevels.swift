import Foundation
import PhimCore
import PhimMedia

/// How loud the project's speech is at each output frame, as a mouth opening (0 closed ... 1 wide), for
/// presenter layers. Measured from the `speech` tracks (narration) with their placement, volume and fades.
///
/// Immutable after creation, so `Sendable`.
final class SpeechLevels: Sendable {
    /// One value per output frame.
    let openness: [Float]
    let frameDuration: Double

    /// RMS level (dBFS) at which the mouth starts to open, and the span over which it opens fully.
    static let floorDB: Float = -44
    static let spanDB: Float = 26

    init(openness: [Float], frameDuration: Double) {
        self.openness = openness
        self.frameDuration = frameDuration
    }

    func openness(atFrame index: Int) -> Double {
        openness.indices.contains(index) ? Double(openness[index]) : 0
    }

    /// Decodes the speech placements and measures them frame by frame.
    /// - Returns: nil when the project has no speech tracks.
    /// - Throws: `PhimError` naming the track when a file cannot be decoded.
    static func measure(project: Project, timeline: Timeline, media: [URL: MediaInfo]) throws(PhimError) -> SpeechLevels? {
        // Narration tracks only: a video clip's own sound does not move the presenter's mouth.
        let narrationFields = Set(project.audio.filter { $0.role == .speech }.map { $0.fieldPath + ".path" })
        let speech = AudioPlan.placements(for: project, timeline: timeline, media: media).filter {
            narrationFields.contains($0.fieldPath)
        }
        guard !speech.isEmpty else { return nil }
        let readers = speech.map(AudioSourceReader.init)
        let rate = AudioMixer.sampleRate
        let frameRate = timeline.frameRate
        var levels = [Float](repeating: 0, count: timeline.frameCount)
        var previous: Float = 0
        var block = [Float]()
        for index in 0..<timeline.frameCount {
            let first = frameRate.samples(beforeFrame: index, sampleRate: rate)
            let count = frameRate.samples(beforeFrame: index + 1, sampleRate: rate) - first
            block = [Float](repeating: 0, count: count * 2)
            for reader in readers where reader.placement.timelineEnd > first && reader.placement.timelineStart < first + count {
                try block.withUnsafeMutableBufferPointer { (buffer) throws(PhimError) in
                    try reader.mix(into: buffer, blockStart: first, frameCount: count)
                }
            }
            var sum: Float = 0
            for sample in block { sum += sample * sample }
            let rms = (sum / Float(max(1, block.count))).squareRoot()
            let db = 20 * log10(max(rms, 1e-9))
            let target = min(max((db - floorDB) / spanDB, 0), 1)
            // Opens at once, closes over a couple of frames, so syllables read as movement.
            let value = target >= previous ? target : max(target, previous * 0.55)
            levels[index] = value
            previous = value
        }
        return SpeechLevels(openness: levels, frameDuration: frameRate.seconds(ofFrame: 1))
    }
}
