import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimProvenance
import PhimTensor

extension GeneratorModel {
    /// At most this many clips in one `phim sample`, and this many frames a clip.
    public static let maxCount = 100_000
    public static let maxFrames = 1_024
    public static let scales = 1...16

    /// Writes `count` sampled clips into a new folder at `destination`, one MP4 each (`sample-NNNNN.mp4`, frames
    /// enlarged `scale` times), labelled `trainedAlgorithmicMedia`. Clips are made 16 at a time.
    /// - Throws: `PhimError` naming the option out of range or the file that cannot be written; nothing is left
    ///   at the destination then.
    public func writeSamples(count: Int, seed: UInt64, classIndex: Int?, frames: Int?, scale: Int, to destination: URL,
                             progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) throws(PhimError) -> [URL] {
        let started = MonotonicClock.now()
        try checkOptions(count: count, classIndex: classIndex, frames: frames, scale: scale)
        let folder = try OutputFolder(destination)
        var written: [URL] = []
        var first = 0
        while first < count {
            try cancellation?.check()
            let batch = min(16, count - first)
            // Each batch of clips from its own seed, so clip i is the same whatever --count is.
            let clips = try wrap { try sample(count: batch, seed: seed &+ UInt64(first / 16), classIndex: classIndex, frames: frames) }
            let pictures = try wrap { try SampleSheet.frames(clips) }
            for (offset, clip) in pictures.enumerated() {
                let name = String(format: "sample-%05d.mp4", first + offset)
                try Self.writeClip(clip, scale: scale, fps: sidecar.fps, to: folder.file(name))
                written.append(destination.appendingPathComponent(name))
            }
            first += batch
            progress?(ProgressUpdate(stage: "sample", completed: first, total: count, elapsed: MonotonicClock.now() - started))
        }
        try folder.commit()
        return written
    }

    /// A clip whose first frame is `image` (centre-cropped to the model's square) and whose motion comes from the
    /// seed: the image's content code from the encoder, the motion path from the GRU.
    public func animate(_ image: URL, seed: UInt64, classIndex: Int?, frames: Int?, scale: Int, to destination: URL) throws(PhimError) {
        try checkOptions(count: 1, classIndex: classIndex, frames: frames, scale: scale)
        let size = sidecar.config.size
        let source = try ImageLoader.load(image, format: .bgraPremultiplied)
        var still = PixelBuffer(size: PixelSize(width: size, height: size))
        still.draw { canvas in
            let cover = max(Double(size) / Double(source.width), Double(size) / Double(source.height))
            let width = Double(source.width) * cover, height = Double(source.height) * cover
            canvas.draw(source, in: Rect(x: (Double(size) - width) / 2, y: (Double(size) - height) / 2, width: width, height: height),
                        filter: .good)
        }
        let clip = try wrap { () throws -> [PixelBuffer] in
            var rgb = [Float](repeating: 0, count: 3 * size * size)
            still.withUnsafeBytes { bytes in
                for y in 0..<size {
                    for x in 0..<size {
                        let p = y * still.bytesPerRow + 4 * x
                        for (channel, offset) in [(0, 2), (1, 1), (2, 0)] {
                            rgb[(channel * size + y) * size + x] = Float(bytes[p + offset]) / 127.5 - 1
                        }
                    }
                }
            }
            let input = try rgb.withUnsafeBytes { try Tensor(bytes: $0, shape: [1, 3, size, size], dtype: .float32) }
            let clips = try withNoGrad { () throws -> Tensor in
                let content = try encoder(input)
                let random = Generator(seed: seed)
                let motion = try Tensor.randn([1, frames ?? sidecar.config.frames, sidecar.config.motionNoiseDimension], generator: random)
                var classes: Tensor?
                if sidecar.config.classes > 0 {
                    classes = try [Int64(classIndex ?? 0)].withUnsafeBytes { try Tensor(bytes: $0, shape: [1], dtype: .int64) }
                }
                return try generator(content: content, motionNoise: motion, classes: classes)
            }
            return try SampleSheet.frames(clips)[0]
        }
        try Self.writeClip(clip, scale: scale, fps: sidecar.fps, to: destination, parent: image)
    }

    private func checkOptions(count: Int, classIndex: Int?, frames: Int?, scale: Int) throws(PhimError) {
        guard (1...Self.maxCount).contains(count) else {
            throw PhimError(.invalidInput, "must be between 1 and \(Self.maxCount)", subject: .option("count"))
        }
        if let classIndex {
            guard sidecar.config.classes > 0 else {
                throw PhimError(.invalidInput, "this model has no classes (it was trained on an unlabelled set)", subject: .option("class"))
            }
            guard (0..<sidecar.config.classes).contains(classIndex) else {
                throw PhimError(.invalidInput, "must be 0 to \(sidecar.config.classes - 1) (\(sidecar.classes.joined(separator: ", ")))",
                                subject: .option("class"))
            }
        }
        if let frames, !(1...Self.maxFrames).contains(frames) {
            throw PhimError(.invalidInput, "must be between 1 and \(Self.maxFrames)", subject: .option("frames"))
        }
        guard Self.scales.contains(scale) else { throw PhimError(.invalidInput, "must be between 1 and 16", subject: .option("scale")) }
    }

    /// One clip as an MP4, each frame enlarged `scale` times (nearest pixel: the model's own pixels, unblurred).
    static func writeClip(_ frames: [PixelBuffer], scale: Int, fps: Int, to url: URL, parent: URL? = nil) throws(PhimError) {
        guard let first = frames.first else { return }
        let size = PixelSize(width: first.width * scale, height: first.height * scale)
        let source = GeneratedFrames(count: frames.count) { index in
            guard scale > 1 else { return frames[index] }
            var frame = PixelBuffer(size: size)
            frame.draw { canvas in
                canvas.draw(frames[index], in: Rect(x: 0, y: 0, width: Double(size.width), height: Double(size.height)), filter: .nearest)
            }
            return frame
        }
        // Every pixel is the model's (the first frame reproduces the still through it): trained algorithmic media,
        // with the still named as the model's input.
        var components: [Ingredient] = []
        if let parent {
            var still = try Ingredient.component(file: parent)
            still.relationship = .inputTo
            components.append(still)
        }
        let provenance = Provenance(sourceType: MadeFrom(trainedModels: true).sourceType, components: components)
        let export = VideoExport(video: VideoEncoderSettings(size: size, frameRate: FrameRate(Double(fps)), crf: 16, preset: "veryfast"),
                                 provenance: provenance, metadata: ["comment": "Phim video GAN"])
        _ = try export.write(source, frameCount: frames.count, to: url)
    }
}
