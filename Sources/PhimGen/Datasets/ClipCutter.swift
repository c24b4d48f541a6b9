import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimProvenance

/// Cuts the user's own videos into training clips: every video is sampled at ``fps`` (frame rate normalised: the
/// frame on screen at each tick), each picture centre-cropped (or letterboxed) to a ``size``-pixel square, and the
/// run of pictures cut into clips of ``frames`` frames. A scene cut (a jump in the picture between two ticks) ends
/// the clip being gathered: no clip spans one.
///
/// Memory: one clip's frames. Time: linear in the videos' length (every frame is decoded).
public struct ClipCutter: Sendable {
    public enum Fit: String, CaseIterable, Sendable {
        /// Fill the square, cutting off the long side's ends.
        case crop
        /// Show the whole picture, with black bars.
        case letterbox
    }

    public var size: Int
    public var frames: Int
    public var fps: Int
    public var fit: Fit
    /// Mean absolute difference (0…1) between two ticks' 16×16 grey thumbnails above which they are taken to be
    /// different shots.
    public var sceneCutThreshold: Double

    public init(size: Int = 64, frames: Int = 16, fps: Int = 8, fit: Fit = .crop, sceneCutThreshold: Double = 0.1) {
        self.size = size
        self.frames = frames
        self.fps = fps
        self.fit = fit
        self.sceneCutThreshold = sceneCutThreshold
    }

    /// What cutting found.
    public struct Report: Sendable {
        public var labels: DatasetLabels
        /// Scene cuts met (each dropped the clip being gathered).
        public var sceneCuts: Int
    }

    /// Cuts `videos` into a new folder at `destination` (`clips/NNNNN.mp4` and `labels.json`; see ``OutputFolder``),
    /// moved into place only when every video is cut.
    /// - Throws: `PhimError` naming the video that cannot be read, or `.invalidInput` when no clip at all could be
    ///   cut (every video shorter than a clip); `.cancelled` when cancelled. Nothing is then left at the destination.
    public func write(_ videos: [URL], to destination: URL, crf: Int = 15, progress: ProgressHandler? = nil,
                      cancellation: CancellationFlag? = nil) throws(PhimError) -> Report {
        let started = MonotonicClock.now()
        let folder = try OutputFolder(destination)
        try DatasetLabels.makeClipsFolder(in: folder)
        // Every input is opened first, so that a bad one fails before any work.
        var durations: [Double] = []
        for video in videos {
            let info = try MediaProbe.probe(video)
            guard let stream = info.video.first else {
                throw PhimError(.invalidInput, "has no video stream", subject: .file(video.displayPath))
            }
            durations.append(stream.duration ?? info.duration ?? 0)
        }
        let totalTicks = durations.reduce(0) { $0 + Int($1 * Double(fps)) }
        let settings = VideoEncoderSettings(size: PixelSize(width: size, height: size), frameRate: FrameRate(Double(fps)), crf: crf,
                                            preset: "veryfast", threads: 1)
        var entries: [DatasetLabels.Entry] = []
        var sceneCuts = 0
        var ticksDone = 0
        for (videoIndex, video) in videos.enumerated() {
            var source = try Ingredient.component(file: video)
            source.title = video.lastPathComponent
            let provenance = Provenance(sourceType: MadeFrom(userMedia: true).sourceType, components: [source])
            let decoder = try VideoDecoder(url: video, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied,
                                                                                    outputSize: scaledSize(of: video)))
            let cursor = VideoFrameCursor(decoder: decoder)
            var gathered: [PixelBuffer] = []
            var gatheredStart = 0.0
            var previous: [Float]?
            let ticks = Int((durations[videoIndex] * Double(fps)).rounded(.down))
            for tick in 0..<ticks {
                try cancellation?.check()
                let time = Double(tick) / Double(fps)
                guard let frame = try cursor.frame(at: time) else { break }
                // A container that claims more than the stream holds: stop at the last frame.
                if let end = cursor.lastFrameTime, time > end + 0.5 { break }
                let square = try squared(frame.pixels)
                let thumbnail = Self.thumbnail(square)
                if let previous, Self.difference(previous, thumbnail) > sceneCutThreshold {
                    sceneCuts += 1
                    gathered.removeAll()
                }
                previous = thumbnail
                if gathered.isEmpty { gatheredStart = time }
                gathered.append(square)
                if gathered.count == frames {
                    let name = DatasetLabels.clipsFolder + "/" + String(format: "%05d.mp4", entries.count)
                    let clip = gathered
                    let export = VideoExport(video: settings, provenance: provenance, metadata: ["comment": "Phim training clip"])
                    _ = try export.write(GeneratedFrames(count: clip.count) { clip[$0] }, frameCount: clip.count,
                                         to: folder.file(name))
                    entries.append(DatasetLabels.Entry(file: name, source: video.path, start: (gatheredStart * 1000).rounded() / 1000))
                    gathered.removeAll()
                }
                ticksDone += 1
                if let progress, ticksDone % 16 == 0 {
                    progress(ProgressUpdate(stage: "cut", completed: min(ticksDone, totalTicks), total: totalTicks,
                                            elapsed: MonotonicClock.now() - started))
                }
            }
        }
        guard !entries.isEmpty else {
            throw PhimError(.invalidInput, "no clip of \(frames) frames at \(fps) fps could be cut: every video is shorter than "
                            + String(format: "%.2f s", Double(frames) / Double(fps)) + " between scene cuts",
                            subject: .file(videos.first?.displayPath ?? ""))
        }
        let labels = DatasetLabels(kind: "cut", size: size, frames: frames, fps: fps, classes: [], clips: entries)
        try labels.finish(folder)
        return Report(labels: labels, sceneCuts: sceneCuts)
    }

    /// The decoded size: the short side `size` (crop) or the long side `size` (letterbox), the aspect kept.
    private func scaledSize(of video: URL) throws(PhimError) -> PixelSize {
        let info = try MediaProbe.probe(video)
        guard let stream = info.video.first else { throw PhimError(.invalidInput, "has no video stream", subject: .file(video.displayPath)) }
        let display = stream.displaySize
        let shorter = Double(min(display.width, display.height)), longer = Double(max(display.width, display.height))
        let scale = Double(size) / (fit == .crop ? shorter : longer)
        return PixelSize(width: max(1, Int((Double(display.width) * scale).rounded())),
                         height: max(1, Int((Double(display.height) * scale).rounded())))
    }

    /// The `size`-pixel square of a decoded picture: its centre, or the whole picture on black.
    private func squared(_ pixels: PixelBuffer) throws(PhimError) -> PixelBuffer {
        var square = PixelBuffer(size: PixelSize(width: size, height: size))
        let side = Double(size)
        square.draw { canvas in
            canvas.fill(.color(.black), blend: .source)
            let rect = Rect(x: (side - Double(pixels.width)) / 2, y: (side - Double(pixels.height)) / 2,
                            width: Double(pixels.width), height: Double(pixels.height))
            canvas.draw(pixels, in: rect, filter: .nearest)
        }
        return square
    }

    /// A 16×16 grey thumbnail (0…1) of a square picture, by box averaging.
    static func thumbnail(_ pixels: PixelBuffer) -> [Float] {
        let n = 16
        var sums = [Float](repeating: 0, count: n * n), counts = [Float](repeating: 0, count: n * n)
        pixels.withUnsafeBytes { bytes in
            for y in 0..<pixels.height {
                let row = y * pixels.bytesPerRow, ty = y * n / pixels.height
                for x in 0..<pixels.width {
                    let p = row + 4 * x
                    let grey = 0.114 * Float(bytes[p]) + 0.587 * Float(bytes[p + 1]) + 0.299 * Float(bytes[p + 2])
                    let cell = ty * n + x * n / pixels.width
                    sums[cell] += grey / 255
                    counts[cell] += 1
                }
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
    }

    static func difference(_ a: [Float], _ b: [Float]) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) }) / Double(a.count)
    }
}
