import Foundation
import PhimCore
import PhimSubtitles
import PhimGraphics

/// Produces the output frames in order: the one or two clips on screen, the transition between them, and the
/// project's subtitle file on top. Prepares each clip on a worker thread while the one before it plays.
///
/// `@unchecked Sendable`: created on one thread and then used only by the compose thread.
final class FrameComposer: @unchecked Sendable {
    let project: Project
    let timeline: Timeline
    let frameSize: PixelSize
    let scale: Double
    /// How many frames before a clip starts its preparation begins.
    let preparationLead: Int
    private var ready: [Int: ClipRenderer] = [:]
    private var preparing: [Int: OneShot<Result<ClipRenderer, PhimError>>] = [:]
    private let subtitles: SubtitleOverlay?
    /// The narration's loudness per frame, for presenter layers.
    let speechLevels: SpeechLevels?
    /// Where generated layers get their frames.
    let generatedClips: (any GeneratedClipSource)?

    init(project: Project, timeline: Timeline, frameSize: PixelSize, scale: Double, speechLevels: SpeechLevels? = nil,
         generatedClips: (any GeneratedClipSource)? = nil) {
        self.speechLevels = speechLevels
        self.generatedClips = generatedClips
        self.project = project
        self.timeline = timeline
        self.frameSize = frameSize
        self.scale = scale
        preparationLead = max(1, timeline.frameRate.frameIndex(at: 2))
        subtitles = project.subtitles.map { SubtitleOverlay(spec: $0, frameSize: frameSize, scale: scale) }
    }

    /// Output frame `index`.
    func frame(_ index: Int, pool: PixelBufferPool) throws(PhimError) -> PixelBuffer {
        let active = timeline.activeClips(atFrame: index)
        startPreparations(around: index)
        let outgoing = try renderer(for: active.outgoing.clip)
        var frame = try outgoing.frame(active.outgoing.localFrame, pool: pool)
        if let incoming = active.incoming, let transition = active.transition {
            let next = try renderer(for: incoming.clip)
            var from: PixelBuffer? = frame
            var to: PixelBuffer? = try next.frame(incoming.localFrame, pool: pool)
            frame = pool.take()
            frame.draw { canvas in
                TransitionCompositor.draw(transition.transition.kind, progress: transition.progress, from: from!, to: to!,
                                          on: canvas)
            }
            pool.recycle(&from)
            pool.recycle(&to)
        }
        if let subtitles {
            try subtitles.draw(on: &frame, at: timeline.frameRate.seconds(ofFrame: index))
        }
        releaseFinishedClips(before: index)
        return frame
    }

    /// Stops every clip's background work.
    func finish() {
        for renderer in ready.values { renderer.finish() }
        ready.removeAll()
        for shot in preparing.values {
            if case .success(let renderer) = shot.wait() { renderer.finish() }
        }
        preparing.removeAll()
    }

    private func renderer(for clip: ResolvedClip) throws(PhimError) -> ClipRenderer {
        if let renderer = ready[clip.index] { return renderer }
        let renderer: ClipRenderer
        if let shot = preparing.removeValue(forKey: clip.index) {
            renderer = try shot.wait().get()
        } else {
            renderer = ClipRenderer(clip: project.clips[clip.index], resolved: clip, background: project.background,
                                    frameRate: timeline.frameRate, speechLevels: speechLevels, generatedClips: generatedClips)
            try renderer.prepare(frameSize: frameSize, scale: scale)
        }
        ready[clip.index] = renderer
        return renderer
    }

    /// The most clips prepared ahead of the one on screen: many short clips must not open all their videos at once.
    static let maxClipsAhead = 2

    /// Starts preparing the next clips that begin within the lead (at most ``maxClipsAhead``), each on a worker thread.
    private func startPreparations(around index: Int) {
        // Clips are in timeline order: find the first that starts after `index` by bisection, not a scan per frame.
        let clips = timeline.clips
        var low = 0, high = clips.count
        while low < high {
            let middle = (low + high) / 2
            if clips[middle].startFrame > index { high = middle } else { low = middle + 1 }
        }
        for clip in clips[low..<min(clips.count, low + Self.maxClipsAhead)] where clip.startFrame - index <= preparationLead {
            guard ready[clip.index] == nil, preparing[clip.index] == nil else { continue }
            let shot = OneShot<Result<ClipRenderer, PhimError>>()
            preparing[clip.index] = shot
            let renderer = ClipRenderer(clip: project.clips[clip.index], resolved: clip, background: project.background,
                                        frameRate: timeline.frameRate, speechLevels: speechLevels,
                                        generatedClips: generatedClips)
            let box = UncheckedBox(renderer)
            let size = frameSize, scale = self.scale
            startWorkerThread(named: "phim-prepare-clip-\(clip.index)") {
                let result = Result { () throws(PhimError) -> ClipRenderer in
                    try box.value.prepare(frameSize: size, scale: scale)
                    return box.value
                }
                shot.set(result)
            }
        }
    }

    private func releaseFinishedClips(before index: Int) {
        for (clipIndex, renderer) in ready where renderer.resolved.endFrame <= index + 1 {
            renderer.finish()
            ready.removeValue(forKey: clipIndex)
        }
    }
}

/// Carries a non-`Sendable` value to another thread that becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Draws the cues of the project's subtitle file.
final class SubtitleOverlay {
    let spec: SubtitleSpec
    let frameSize: PixelSize
    let scale: Double
    private var cues: [SubtitleCue]?
    private var nextCue = 0
    private var shown: (cue: Int, word: Int?, image: GraphicsImage?, origin: Point)?

    init(spec: SubtitleSpec, frameSize: PixelSize, scale: Double) {
        self.spec = spec
        self.frameSize = frameSize
        self.scale = scale
    }

    func draw(on frame: inout PixelBuffer, at time: Double) throws(PhimError) {
        if cues == nil {
            do { cues = try SubtitleFile.load(spec.path) } catch { throw error.about(.field(spec.fieldPath + ".path")) }
        }
        guard let cues else { return }
        let t = time - spec.offset
        while nextCue < cues.count, cues[nextCue].end <= t { nextCue += 1 }
        guard nextCue < cues.count, cues[nextCue].start <= t else { return }
        let cue = cues[nextCue]
        // Karaoke: the word being spoken (the last one that has started) in the highlight colour.
        var word: Int?
        if spec.highlight != nil, !cue.words.isEmpty {
            word = cue.words.lastIndex { $0.start <= t } ?? 0
        }
        if shown?.cue != nextCue || shown?.word != word {
            var highlight: (characters: Range<Int>, color: Color)?
            if let word, let color = spec.highlight, let range = Self.characterRanges(of: cue)[safe: word] {
                highlight = (range, color)
            }
            let layout = try TextLayout(text: cue.text, style: spec.style.drawingStyle(scale: scale),
                                        maxWidth: spec.style.maxWidth * Double(frameSize.width), highlight: highlight,
                                        subject: .field(spec.fieldPath + ".font"))
            let blockOrigin = spec.position.origin(of: layout.pixelSize, in: frameSize)
            if let visible = layout.visiblePart(at: blockOrigin, in: frameSize) {
                shown = (nextCue, word, layout.rendered(visible: visible),
                         Point(x: blockOrigin.x + visible.x, y: blockOrigin.y + visible.y))
            } else {
                shown = (nextCue, word, nil, blockOrigin)
            }
        }
        guard let shown, let image = shown.image else { return }
        frame.draw { canvas in
            canvas.draw(image, in: Rect(x: shown.origin.x, y: shown.origin.y, width: Double(image.size.width),
                                        height: Double(image.size.height)))
        }
    }

    /// Where each of a cue's timed words sits in its text, as character offsets (words are found in order).
    static func characterRanges(of cue: SubtitleCue) -> [Range<Int>] {
        let characters = Array(cue.text)
        var ranges: [Range<Int>] = []
        var position = 0
        for word in cue.words {
            let target = Array(word.text.nfc.trimmingWhitespace())
            guard !target.isEmpty else { ranges.append(position..<position); continue }
            var found: Int?
            var index = position
            while index + target.count <= characters.count {
                if Array(characters[index..<index + target.count]) == target { found = index; break }
                index += 1
            }
            guard let found else { ranges.append(position..<position); continue }
            ranges.append(found..<found + target.count)
            position = found + target.count
        }
        return ranges
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
