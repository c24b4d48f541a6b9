import Foundation
import PhimCore
import PhimMedia

/// Where each sound of a project goes on the output timeline.
enum AudioPlan {
    /// Clips' own sound fades over transitions; at cuts a 5 ms ramp avoids clicks.
    static let declickSeconds = 0.005

    /// - Parameter media: what each file holds (``MediaPreflight/check(_:)``); files not in it are probed here.
    static func placements(for project: Project, timeline: Timeline, media: [URL: MediaInfo] = [:]) -> [AudioPlacement] {
        func info(_ url: URL) -> MediaInfo? { media[url] ?? (try? MediaProbe.probe(url)) }
        let rate = AudioMixer.sampleRate
        let frameRate = timeline.frameRate
        let end = frameRate.samples(beforeFrame: timeline.frameCount, sampleRate: rate)
        func sample(_ seconds: Double) -> Int { Int((seconds * Double(rate)).rounded()) }
        var placements: [AudioPlacement] = []

        for resolved in timeline.clips {
            let clip = project.clips[resolved.index]
            for layer in clip.layers {
                guard case .video(let video) = layer.content, !video.mute, video.volume > 0,
                      info(video.path)?.audio.isEmpty == false else { continue }
                let clipStart = frameRate.samples(beforeFrame: resolved.startFrame, sampleRate: rate)
                let clipEnd = frameRate.samples(beforeFrame: resolved.endFrame, sampleRate: rate)
                let start = clipStart + sample(layer.start)
                let stop = min(clipEnd, clipStart + sample(layer.stop))
                guard stop > start else { continue }
                let span = layer.stop - layer.start
                let speed = video.sourceDuration.map { $0 / max(span, 1e-9) } ?? 1
                let fadeIn = layer.start <= 0 ? (resolved.transitionIn.map { $0.nominalDuration } ?? declickSeconds) : declickSeconds
                let fadeOut = layer.stop >= clip.duration ? (resolved.transitionOut.map { $0.nominalDuration } ?? declickSeconds) : declickSeconds
                placements.append(AudioPlacement(
                    url: video.path, fieldPath: layer.fieldPath + ".path", sourceStart: video.cutFrom, sourceEnd: video.cutTo,
                    timelineStart: start, timelineEnd: stop, speed: speed, volume: Float(video.volume),
                    fadeInFrames: sample(fadeIn), fadeOutFrames: sample(fadeOut), loop: false, bus: .speech))
            }
        }

        for track in project.audio {
            let start = sample(track.start)
            guard start < end, track.volume > 0 else { continue }
            let fileDuration = info(track.path)?.duration
            var stop = end
            if !track.loop, let available = (track.cutTo ?? fileDuration).map({ $0 - track.cutFrom }) {
                stop = min(end, start + sample(max(0, available)))
            }
            guard stop > start else { continue }
            placements.append(AudioPlacement(
                url: track.path, fieldPath: track.fieldPath + ".path", sourceStart: track.cutFrom, sourceEnd: track.cutTo,
                timelineStart: start, timelineEnd: stop, speed: 1, volume: Float(track.volume),
                fadeInFrames: sample(max(track.fadeIn, declickSeconds)), fadeOutFrames: sample(max(track.fadeOut, declickSeconds)),
                loop: track.loop, bus: track.role == .speech ? .speech : .music(ducked: track.duck)))
        }
        return placements
    }
}
