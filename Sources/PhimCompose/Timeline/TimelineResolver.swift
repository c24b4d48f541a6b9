import PhimCore

/// Places a project's clips and transitions on exact frames.
///
/// Clip i starts at Σ_{j<i}(d_j − t_j) seconds (d: durations, t: outgoing transitions, the last clip's ignored).
/// Every boundary is rounded to the nearest frame from those exact cumulative seconds, never by adding up
/// rounded per-clip lengths, so the total is round((Σd − Σt) × fps) however many clips there are. A transition
/// whose overlap rounds to no frames becomes a cut.
public enum TimelineResolver {
    /// Resolves `project`'s clips onto frames at its frame rate.
    ///
    /// - Throws: `PhimError` (`.invalidInput`, subject `clips[i].duration`) if a clip would get no frame at all.
    /// - Complexity: O(n) in the number of clips.
    public static func resolve(_ project: Project) throws(PhimError) -> Timeline {
        let rate = project.frameRate
        var resolved: [ResolvedClip] = []
        resolved.reserveCapacity(project.clips.count)
        var start = 0.0
        for (index, clip) in project.clips.enumerated() {
            let startFrame = rate.frameIndex(at: start)
            let endFrame = rate.frameIndex(at: start + clip.duration)
            guard endFrame > startFrame else {
                throw PhimError(
                    .invalidInput,
                    "\(formatNumber(clip.duration)) s is shorter than one frame at \(formatNumber(rate.framesPerSecond)) fps",
                    subject: .field(clip.fieldPath.isEmpty ? "clips[\(index)].duration" : clip.fieldPath + ".duration"))
            }
            resolved.append(ResolvedClip(index: index, startFrame: startFrame, endFrame: endFrame, startTime: start,
                                         duration: clip.duration))
            let isLast = index == project.clips.count - 1
            start += clip.duration - (isLast ? 0 : clip.transition?.duration ?? 0)
        }
        for index in resolved.indices.dropLast() {
            guard let spec = project.clips[index].transition else { continue }
            let overlapStart = resolved[index + 1].startFrame, overlapEnd = resolved[index].endFrame
            guard overlapEnd > overlapStart else { continue }
            let transition = ResolvedTransition(kind: spec.kind, easing: spec.easing, fromClip: index,
                                                startFrame: overlapStart, frameCount: overlapEnd - overlapStart,
                                                nominalDuration: spec.duration)
            resolved[index].transitionOut = transition
            resolved[index + 1].transitionIn = transition
        }
        let frameCount = resolved.last.map(\.endFrame) ?? 0
        return Timeline(frameRate: rate, frameCount: frameCount, clips: resolved)
    }
}
