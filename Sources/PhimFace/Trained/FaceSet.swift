import Foundation
import PhimCore
import PhimMedia
import PhimNN
import PhimTensor

/// The aligned faces of one person (``FaceAlignment``), cut from photos and videos: what a trained swap learns that
/// person's face from. Each face is `size × size` RGB plus its hull as a fourth channel, 8 bits each, row by row.
public struct FaceSet: Sendable {
    public var size: Int
    /// `count * size * size * 4` bytes: R, G, B, hull mask.
    public var pixels: [UInt8]
    /// The person's descriptor: the mean over the files' people.
    public var descriptor: FaceDescriptor
    /// The files the faces came from, by name.
    public var files: [String]

    public var count: Int { pixels.count / max(1, size * size * 4) }

    public init(size: Int, pixels: [UInt8], descriptor: FaceDescriptor, files: [String]) {
        self.size = size
        self.pixels = pixels
        self.descriptor = descriptor
        self.files = files
    }

    /// The faces as a float tensor `[count, 4, size, size]` in 0…1.
    public func tensor() throws(TensorError) -> Tensor {
        try raw().permute([0, 3, 1, 2]).to(.float32).div(255).contiguous()
    }

    /// The faces as they are stored: uint8 `[count, size, size, 4]`.
    public func raw() throws(TensorError) -> Tensor {
        var result: Result<Tensor, TensorError> = .failure(TensorError(.invalidArgument, "no faces"))
        pixels.withUnsafeBytes { bytes in
            do throws(TensorError) { result = .success(try Tensor(bytes: bytes, shape: [count, size, size, 4], dtype: .uint8)) } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// Writes the set as safetensors (`faces`: uint8 `[count, size, size, 4]`; the descriptor and files in the metadata).
    public func write(to url: URL) throws(PhimError) {
        let faces: Tensor
        do throws(TensorError) {
            faces = try raw()
        } catch {
            throw PhimError(.operationFailed, "cannot hold the faces: \(error.message)", subject: .file(url), underlying: error)
        }
        try Safetensors.write([("faces", faces)], metadata: [
            "phim.format": Self.format,
            "phim.descriptor": descriptor.values.map { String($0) }.joined(separator: ","),
            "phim.files": files.joined(separator: "\n"),
        ], to: url.path)
    }

    public static let format = "face-set-1"

    /// Reads a set written by ``write(to:)``.
    public static func read(_ url: URL) throws(PhimError) -> FaceSet {
        let (tensors, metadata) = try Safetensors.read(path: url.path)
        guard metadata["phim.format"] == format, let faces = tensors.first(where: { $0.0 == "faces" })?.1, faces.rank == 4,
              faces.dtype == .uint8, faces.shape[1] == faces.shape[2], faces.shape[3] == 4,
              let values = metadata["phim.descriptor"]?.split(separator: ",").compactMap({ Float($0) }),
              values.count == FaceDescriptor.dimensions else {
            throw PhimError(.unreadableFile, "not a Phim face set (\(format))", subject: .file(url))
        }
        let pixels: [UInt8]
        do { pixels = try faces.toArray() } catch {
            throw PhimError(.unreadableFile, "cannot read its faces: \(error.message)", subject: .file(url), underlying: error)
        }
        return FaceSet(size: faces.shape[1], pixels: pixels, descriptor: FaceDescriptor(values: values),
                       files: (metadata["phim.files"] ?? "").split(separator: "\n").map(String.init))
    }
}

/// Cuts aligned faces out of photos and videos (``FaceSet``): a photo's only face, or every frame's face of one person
/// of a video (followed as a swap follows it), evenly thinned to at most ``maxFaces``.
public struct FaceSetExtractor: Sendable {
    public var analyzer: FaceAnalyzer
    public var size: Int
    public var maxFaces: Int
    public var detectEvery: Int
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    public init(analyzer: FaceAnalyzer, size: Int, maxFaces: Int = 2_000, detectEvery: Int = 6, progress: ProgressHandler? = nil,
                cancellation: CancellationFlag? = nil) {
        self.analyzer = analyzer
        self.size = size
        self.maxFaces = maxFaces
        self.detectEvery = detectEvery
        self.progress = progress
        self.cancellation = cancellation
    }

    /// The faces of person `person` (or each file's only person) in `files`, which must all show the same person.
    /// - Parameter option: the option that names the files (`source`), in errors.
    /// - Throws: `PhimError` naming the file at fault: missing or corrupt, no face, several people and no choice, a
    ///   face too small, or another person than the first file's.
    public func extract(_ files: [URL], person: Int?, option: String) throws(PhimError) -> FaceSet {
        guard !files.isEmpty else { throw PhimError(.invalidInput, "give at least one photo or video", subject: .option(option)) }
        var perFile: [(url: URL, descriptor: FaceDescriptor, faces: [[UInt8]])] = []
        for url in files {
            let subject = PhimError.Subject.file(url)
            _ = try InputFile.check(url, subject: subject)
            let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .bgraPremultiplied))
            if decoder.streamInfo.isStillImage {
                guard let frame = try decoder.nextFrame() else { throw PhimError(.corruptMedia, "holds no picture", subject: subject) }
                if let person, person != 1 {
                    throw PhimError(.invalidInput, "the photo has one face to choose; person \(person) is not in it", subject: subject)
                }
                let face = try ConsentFace.onlyFace(in: frame.pixels, analyzer: analyzer, subject: subject, written: url.lastPathComponent,
                                                    frontal: false)
                let descriptor = try analyzer.encoder.descriptor(of: face.landmarks, in: frame.pixels, jitters: 4)
                perFile.append((url, descriptor, [cut(face.landmarks, in: frame.pixels)]))
            } else {
                let followed = try FollowedPerson.follow(url, person: person, option: "\(option)-face", analyzer: analyzer,
                                                         detectEvery: detectEvery, frontal: false, progress: progress,
                                                         cancellation: cancellation, subject: subject)
                let picked = Self.thin(followed.track.found.indices.filter { followed.track.found[$0] != nil },
                                       to: max(1, maxFaces / files.count))
                var faces: [[UInt8]] = []
                let frames = try RetimedFrames(url: url, plan: followed.plan)
                var index = 0, next = picked.makeIterator(), wanted = next.next()
                let started = MonotonicClock.now()
                while let wantedIndex = wanted, let frame = try frames.nextFrame() {
                    try cancellation?.check()
                    if index == wantedIndex, let landmarks = followed.track.found[index] {
                        faces.append(cut(landmarks, in: frame))
                        wanted = next.next()
                        progress?(ProgressUpdate(stage: "extract", completed: faces.count, total: picked.count,
                                                 elapsed: MonotonicClock.now() - started))
                    }
                    index += 1
                }
                perFile.append((url, followed.identity.descriptor, faces))
            }
            if let first = perFile.first, let last = perFile.last, last.descriptor.distance(to: first.descriptor) > FaceDescriptor.samePersonDistance {
                throw PhimError(.invalidInput, String(format: "shows another person than %@ (descriptor distance %.2f); give one person's files to --%@",
                                                      first.url.lastPathComponent.quoted(), last.descriptor.distance(to: first.descriptor), option),
                                subject: subject)
            }
        }
        var mean = [Float](repeating: 0, count: FaceDescriptor.dimensions)
        for entry in perFile { for k in mean.indices { mean[k] += entry.descriptor.values[k] / Float(perFile.count) } }
        return FaceSet(size: size, pixels: perFile.flatMap { $0.faces.joined() }, descriptor: FaceDescriptor(values: mean),
                       files: perFile.map(\.url.lastPathComponent))
    }

    /// One aligned face: RGB and hull, interleaved.
    func cut(_ landmarks: FaceLandmarks, in picture: PixelBuffer) -> [UInt8] {
        let alignment = FaceAlignment(landmarks: landmarks, size: size)
        let rgb = alignment.crop(picture), mask = alignment.hullMask(landmarks)
        var out = [UInt8](repeating: 0, count: size * size * 4)
        for k in 0..<(size * size) {
            out[4 * k] = rgb[3 * k]
            out[4 * k + 1] = rgb[3 * k + 1]
            out[4 * k + 2] = rgb[3 * k + 2]
            out[4 * k + 3] = mask[k]
        }
        return out
    }

    /// At most `limit` of `indices`, evenly spaced.
    static func thin(_ indices: [Int], to limit: Int) -> [Int] {
        guard indices.count > limit else { return indices }
        return (0..<limit).map { indices[$0 * indices.count / limit] }
    }
}
