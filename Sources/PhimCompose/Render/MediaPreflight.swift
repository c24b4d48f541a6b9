import Foundation
import PhimCore
import PhimSubtitles
import PhimGraphics
import PhimMedia

/// Checks every file, font and model a project names before rendering starts, so that a bad input is one clear line
/// naming its field rather than a failure halfway through a render.
enum MediaPreflight {
    /// - Parameter generatedClips: where generated layers get their frames; each generated layer is checked by it.
    /// - Returns: what each media file holds, by path, so later stages need not open the files again.
    /// - Throws: `PhimError` naming the field (`clips[2].layers[0].path`, `clips[1].layers[0].model`).
    @discardableResult
    static func check(_ project: Project, generatedClips: (any GeneratedClipSource)? = nil) throws(PhimError) -> [URL: MediaInfo] {
        var probed: [URL: MediaInfo] = [:]
        func probe(_ url: URL, field: PhimError.Subject) throws(PhimError) -> MediaInfo {
            if let known = probed[url] { return known }
            let info: MediaInfo
            do { info = try MediaProbe.probe(url) } catch { throw error.about(field) }
            probed[url] = info
            return info
        }
        for clip in project.clips {
            for layer in clip.layers {
                let path = PhimError.Subject.field(layer.fieldPath + ".path")
                switch layer.content {
                case .image(let image):
                    let info = try probe(image.path, field: path)
                    guard let video = info.primaryVideo else {
                        throw PhimError(.invalidInput, "\(image.path.lastPathComponent.quoted()) is not a picture", subject: path)
                    }
                    try video.checkSize(subject: path)
                case .video(let video):
                    let info = try probe(video.path, field: path)
                    guard let stream = info.primaryVideo, !stream.isStillImage || info.format != "image2" else {
                        throw PhimError(.invalidInput, "\(video.path.lastPathComponent.quoted()) has no video stream", subject: path)
                    }
                    try stream.checkSize(subject: path)
                    if !video.mute { try checkSound(info, field: path) }
                    if let duration = info.duration ?? stream.duration {
                        if video.cutFrom >= duration {
                            throw PhimError(.invalidInput, "cutFrom \(format(video.cutFrom)) s is past the end of \(video.path.lastPathComponent.quoted()) (\(format(duration)) s)",
                                            subject: .field(layer.fieldPath + ".cutFrom"))
                        }
                        // A tenth of a second of slack: containers round their durations.
                        if let cutTo = video.cutTo, cutTo > duration + 0.1 {
                            throw PhimError(.invalidInput, "cutTo \(format(cutTo)) s is past the end of \(video.path.lastPathComponent.quoted()) (\(format(duration)) s)",
                                            subject: .field(layer.fieldPath + ".cutTo"))
                        }
                    }
                case .title(let text), .subtitle(let text):
                    try FontCatalog.require(text.style.font, subject: .field(layer.fieldPath + ".font"))
                case .keywords(let content as any SceneTextLayer), .bullets(let content as any SceneTextLayer),
                     .chart(let content as any SceneTextLayer):
                    try FontCatalog.require(content.style.font, subject: .field(layer.fieldPath + ".font"))
                case .generated(let generated):
                    try checkModelFolder(generated, field: .field(layer.fieldPath + ".model"))
                    guard let generatedClips else { throw GeneratedLayerRenderer.noSource(fieldPath: layer.fieldPath) }
                    try generatedClips.check(generated, duration: layer.stop - layer.start, fieldPath: layer.fieldPath)
                case .color, .gradient, .backdrop, .presenter:
                    break
                }
            }
        }
        for track in project.audio {
            let path = PhimError.Subject.field(track.fieldPath + ".path")
            let info = try probe(track.path, field: path)
            guard !info.audio.isEmpty else {
                throw PhimError(.invalidInput, "\(track.path.lastPathComponent.quoted()) has no audio stream", subject: path)
            }
            try checkSound(info, field: path)
            if let duration = info.duration, track.cutFrom >= duration {
                throw PhimError(.invalidInput, "cutFrom \(format(track.cutFrom)) s is past the end of \(track.path.lastPathComponent.quoted()) (\(format(duration)) s)",
                                subject: .field(track.fieldPath + ".cutFrom"))
            }
        }
        if let subtitles = project.subtitles {
            do { _ = try SubtitleFile.load(subtitles.path) } catch { throw error.about(.field(subtitles.fieldPath + ".path")) }
            try FontCatalog.require(subtitles.style.font, subject: .field(subtitles.fieldPath + ".font"))
        }
        return probed
    }

    /// A generated layer's model folder holds the files `phim train` writes: its architecture and its weights.
    private static func checkModelFolder(_ layer: GeneratedLayer, field: PhimError.Subject) throws(PhimError) {
        let folder = layer.model.lastPathComponent
        for name in [GeneratedLayer.sidecarFileName, GeneratedLayer.weightsFileName] {
            do {
                try InputFile.check(layer.model.appendingPathComponent(name), subject: field, written: folder + "/" + name)
            } catch where error.code == .fileNotFound {
                throw PhimError(.fileNotFound, "\(folder.quoted()) has no \(name), so it is not a model folder (phim train writes \(GeneratedLayer.sidecarFileName) and \(GeneratedLayer.weightsFileName))",
                                subject: field)
            }
        }
    }

    /// The sound Phim would mix: within the channel and sample-rate limits.
    private static func checkSound(_ info: MediaInfo, field: PhimError.Subject) throws(PhimError) {
        for stream in info.audio { try stream.checkLimits(subject: field) }
    }

    private static func format(_ seconds: Double) -> String {
        String(format: "%.2f", seconds).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
