import Foundation
import PhimCore

/// What an export is writing, as its stages and sealers see it.
public struct ExportContext: Sendable {
    /// Where the finished MP4 will be.
    public var destination: URL
    public var video: VideoEncoderSettings
    /// Frames the export will write, when known in advance.
    public var frameCount: Int?
    /// The container tags being written.
    public var metadata: [String: String]
}

/// Composed frames, one at a time, for ``VideoExport``: a project's compositor, a generator's samples, a face
/// swap's output. The export asks for the next frame only once the previous one is encoded.
public protocol VideoFrameSource: AnyObject {
    /// The next frame (of the export's size), or `nil` at the end.
    func nextFrame() throws(PhimError) -> PixelBuffer?
    /// Hands a frame back once it is encoded, for reuse; the default drops it.
    func recycle(_ frame: inout PixelBuffer?)
}

extension VideoFrameSource {
    public func recycle(_ frame: inout PixelBuffer?) { frame = nil }
}

/// Interleaved float samples at the export's audio rate and channel count, in order.
public protocol AudioSampleSource: AnyObject {
    /// The next `frameCount` sample frames (silence once the source has ended).
    func read(frameCount: Int) throws(PhimError) -> [Float]
}

/// Where an export's sound comes from.
public enum ExportAudio {
    /// A silent MP4 with no audio stream.
    case none
    /// Samples encoded as AAC.
    case samples(any AudioSampleSource, AudioEncoderSettings)
    /// The best audio stream of a media file, copied packet for packet (no re-encoding), from its start to the
    /// video's end: a face swap keeps its target's sound exactly.
    case copy(from: URL)
}

/// What a stage does to the frames it sees.
public enum FrameStageRole: Sendable, Equatable {
    /// Changes pixels (a watermark). Transforms run first, in the order given.
    case transform
    /// Reads the frame exactly as the encoder gets it (but for the watermark, added to the luma after the colour
    /// conversion) and must not change it (a raw copy for benchmarks).
    /// Observers run after every transform.
    case observe
}

/// Work done on each composed frame before it is encoded. Every MP4 Phim writes passes its frames through the
/// export's stages, so a stage added once (provenance's watermark) reaches every command.
///
/// A stage serves one export; ``VideoExport`` calls it from one thread.
public protocol FrameStage: AnyObject, Sendable {
    var role: FrameStageRole { get }
    /// Called once before the first frame.
    func start(_ context: ExportContext) throws(PhimError)
    /// Called for each frame, in order, `index` counting from 0.
    func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError)
    /// Called after the last frame, before the MP4 is finished.
    func finish() throws(PhimError)
    /// Called once the MP4 is in place: make what the stage wrote final too.
    func commit() throws(PhimError)
    /// Called when the export fails or is cancelled before the MP4 is in place: drop whatever was started.
    func abandon()
}

extension FrameStage {
    public var role: FrameStageRole { .transform }
    public func start(_ context: ExportContext) throws(PhimError) {}
    public func finish() throws(PhimError) {}
    public func commit() throws(PhimError) {}
    public func abandon() {}
}

/// Work done on the finished MP4 (still at its temporary path) before it is moved into place. A sealer may rewrite
/// the file, but must leave it at `file`. The export's own C2PA signature always comes after every sealer, since it
/// binds every byte.
/// If a sealer throws, the export fails and nothing is left at the destination.
public protocol ExportSealer: AnyObject, Sendable {
    func seal(_ file: URL, context: ExportContext) throws(PhimError)
}

/// Frames made by a closure, for generated video (test media, samples of a model).
public final class GeneratedFrames: VideoFrameSource {
    private let count: Int
    private let make: (Int) throws(PhimError) -> PixelBuffer
    private var next = 0

    /// - Parameters:
    ///   - count: how many frames there are.
    ///   - make: the frame at an index.
    public init(count: Int, _ make: @escaping (Int) throws(PhimError) -> PixelBuffer) {
        self.count = count
        self.make = make
    }

    public func nextFrame() throws(PhimError) -> PixelBuffer? {
        guard next < count else { return nil }
        defer { next += 1 }
        return try make(next)
    }
}

/// Samples made by a closure from the index of their first sample frame.
public final class GeneratedAudio: AudioSampleSource {
    private let make: (_ first: Int, _ count: Int) throws(PhimError) -> [Float]
    private var position = 0

    /// - Parameter make: the interleaved samples of `count` sample frames starting at sample frame `first`.
    public init(_ make: @escaping (_ first: Int, _ count: Int) throws(PhimError) -> [Float]) {
        self.make = make
    }

    public func read(frameCount: Int) throws(PhimError) -> [Float] {
        defer { position += frameCount }
        return try make(position, frameCount)
    }
}

/// For `Benchmarks/render/run` and `Benchmarks/make/run` alone (the hidden `--benchmark-unsigned`): an export with
/// this stage writes no watermark and no C2PA manifest, so that the benchmarks can measure what provenance costs.
/// Nothing else can turn provenance off.
@_spi(Benchmarks)
public final class WithoutProvenanceForBenchmarks: FrameStage {
    public init() {}
    public var role: FrameStageRole { .observe }
    public func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError) {}
}
