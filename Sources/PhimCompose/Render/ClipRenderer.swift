import Foundation
import PhimCore
import PhimGraphics

/// Draws the frames of one clip: its prepared layers stacked in order over the background, reusing the last
/// frame while nothing on screen moves.
///
/// `@unchecked Sendable`: prepared on one worker thread, then handed (through a lock) to the compose thread,
/// which is its only user from then on.
final class ClipRenderer: @unchecked Sendable {
    let clip: Clip
    let resolved: ResolvedClip
    private(set) var layers: [PreparedLayer] = []
    private let background: Color
    private let frameRate: FrameRate
    private var cachedFrame: PixelBuffer?
    private var cachedVisibility: [Bool] = []
    private let speechLevels: SpeechLevels?
    private let generatedClips: (any GeneratedClipSource)?

    init(clip: Clip, resolved: ResolvedClip, background: Color, frameRate: FrameRate, speechLevels: SpeechLevels? = nil,
         generatedClips: (any GeneratedClipSource)? = nil) {
        self.speechLevels = speechLevels
        self.generatedClips = generatedClips
        self.clip = clip
        self.resolved = resolved
        self.background = background
        self.frameRate = frameRate
    }

    /// Loads what the layers need: decodes pictures, lays out text, starts video decoding, generates clips.
    /// - Throws: `PhimError` naming the layer field at fault.
    func prepare(frameSize: PixelSize, scale: Double) throws(PhimError) {
        var prepared: [PreparedLayer] = []
        for layer in clip.layers {
            switch layer.content {
            case .color(let content):
                prepared.append(ColorLayerRenderer(layer: layer, content: content))
            case .gradient(let content):
                prepared.append(GradientLayerRenderer(layer: layer, content: content, size: frameSize))
            case .image(let content):
                prepared.append(try ImageLayerRenderer(layer: layer, content: content, frameSize: frameSize))
            case .video(let content):
                prepared.append(try VideoLayerRenderer(layer: layer, content: content, frameSize: frameSize,
                                                       frameRate: frameRate, clipFrameCount: resolved.frameCount))
            case .title(let content), .subtitle(let content):
                prepared.append(try TextLayerRenderer(layer: layer, content: content, frameSize: frameSize, scale: scale))
            case .backdrop(let content):
                prepared.append(BackdropLayerRenderer(layer: layer, content: content, frameSize: frameSize,
                                                      clipStart: frameRate.seconds(ofFrame: resolved.startFrame)))
            case .presenter(let content):
                prepared.append(PresenterLayerRenderer(layer: layer, content: content, frameSize: frameSize, levels: speechLevels,
                                                       clipStartFrame: resolved.startFrame, frameRate: frameRate))
            case .keywords(let content):
                prepared.append(try KeywordsLayerRenderer(layer: layer, content: content, frameSize: frameSize, scale: scale))
            case .bullets(let content):
                prepared.append(try BulletsLayerRenderer(layer: layer, content: content, frameSize: frameSize, scale: scale))
            case .chart(let content):
                prepared.append(try ChartLayerRenderer(layer: layer, content: content, frameSize: frameSize, scale: scale))
            case .generated(let content):
                prepared.append(try GeneratedLayerRenderer(layer: layer, content: content, source: generatedClips,
                                                           frameSize: frameSize))
            }
        }
        layers = prepared
    }

    /// The clip's frame `localFrame` (0 at its first frame).
    /// - Parameter pool: where fresh frame buffers come from.
    func frame(_ localFrame: Int, pool: PixelBufferPool) throws(PhimError) -> PixelBuffer {
        let time = frameRate.seconds(ofFrame: localFrame)
        let visibility = layers.map { $0.layer.isVisible(atClipTime: time) }
        let moving = zip(layers, visibility).contains { $0.isAnimated && $1 }
        if !moving, let cachedFrame, visibility == cachedVisibility { return cachedFrame }

        // Layers under the topmost visible layer that hides everything need not be drawn.
        var first = 0
        for index in layers.indices.reversed() where visibility[index] && layers[index].coversFrame {
            first = index
            break
        }
        var buffer = pool.take()
        let position = ClipFrame(index: localFrame, time: time)
        let coveredAtBottom = visibility.indices.contains(first) && visibility[first] && layers[first].coversFrame
        let background = self.background
        let visibleLayers = zip(layers, visibility).dropFirst(first).filter(\.1).map(\.0)
        try buffer.draw { (canvas) throws(PhimError) in
            if !coveredAtBottom { canvas.fill(.color(background), blend: .source) }
            for layer in visibleLayers { try layer.draw(on: canvas, at: position) }
        }
        if !moving {
            cachedFrame = buffer
            cachedVisibility = visibility
        } else {
            cachedFrame = nil
        }
        return buffer
    }

    /// Stops the layers' background work and frees their memory.
    func finish() {
        for layer in layers { layer.finish() }
        layers = []
        cachedFrame = nil
    }
}
