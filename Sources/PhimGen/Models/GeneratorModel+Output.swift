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

    /// Writes `count` latent interpolation videos into a new folder at `destination` (`interpolation-NNNNN.mp4`):
    /// each passes through `keyframes` random content codes, `frames` frames (the model's clip length by default)
    /// from one to the next along the great circle between them (spherical interpolation: the path stays where
    /// Gaussian codes lie), while the motion path runs on the whole time. A conditional model keeps one class a video
    /// (`classIndex`, or the classes in turn).
    public func writeInterpolations(count: Int, keyframes: Int, seed: UInt64, classIndex: Int?, frames: Int?, scale: Int,
                                    to destination: URL, progress: ProgressHandler? = nil,
                                    cancellation: CancellationFlag? = nil) throws(PhimError) -> [URL] {
        let started = MonotonicClock.now()
        try checkOptions(count: count, classIndex: classIndex, frames: frames, scale: scale)
        guard Self.keyframeCounts.contains(keyframes) else {
            throw PhimError(.invalidInput, "must be between 2 and \(Self.keyframeCounts.upperBound)", subject: .option("interpolate"))
        }
        let segment = frames ?? sidecar.config.frames
        let length = (keyframes - 1) * segment + 1
        guard length <= Self.maxFrames else {
            throw PhimError(.invalidInput, "\(keyframes) keyframes of \(segment) frames make \(length) frames, more than \(Self.maxFrames)",
                            subject: .option("interpolate"))
        }
        let folder = try OutputFolder(destination)
        var written: [URL] = []
        for index in 0..<count {
            try cancellation?.check()
            let clip = try wrap { () throws -> [PixelBuffer] in
                let random = Generator(seed: seed &+ UInt64(index))
                let dimension = sidecar.config.contentDimension
                let keys = try Tensor.randn([keyframes, dimension], generator: random).to(.float64).contiguous().toArray(Double.self)
                var path: [Float] = []
                path.reserveCapacity(length * dimension)
                for t in 0..<length {
                    let part = min(t / segment, keyframes - 2)
                    let u = Double(t - part * segment) / Double(segment)
                    path += Self.slerp(Array(keys[part * dimension..<(part + 1) * dimension]),
                                       Array(keys[(part + 1) * dimension..<(part + 2) * dimension]), u).map(Float.init)
                }
                let content = try path.withUnsafeBytes { try Tensor(bytes: $0, shape: [1, length, dimension], dtype: .float32) }
                let motion = try Tensor.randn([1, length, sidecar.config.motionNoiseDimension], generator: random)
                var classes: Tensor?
                if sidecar.config.classes > 0 {
                    let value = Int64(classIndex ?? (index % sidecar.config.classes))
                    classes = try [value].withUnsafeBytes { try Tensor(bytes: $0, shape: [1], dtype: .int64) }
                }
                let clips = try withNoGrad { () throws -> Tensor in try generator(content: content, motionNoise: motion, classes: classes) }
                return try SampleSheet.frames(clips)[0]
            }
            let name = String(format: "interpolation-%05d.mp4", index)
            try Self.writeClip(clip, scale: scale, fps: sidecar.fps, to: folder.file(name))
            written.append(destination.appendingPathComponent(name))
            progress?(ProgressUpdate(stage: "sample", completed: index + 1, total: count, elapsed: MonotonicClock.now() - started))
        }
        try folder.commit()
        return written
    }

    public static let keyframeCounts = 2...64

    /// Spherical interpolation from `a` (u = 0) to `b` (u = 1); linear when they are (nearly) parallel.
    static func slerp(_ a: [Double], _ b: [Double], _ u: Double) -> [Double] {
        let normA = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), normB = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let cosine = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / max(normA * normB, 1e-12)
        let omega = acos(min(max(cosine, -1), 1))
        guard sin(omega) > 1e-6 else { return zip(a, b).map { $0 * (1 - u) + $1 * u } }
        let wa = sin((1 - u) * omega) / sin(omega), wb = sin(u * omega) / sin(omega)
        return zip(a, b).map { wa * $0 + wb * $1 }
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
