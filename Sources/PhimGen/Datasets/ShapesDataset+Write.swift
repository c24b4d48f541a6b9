import Foundation
import PhimCore
import PhimMedia
import PhimProvenance
import Synchronization

extension ShapesDataset {
    /// At most this many clips in one set.
    public static let maxCount = 1_000_000

    /// Writes clips `0..<count` as `clips/NNNNN.mp4` (H.264 at CRF `crf`, each signed and watermarked as every
    /// video Phim writes, labelled `algorithmicMedia`: drawn by an algorithm that learned nothing) and
    /// `labels.json` into a new folder at `destination` (see ``OutputFolder``), moved into place only when every
    /// clip is written.
    ///
    /// Clips are made on `threads` threads (each draws and encodes whole clips, one at a time).
    /// - Throws: `PhimError`: `.cancelled` when cancelled, or what drawing or encoding failed on; nothing is then
    ///   left at the destination.
    public func write(count: Int, to destination: URL, crf: Int = 15, threads: Int = 2,
                      progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) throws(PhimError) -> DatasetLabels {
        let started = MonotonicClock.now()
        guard (1...Self.maxCount).contains(count) else {
            throw PhimError(.invalidInput, "must be between 1 and \(Self.maxCount)", subject: .option("count"))
        }
        let folder = try OutputFolder(destination)
        try DatasetLabels.makeClipsFolder(in: folder)
        let digits = max(5, String(count - 1).count)
        @Sendable func name(_ index: Int) -> String {
            let number = String(index)
            return DatasetLabels.clipsFolder + "/" + String(repeating: "0", count: digits - number.count) + number + ".mp4"
        }
        let settings = VideoEncoderSettings(size: PixelSize(width: size, height: size), frameRate: FrameRate(Double(fps)), crf: crf,
                                            preset: "veryfast", threads: 1)
        let provenance = Provenance(sourceType: MadeFrom(algorithmicContent: true).sourceType)
        let done = Atomic<Int>(0)
        let failure = Mutex<PhimError?>(nil)
        let workers = max(1, min(threads, count))
        let temporary = folder.temporary
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let glyphs = GlyphCache()
            var index = worker
            while index < count, failure.withLock({ $0 == nil }) {
                do throws(PhimError) {
                    try cancellation?.check()
                    let clip = self.clip(index)
                    let frames = GeneratedFrames(count: frames) { (frame) throws(PhimError) in
                        try self.render(clip, frame: frame, glyphs: glyphs)
                    }
                    let export = VideoExport(video: settings, provenance: provenance, metadata: ["comment": "Phim shapes dataset"])
                    _ = try export.write(frames, frameCount: self.frames, to: temporary.appendingPathComponent(name(index)))
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
                let completed = done.add(1, ordering: .relaxed).newValue
                if let progress, completed % 8 == 0 || completed == count {
                    progress(ProgressUpdate(stage: "dataset", completed: completed, total: count, elapsed: MonotonicClock.now() - started))
                }
                index += workers
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let labels = DatasetLabels(
            kind: "shapes", size: size, frames: frames, fps: fps, seed: seed,
            classes: ShapeMotion.allCases.map(\.rawValue),
            clips: (0..<count).map { index in
                let clip = self.clip(index)
                return DatasetLabels.Entry(file: name(index), classIndex: ShapeMotion.allCases.firstIndex(of: clip.motion),
                                           shapes: clip)
            })
        try labels.finish(folder)
        return labels
    }
}

