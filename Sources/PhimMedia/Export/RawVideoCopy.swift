import Foundation
import PhimCore

/// An observing stage that also writes every frame, exactly as the encoder gets it, as raw I420 (`yuv420p`) to a
/// file: benchmarks time `ffmpeg` encoding that file to find the floor an encoder sets.
///
/// The file is written beside its destination and renamed when the export finishes, like the MP4.
/// `@unchecked Sendable`: one export's thread uses it.
public final class RawVideoCopy: FrameStage, @unchecked Sendable {
    public let destination: URL
    private var output: OutputFile?
    private var handle: FileHandle?
    private var planes: [UInt8] = []

    public init(to destination: URL) {
        self.destination = destination
    }

    public var role: FrameStageRole { .observe }

    public func start(_ context: ExportContext) throws(PhimError) {
        let output = try OutputFile(destination)
        guard FileManager.default.createFile(atPath: output.temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: output.temporary.path) else {
            throw PhimError(.writeFailed, "cannot create the raw video copy", subject: .file(destination.displayPath))
        }
        self.output = output
        self.handle = handle
        let size = context.video.size
        planes = [UInt8](repeating: 0, count: size.area + 2 * (size.width / 2) * (size.height / 2))
    }

    public func process(_ frame: inout PixelBuffer, index: Int) throws(PhimError) {
        guard let handle else { return }
        let width = frame.size.width, height = frame.size.height
        let lumaCount = width * height, chromaCount = (width / 2) * (height / 2)
        let converted = planes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            return convertToI420(frame, y: base, yStride: Int32(width), u: base + lumaCount, uStride: Int32(width / 2),
                                 v: base + lumaCount + chromaCount, vStride: Int32(width / 2))
        }
        guard converted else { throw PhimError(.operationFailed, "colour conversion failed", subject: .file(destination.displayPath)) }
        do { try handle.write(contentsOf: planes) } catch {
            throw PhimError(.writeFailed, "cannot write the raw video copy: \(error.localizedDescription)",
                            subject: .file(destination.displayPath))
        }
    }

    public func finish() throws(PhimError) {
        try? handle?.close()
        handle = nil
    }

    public func commit() throws(PhimError) {
        try output?.commit()
        output = nil
    }

    public func abandon() {
        try? handle?.close()
        handle = nil
        output?.discard()
        output = nil
    }
}
