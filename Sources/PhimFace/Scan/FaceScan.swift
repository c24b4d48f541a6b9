import Foundation
import PhimCore
import PhimMedia

/// The people in a picture or video: every face found in the frames looked at, grouped by identity (descriptor
/// distance), numbered from the person seen most. `phim faces` prints this and draws it as a contact sheet, and a
/// swap's `--target-face N` names one of these numbers.
public struct FaceScan: Sendable {
    /// One person.
    public struct Identity: Sendable {
        /// 1, 2, …: the person seen in most frames is 1.
        public var number: Int
        /// The mean of their faces' descriptors (not normalised).
        public var descriptor: FaceDescriptor
        /// Frames (of those looked at) in which they appear.
        public var appearances: Int
        /// Seconds into the video of their first and last appearance.
        public var firstSeen: Double
        public var lastSeen: Double
        /// Their largest face: the time, its box and landmarks, and a crop of it for the contact sheet.
        public var bestTime: Double
        public var bestFace: Face
        public var portrait: PixelBuffer
    }

    public var identities: [Identity]
    /// Frames looked at, and the frames' size.
    public var framesScanned: Int
    public var frameSize: PixelSize

    /// The identity numbered `number`.
    public func identity(_ number: Int) -> Identity? { identities.first { $0.number == number } }
}

/// Builds a ``FaceScan`` of a picture or a video.
public struct FaceScanner: Sendable {
    public var analyzer: FaceAnalyzer
    /// Seconds between the frames looked at in a video.
    public var interval: Double
    /// Descriptor distance within which two faces are the same person (tighter than dlib's 0.6, so that two
    /// similar-looking people in one video are kept apart).
    public var clusterDistance: Double
    /// The most frames looked at.
    public var maxFrames: Int
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    /// The side of a portrait on the contact sheet, in pixels.
    public static let portraitSide = 160

    public init(analyzer: FaceAnalyzer, interval: Double = 0.5, clusterDistance: Double = 0.5, maxFrames: Int = 2000,
                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) {
        self.analyzer = analyzer
        self.interval = interval
        self.clusterDistance = clusterDistance
        self.maxFrames = maxFrames
        self.progress = progress
        self.cancellation = cancellation
    }

    /// Scans the picture or video at `url`.
    /// - Throws: `PhimError` naming the file when it is missing or cannot be decoded.
    public func scan(_ url: URL) throws(PhimError) -> FaceScan {
        let subject = PhimError.Subject.file(url.displayPath)
        _ = try InputFile.check(url, subject: subject)
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
        let still = decoder.streamInfo.isStillImage
        let duration = decoder.mediaInfo.duration ?? 0
        let rate = decoder.streamInfo.frameRate.isFinite && decoder.streamInfo.frameRate > 0 ? decoder.streamInfo.frameRate : 30
        var clusters: [Cluster] = []
        var scanned = 0
        var nextTime = 0.0
        let started = MonotonicClock.now()
        while scanned < maxFrames, let frame = try decoder.nextFrame() {
            try cancellation?.check()
            guard still || frame.time + 1e-6 >= nextTime else { continue }
            nextTime = frame.time + interval
            scanned += 1
            for face in try analyzer.findFaces(in: frame.pixels) {
                guard let descriptor = face.descriptor else { continue }
                let nearest = clusters.indices.min { clusters[$0].distance(to: descriptor) < clusters[$1].distance(to: descriptor) }
                if let nearest, clusters[nearest].distance(to: descriptor) <= clusterDistance {
                    clusters[nearest].add(face, descriptor: descriptor, time: frame.time, picture: frame.pixels)
                } else {
                    clusters.append(Cluster(face, descriptor: descriptor, time: frame.time, picture: frame.pixels))
                }
            }
            if duration > 0 {
                progress?(ProgressUpdate(stage: "faces", completed: Int((min(frame.time, duration) * rate).rounded()),
                                         total: Int((duration * rate).rounded()), elapsed: MonotonicClock.now() - started))
            }
            if still { break }
        }
        guard scanned > 0 else { throw PhimError(.corruptMedia, "holds no picture", subject: subject) }
        let ordered = clusters.sorted { ($0.appearances, -$0.firstSeen) > ($1.appearances, -$1.firstSeen) }
        let identities = ordered.enumerated().map { index, cluster in
            FaceScan.Identity(number: index + 1, descriptor: cluster.mean, appearances: cluster.appearances,
                              firstSeen: cluster.firstSeen, lastSeen: cluster.lastSeen, bestTime: cluster.bestTime,
                              bestFace: cluster.best, portrait: cluster.portrait)
        }
        return FaceScan(identities: identities, framesScanned: scanned, frameSize: decoder.outputSize)
    }

    /// One person's faces so far.
    private struct Cluster {
        var sum: [Float]
        var appearances = 1
        var firstSeen: Double
        var lastSeen: Double
        var lastFrameTime: Double
        var best: Face
        var bestTime: Double
        var portrait: PixelBuffer

        init(_ face: Face, descriptor: FaceDescriptor, time: Double, picture: PixelBuffer) {
            sum = descriptor.values
            firstSeen = time
            lastSeen = time
            lastFrameTime = time
            best = face
            bestTime = time
            portrait = FaceScanner.crop(face, from: picture)
        }

        var mean: FaceDescriptor { FaceDescriptor(values: sum.map { $0 / Float(appearances) }) }

        func distance(to descriptor: FaceDescriptor) -> Double { mean.distance(to: descriptor) }

        mutating func add(_ face: Face, descriptor: FaceDescriptor, time: Double, picture: PixelBuffer) {
            for i in sum.indices { sum[i] += descriptor.values[i] }
            appearances += 1
            lastSeen = max(lastSeen, time)
            if face.box.rect.width * face.box.rect.height > best.box.rect.width * best.box.rect.height {
                best = face
                bestTime = time
                portrait = FaceScanner.crop(face, from: picture)
            }
        }
    }

    /// A square crop around `face` (its box grown by half), scaled to ``portraitSide``.
    static func crop(_ face: Face, from picture: PixelBuffer) -> PixelBuffer {
        let box = face.box.rect
        let side = max(box.width, box.height) * 1.5
        return picture.squareCrop(centre: Point(x: box.midX, y: box.midY), side: side, size: portraitSide)
    }
}

extension PixelBuffer {
    /// The square of side `side` centred on `centre`, scaled to `size` pixels a side (nearest pixel; opaque black
    /// where the square leaves the picture).
    public func squareCrop(centre: Point, side: Double, size n: Int) -> PixelBuffer {
        let left = centre.x - side / 2, top = centre.y - side / 2
        var out = PixelBuffer(size: PixelSize(width: n, height: n), format: format)
        let sourceRow = bytesPerRow, targetRow = out.bytesPerRow
        let width = self.width, height = self.height
        withUnsafeBytes { source in
            out.withUnsafeMutableBytes { target in
                for y in 0..<n {
                    let sy = Int((top + (Double(y) + 0.5) * side / Double(n)).rounded(.down))
                    for x in 0..<n {
                        let sx = Int((left + (Double(x) + 0.5) * side / Double(n)).rounded(.down))
                        let t = y * targetRow + x * 4
                        guard sx >= 0, sy >= 0, sx < width, sy < height else {
                            target[t + 3] = 255
                            continue
                        }
                        let s = sy * sourceRow + sx * 4
                        for c in 0..<4 { target[t + c] = source[s + c] }
                    }
                }
            }
        }
        return out
    }
}

extension FaceAnalyzer {
    /// Every face in `picture` (most confident first) with landmarks and descriptors, looking again at twice the size
    /// when none is found in a picture small enough for that to be cheap (up to 1,280 pixels on its longer side).
    public func findFaces(in picture: PixelBuffer, describe: Bool = true) throws(PhimError) -> [Face] {
        let found = try faces(in: picture, describe: describe)
        if !found.isEmpty || max(picture.width, picture.height) > 1280 { return found }
        return try faces(in: picture, scale: 2, describe: describe)
    }
}
