import Crypto
import Foundation
import PhimCore
import PhimMedia
import PhimSafetensors

/// A training set's clips, decoded once and cached as safetensors shards of raw RGB bytes, then read clip by clip
/// as training asks for them (memory holds the clips of the batches in flight, not the set).
///
/// The cache is the set's `cache/` folder (or, when the set's folder cannot be written, a folder under
/// `$XDG_CACHE_HOME/phim/clips/`): `shard-NNNNN.safetensors`, each holding up to ``shardClips`` clips as
/// `clip.N` tensors of `uint8` `[frames, size, size, 3]`, and `index.json`, written last, naming the SHA-256 of
/// the `labels.json` it was made from. A cache that does not match is made again.
///
/// `@unchecked Sendable`: reading is `pread` on file descriptors opened once, safe from any thread.
public final class ClipStore: @unchecked Sendable {
    public static let shardClips = 256
    static let format = "phim-clips-1"

    public let labels: DatasetLabels
    /// The folder of the shards.
    public let cache: URL
    /// Bytes of one clip: frames × size × size × 3.
    public let clipBytes: Int
    private let shards: [SafetensorsFile]

    public var count: Int { labels.clips.count }

    struct Index: Codable, Equatable {
        var format: String
        var labelsSHA256: String
        var count: Int
        var size: Int
        var frames: Int
        var shards: Int
    }

    /// Opens the set at `dataset` (its `labels.json` and clips), decoding the clips into the cache first unless a
    /// matching cache is there.
    /// - Throws: `PhimError` naming `labels.json` or the clip that cannot be read, is not of the set's size, or is
    ///   shorter than the set's frame count; `.cancelled` when cancelled.
    public static func open(_ dataset: URL, progress: ProgressHandler? = nil,
                            cancellation: CancellationFlag? = nil) throws(PhimError) -> ClipStore {
        let (labels, labelsData) = try DatasetLabels.read(from: dataset)
        let digest = Hex.string(SHA256.hash(data: labelsData))
        let expected = Index(format: format, labelsSHA256: digest, count: labels.clips.count, size: labels.size,
                             frames: labels.frames, shards: (labels.clips.count + shardClips - 1) / shardClips)
        let cache = cacheFolder(for: dataset, digest: digest)
        if let store = try? ClipStore(labels: labels, cache: cache, expected: expected) { return store }
        // A cache folder made here goes again if decoding fails (a clip of another size, a damaged file, Ctrl-C).
        let existed = FileManager.default.fileExists(atPath: cache.path)
        do {
            try build(labels, dataset: dataset, cache: cache, index: expected, progress: progress, cancellation: cancellation)
        } catch {
            if !existed { try? FileManager.default.removeItem(at: cache) }
            throw error
        }
        return try ClipStore(labels: labels, cache: cache, expected: expected)
    }

    private init(labels: DatasetLabels, cache: URL, expected: Index) throws(PhimError) {
        let indexURL = cache.appendingPathComponent("index.json")
        let data = try InputFile.read(indexURL, subject: .file(indexURL.displayPath), maxBytes: 1 << 20)
        guard let index = try? JSONDecoder().decode(Index.self, from: data), index == expected else {
            throw PhimError(.invalidInput, "the cache was made from another labels.json", subject: .file(indexURL.displayPath))
        }
        let clipBytes = labels.frames * labels.size * labels.size * 3
        var shards: [SafetensorsFile] = []
        for shard in 0..<index.shards {
            let file = try SafetensorsFile(path: cache.appendingPathComponent(Self.shardName(shard)).path)
            let expectedClips = min(Self.shardClips, labels.clips.count - shard * Self.shardClips)
            guard file.header.entries.count == expectedClips,
                  file.header.entries.allSatisfy({ $0.dtype == .uint8 && $0.range.count == clipBytes }) else {
                throw PhimError(.invalidInput, "the cache's shard does not hold the clips it should", subject: .file(file.path))
            }
            shards.append(file)
        }
        self.labels = labels
        self.cache = cache
        self.clipBytes = clipBytes
        self.shards = shards
    }

    static func shardName(_ shard: Int) -> String { String(format: "shard-%05d.safetensors", shard) }

    /// `dataset/cache` when the set's folder is writable, else a folder under the user's cache.
    static func cacheFolder(for dataset: URL, digest: String) -> URL {
        let local = dataset.appendingPathComponent("cache")
        if access(dataset.path, W_OK) == 0 { return local }
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("phim/clips/\(digest.prefix(16))")
    }

    /// Reads clip `index` (RGB bytes, frame by frame, row by row) into `buffer` of ``clipBytes`` bytes.
    public func read(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) throws(PhimError) {
        precondition((0..<count).contains(index), "clip \(index) of \(count)")
        let shard = shards[index / Self.shardClips]
        try shard.read(shard.header.entries[index % Self.shardClips], into: buffer)
    }

    /// Clip `index` as RGB bytes.
    public func clip(_ index: Int) throws(PhimError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: clipBytes)
        var failure: PhimError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(PhimError) { try read(index, into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Decodes every clip into shards, on two threads; `index.json` last.
    private static func build(_ labels: DatasetLabels, dataset: URL, cache: URL, index: Index, progress: ProgressHandler?,
                              cancellation: CancellationFlag?) throws(PhimError) {
        let started = MonotonicClock.now()
        do {
            try? FileManager.default.removeItem(at: cache.appendingPathComponent("index.json"))
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        } catch {
            throw PhimError(.writeFailed, "cannot create the clip cache: \(error.localizedDescription)", subject: .file(cache.displayPath))
        }
        let clipBytes = labels.frames * labels.size * labels.size * 3
        for shard in 0..<index.shards {
            let range = shard * shardClips..<min(labels.clips.count, (shard + 1) * shardClips)
            var bytes = [[UInt8]](repeating: [], count: range.count)
            var firstError: PhimError?
            // Two decoders at a time (clips are small: a thread per clip costs more than it gains).
            let halves = [Array(range.filter { $0 % 2 == 0 }), Array(range.filter { $0 % 2 == 1 })]
            let results = halves.map { _ in ResultBox() }
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                for clip in halves[half] {
                    do throws(PhimError) {
                        try cancellation?.check()
                        results[half].values.append((clip, try decode(labels, clip: clip, dataset: dataset)))
                    } catch {
                        results[half].error = error
                        return
                    }
                }
            }
            for result in results {
                if let error = result.error, firstError == nil { firstError = error }
                for (clip, value) in result.values { bytes[clip - range.lowerBound] = value }
            }
            if let firstError { throw firstError }
            let items = bytes.enumerated().map { offset, clip in
                SafetensorsWriter.Item(name: "clip.\(range.lowerBound + offset)", dtype: .uint8,
                                       shape: [labels.frames, labels.size, labels.size, 3]) { sink in
                    try clip.withUnsafeBytes { try sink($0) }
                }
            }
            precondition(bytes.allSatisfy { $0.count == clipBytes })
            try SafetensorsWriter.write(items, metadata: ["format": format], to: cache.appendingPathComponent(shardName(shard)).path)
            progress?(ProgressUpdate(stage: "decode", completed: range.upperBound, total: labels.clips.count,
                                     elapsed: MonotonicClock.now() - started))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile.write((try? encoder.encode(index)) ?? Data(), to: cache.appendingPathComponent("index.json"))
    }

    /// The first `frames` frames of clip `clip` as RGB bytes.
    static func decode(_ labels: DatasetLabels, clip: Int, dataset: URL) throws(PhimError) -> [UInt8] {
        let entry = labels.clips[clip]
        let url = dataset.appendingPathComponent(entry.file)
        let subject = PhimError.Subject.file(url.displayPath)
        let decoder = try VideoDecoder(url: url, options: VideoDecoderOptions(pixelFormat: .rgba, threads: 1))
        guard decoder.outputSize == PixelSize(width: labels.size, height: labels.size) else {
            throw PhimError(.invalidInput, "is \(decoder.outputSize.width)×\(decoder.outputSize.height); the set's clips are "
                            + "\(labels.size)×\(labels.size) (labels.json: size)", subject: subject)
        }
        let side = labels.size
        var bytes = [UInt8](repeating: 0, count: labels.frames * side * side * 3)
        var frames = 0
        while frames < labels.frames, let frame = try decoder.nextFrame() {
            frame.pixels.withUnsafeBytes { source in
                bytes.withUnsafeMutableBytes { target in
                    for y in 0..<side {
                        let row = y * frame.pixels.bytesPerRow, out = ((frames * side) + y) * side * 3
                        for x in 0..<side {
                            target[out + 3 * x] = source[row + 4 * x]
                            target[out + 3 * x + 1] = source[row + 4 * x + 1]
                            target[out + 3 * x + 2] = source[row + 4 * x + 2]
                        }
                    }
                }
            }
            frames += 1
        }
        guard frames == labels.frames else {
            throw PhimError(.invalidInput, "has \(frames) frames; the set's clips have \(labels.frames) (labels.json: frames)",
                            subject: subject)
        }
        return bytes
    }
}

/// What one decoding thread made.
private final class ResultBox: @unchecked Sendable {
    var values: [(Int, [UInt8])] = []
    var error: PhimError?
}
