import ArgumentParser
import Foundation
import PhimCore
import PhimMedia

/// `phim probe FILE [--json]`: what a media file holds.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Describe a media file: container, duration, streams.")

    @Argument(help: "The media file.") var file: String
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        let info = try MediaProbe.probe(URL(fileURLWithPath: file))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(info), as: UTF8.self))
            return
        }
        print(Self.summary(info))
    }

    static func summary(_ info: MediaInfo) -> String {
        var lines = ["\(info.path)", "  format:   \(info.format)"]
        if let duration = info.duration { lines.append("  duration: \(String(format: "%.3f", duration)) s") }
        if let bitRate = info.bitRate { lines.append("  bit rate: \(bitRate / 1000) kb/s") }
        for video in info.video {
            var line = "  video #\(video.index): \(video.codec) \(video.width)x\(video.height) \(video.pixelFormat)"
            line += video.isStillImage ? " (still)" : String(format: " %.3f fps", video.frameRate)
            if video.variableFrameRate { line += " (variable)" }
            if video.rotation != 0 { line += " rotated \(video.rotation)°" }
            if let frames = video.frameCount { line += ", \(frames) frames" }
            lines.append(line)
        }
        for audio in info.audio {
            lines.append("  audio #\(audio.index): \(audio.codec) \(audio.sampleRate) Hz \(audio.channelLayout) (\(audio.channels) ch)")
        }
        for (key, value) in info.tags.sorted(by: { $0.key < $1.key }) { lines.append("  \(key): \(value)") }
        return lines.joined(separator: "\n")
    }
}
