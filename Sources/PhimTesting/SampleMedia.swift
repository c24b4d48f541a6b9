import Foundation
import PhimCore
import PhimMedia
import PhimProvenance

/// Sample media for tests: Debian's `opencv-doc` files (copied to `Examples/media` by `make media`) and
/// media generated on the spot with known content.
public enum SampleMedia {
    /// The package's root folder (found from this source file's location).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The folders searched for opencv-doc samples, in order.
    public static let searchFolders = [
        packageRoot.appendingPathComponent("Examples/media"),
        URL(fileURLWithPath: "/usr/share/doc/opencv-doc/examples/data"),
    ]

    /// An opencv-doc sample by name (`vtest.avi`, `messi5.jpg`).
    /// - Throws: when `make media` has not been run and the package is not installed.
    public static func url(_ name: String) throws -> URL {
        for folder in searchFolders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw PhimError(.fileNotFound, "sample missing; run 'make media' (it copies Debian's opencv-doc samples)", subject: .file(name))
    }

    /// `true` when the opencv-doc sample can be found.
    public static func isAvailable(_ name: String) -> Bool { (try? url(name)) != nil }
}

/// A scratch folder removed when the value dies.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "phim-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Names of the files in the folder.
    public var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Writes test videos whose content is known exactly.
public enum MediaGenerator {
    /// The colour shown in second `index` of a ``colorBars(to:size:fps:seconds:toneFrequency:)`` video.
    public static func barColor(_ index: Int) -> Color {
        let palette: [Color] = [
            Color(red: 1, green: 0, blue: 0), Color(red: 0, green: 1, blue: 0), Color(red: 0, green: 0, blue: 1),
            Color(red: 1, green: 1, blue: 0), Color(red: 0, green: 1, blue: 1), Color(red: 1, green: 0, blue: 1),
        ]
        return palette[index % palette.count]
    }

    /// A video that shows one flat colour per second (``barColor(_:)``) with, in the audio, a sine tone that
    /// plays only during the first half of each second (so audio/video sync can be measured).
    @discardableResult
    public static func colorBars(
        to url: URL, size: PixelSize = PixelSize(width: 320, height: 240), fps: Double = 25, seconds: Int = 3,
        toneFrequency: Double? = 440, toneAmplitude: Float = 0.5
    ) throws -> URL {
        let rate = FrameRate(fps)
        let frames = GeneratedFrames(count: rate.frameIndex(at: Double(seconds))) { index in
            var frame = PixelBuffer(size: size)
            frame.fill(barColor(Int(rate.seconds(ofFrame: index))))
            return frame
        }
        let audio: ExportAudio = toneFrequency.map { frequency in
            .samples(GeneratedAudio { first, count in
                var samples = [Float](repeating: 0, count: count * 2)
                for n in first..<first + count {
                    let t = Double(n) / 48_000
                    let on = t - t.rounded(.down) < 0.5
                    let value = on ? toneAmplitude * Float(sin(2 * Double.pi * frequency * t)) : 0
                    samples[(n - first) * 2] = value
                    samples[(n - first) * 2 + 1] = value
                }
                return samples
            }, AudioEncoderSettings())
        } ?? .none
        let export = VideoExport(video: VideoEncoderSettings(size: size, frameRate: rate, crf: 18, preset: "ultrafast"),
                                 provenance: Provenance(sourceType: .digitalCreation), audio: audio, metadata: ["comment": "Phim test media"])
        _ = try export.write(frames, to: url)
        return url
    }
}
