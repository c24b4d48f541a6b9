import Foundation
import PhimCore
import PhimGraphics

/// Ease-out cubic: fast start, gentle landing.
func easeOut(_ t: Double) -> Double {
    let x = min(max(t, 0), 1)
    return 1 - pow(1 - x, 3)
}

/// A procedural background with parallax (`type: backdrop`).
final class BackdropLayerRenderer: PreparedLayer {
    let layer: Layer
    let scene: BackdropScene
    let isAnimated: Bool
    var coversFrame: Bool { layer.opacity >= 1 }
    /// Seconds from the start of the project to the start of the clip, so motion continues across clips.
    let clipStart: Double

    init(layer: Layer, content: BackdropLayer, frameSize: PixelSize, clipStart: Double) {
        self.layer = layer
        let motif: BackdropScene.Motif = switch content.motif {
        case .bubbles: .bubbles
        case .blocks: .blocks
        case .waves: .waves
        case .dots: .dots
        }
        scene = BackdropScene(size: frameSize, colors: content.colors, motif: motif, seed: content.seed, motion: content.motion)
        isAnimated = content.motion > 0
        self.clipStart = clipStart
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        if layer.opacity >= 1 {
            scene.draw(on: canvas, at: clipStart + frame.time)
        } else {
            // Rare: a translucent backdrop is drawn into a frame of its own first.
            var buffer = PixelBuffer(size: canvas.size, zeroed: true)
            buffer.draw { scene.draw(on: $0, at: clipStart + frame.time) }
            canvas.draw(buffer, in: Rect(x: 0, y: 0, width: Double(canvas.size.width), height: Double(canvas.size.height)),
                        opacity: layer.opacity)
        }
    }
}

/// The presenter (`type: presenter`): blinks, sways, and opens its mouth with the speech tracks' loudness.
final class PresenterLayerRenderer: PreparedLayer {
    let layer: Layer
    let character: PresenterCharacter
    let origin: Point
    let levels: SpeechLevels?
    let clipStartFrame: Int
    let seed: Int
    let frameDuration: Double
    var isAnimated: Bool { true }
    var coversFrame: Bool { false }

    init(layer: Layer, content: PresenterLayer, frameSize: PixelSize, levels: SpeechLevels?, clipStartFrame: Int,
         frameRate: FrameRate) {
        self.layer = layer
        frameDuration = frameRate.seconds(ofFrame: 1)
        let area = content.area.scaled(to: frameSize)
        // As tall as the area allows while 0.7 × as wide; standing on the area's bottom edge, centred.
        let height = min(area.height, area.width / 0.7)
        character = PresenterCharacter(seed: content.seed, height: Int(height.rounded()))
        origin = Point(x: (area.x + (area.width - Double(character.size.width)) / 2).rounded(),
                       y: (area.y + area.height - Double(character.size.height)).rounded())
        self.levels = content.lipSync ? levels : nil
        self.clipStartFrame = clipStartFrame
        self.seed = content.seed
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let projectFrame = clipStartFrame + frame.index
        let mouth = levels?.openness(atFrame: projectFrame) ?? 0
        let time = Double(projectFrame) * frameDuration
        // A blink of 0.15 s every 3.1 to 4.3 s, offset by the seed.
        let period = 3.1 + Double(seed.magnitude % 7) * 0.2
        let phase = (time + Double(seed.magnitude % 5) * 0.37).truncatingRemainder(dividingBy: period)
        let eyes = phase < 0.15 ? abs(phase / 0.075 - 1) : 1
        // A gentle sway, a little livelier while talking.
        // Whole pixels, so the cached body is copied without resampling.
        let bob = (sin(time * 2 * .pi / 3.3) * Double(character.size.height) * (0.004 + 0.004 * mouth)).rounded()
        if layer.opacity >= 1 {
            character.draw(on: canvas, at: Point(x: origin.x, y: origin.y + bob), mouthOpen: mouth, eyesOpen: eyes)
        } else {
            var figure = PixelBuffer(size: character.size, zeroed: true)
            figure.draw { character.draw(on: $0, at: Point(x: 0, y: 0), mouthOpen: mouth, eyesOpen: eyes) }
            canvas.draw(figure, in: Rect(x: origin.x, y: origin.y + bob, width: Double(character.size.width),
                                         height: Double(character.size.height)), opacity: layer.opacity)
        }
    }
}

/// Keyword cards (`type: keywords`), popping in one after another.
final class KeywordsLayerRenderer: PreparedLayer {
    let layer: Layer
    let stagger: Double
    private var cards: [(image: GraphicsImage, rect: Rect)] = []
    var isAnimated: Bool { true }
    var coversFrame: Bool { false }

    init(layer: Layer, content: KeywordsLayer, frameSize: PixelSize, scale: Double) throws(PhimError) {
        self.layer = layer
        stagger = content.stagger
        let fontSize = content.style.fontSize * scale
        let style = PhimGraphics.TextStyle(fontFamily: content.style.font, fontSize: fontSize, bold: true, color: content.style.color)
        let area = content.area.scaled(to: frameSize)
        let padX = fontSize * 0.55, padY = fontSize * 0.3, gap = fontSize * 0.35
        var images: [GraphicsImage] = []
        for word in content.words {
            let text = try TextLayout(text: word, style: style, maxWidth: area.width - 2 * padX, subject: .field(layer.fieldPath + ".font")).rendered(within: frameSize)
            let card = PixelSize(width: text.size.width + Int(2 * padX), height: text.size.height + Int(2 * padY))
            images.append(GraphicsImage(size: card) { canvas in
                canvas.fill(rect: Rect(x: 0, y: 0, width: Double(card.width), height: Double(card.height)),
                            cornerRadius: Double(card.height) * 0.3, with: .color(content.cardColor))
                canvas.draw(text, in: Rect(x: padX, y: padY, width: Double(text.size.width), height: Double(text.size.height)))
            })
        }
        // Rows that fit the area's width, each centred; the block centred vertically.
        var rows: [[GraphicsImage]] = [[]]
        var rowWidth = 0.0
        for image in images {
            let width = Double(image.size.width)
            if !rows[rows.count - 1].isEmpty, rowWidth + gap + width > area.width {
                rows.append([])
                rowWidth = 0
            }
            rowWidth += (rows[rows.count - 1].isEmpty ? 0 : gap) + width
            rows[rows.count - 1].append(image)
        }
        let rowHeights = rows.map { Double($0.map(\.size.height).max() ?? 0) }
        var y = area.y + (area.height - rowHeights.reduce(0, +) - gap * Double(rows.count - 1)) / 2
        for (row, height) in zip(rows, rowHeights) {
            let width = row.map { Double($0.size.width) }.reduce(0, +) + gap * Double(row.count - 1)
            var x = area.x + (area.width - width) / 2
            for image in row {
                cards.append((image, Rect(x: x.rounded(), y: (y + (height - Double(image.size.height)) / 2).rounded(),
                                          width: Double(image.size.width), height: Double(image.size.height))))
                x += Double(image.size.width) + gap
            }
            y += height + gap
        }
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let local = frame.time - layer.start
        for (index, card) in cards.enumerated() {
            let progress = (local - Double(index) * stagger) / 0.3
            guard progress > 0 else { continue }
            let grow = 0.7 + 0.3 * easeOut(progress)
            let rect = card.rect
            let scaled = Rect(x: rect.x + rect.width * (1 - grow) / 2, y: rect.y + rect.height * (1 - grow) / 2,
                              width: rect.width * grow, height: rect.height * grow)
            canvas.draw(card.image, in: progress >= 1 ? rect : scaled, opacity: layer.opacity * min(1, progress))
        }
    }
}

/// A bullet list (`type: bullets`), items sliding in one after another.
final class BulletsLayerRenderer: PreparedLayer {
    let layer: Layer
    let stagger: Double
    private var items: [(image: GraphicsImage, rect: Rect)] = []
    var isAnimated: Bool { true }
    var coversFrame: Bool { false }
    private let slide: Double

    init(layer: Layer, content: BulletsLayer, frameSize: PixelSize, scale: Double) throws(PhimError) {
        self.layer = layer
        stagger = content.stagger
        let fontSize = content.style.fontSize * scale
        let style = PhimGraphics.TextStyle(fontFamily: content.style.font, fontSize: fontSize, color: content.style.color,
                                           alignment: .left)
        let area = content.area.scaled(to: frameSize)
        let indent = fontSize * 1.1, gap = fontSize * 0.45
        slide = fontSize * 1.2
        var images: [GraphicsImage] = []
        for item in content.items {
            let text = try TextLayout(text: item, style: style, maxWidth: area.width - indent, subject: .field(layer.fieldPath + ".font")).rendered(within: frameSize)
            let size = PixelSize(width: text.size.width + Int(indent), height: text.size.height)
            let dot = fontSize * 0.36
            images.append(GraphicsImage(size: size) { canvas in
                canvas.fill(ellipseIn: Rect(x: fontSize * 0.2, y: fontSize * 0.62 - dot / 2, width: dot, height: dot),
                            with: .color(content.bulletColor))
                canvas.draw(text, in: Rect(x: indent, y: 0, width: Double(text.size.width), height: Double(text.size.height)))
            })
        }
        let total = images.map { Double($0.size.height) }.reduce(0, +) + gap * Double(images.count - 1)
        var y = area.y + max(0, (area.height - total) / 2)
        for image in images {
            items.append((image, Rect(x: area.x.rounded(), y: y.rounded(), width: Double(image.size.width), height: Double(image.size.height))))
            y += Double(image.size.height) + gap
        }
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let local = frame.time - layer.start
        for (index, item) in items.enumerated() {
            let progress = (local - Double(index) * stagger) / 0.35
            guard progress > 0 else { continue }
            var rect = item.rect
            if progress < 1 { rect.x -= slide * (1 - easeOut(progress)) }
            canvas.draw(item.image, in: rect, opacity: layer.opacity * min(1, progress))
        }
    }
}

/// A bar chart (`type: chart`) whose bars grow to their values.
final class ChartLayerRenderer: PreparedLayer {
    let layer: Layer
    let content: ChartLayer
    private let bars: [Rect]
    private let baseline: Double
    private let valueImages: [GraphicsImage]
    private let labelImages: [(GraphicsImage, Rect)]
    private let lineWidth: Double
    private let area: Rect
    var isAnimated: Bool { true }
    var coversFrame: Bool { false }

    init(layer: Layer, content: ChartLayer, frameSize: PixelSize, scale: Double) throws(PhimError) {
        self.layer = layer
        self.content = content
        let fontSize = content.style.fontSize * scale
        let area = content.area.scaled(to: frameSize)
        self.area = area
        let count = Double(content.values.count)
        let slot = area.width / count
        let barWidth = slot * 0.62
        let labelStyle = PhimGraphics.TextStyle(fontFamily: content.style.font, fontSize: fontSize, color: content.style.color)
        let valueStyle = PhimGraphics.TextStyle(fontFamily: content.style.font, fontSize: fontSize * 1.15, bold: true,
                                                color: content.style.color)
        var labels: [(GraphicsImage, Rect)] = []
        var labelHeight = 0.0
        for (index, label) in content.labels.enumerated() where !label.isEmpty {
            let image = try TextLayout(text: label, style: labelStyle, maxWidth: slot * 0.95, subject: .field(layer.fieldPath + ".font")).rendered(within: frameSize)
            labelHeight = max(labelHeight, Double(image.size.height))
            labels.append((image, Rect(x: (area.x + slot * (Double(index) + 0.5) - Double(image.size.width) / 2).rounded(), y: 0,
                                       width: Double(image.size.width), height: Double(image.size.height))))
        }
        var values: [GraphicsImage] = []
        for value in content.values {
            values.append(try TextLayout(text: Self.format(value) + content.unit, style: valueStyle,
                                         subject: .field(layer.fieldPath + ".font")).rendered(within: frameSize))
        }
        let valueHeight = Double(values.map(\.size.height).max() ?? 0)
        let baseline = area.y + area.height - labelHeight - fontSize * 0.3
        self.baseline = baseline
        let top = area.y + valueHeight + fontSize * 0.2
        let maxValue = max(content.values.max() ?? 1, 1e-12)
        bars = content.values.enumerated().map { index, value in
            let height = max(0, baseline - top) * value / maxValue
            return Rect(x: area.x + slot * Double(index) + (slot - barWidth) / 2, y: baseline - height, width: barWidth, height: height)
        }
        let labelTop = (area.y + area.height - labelHeight).rounded()
        labelImages = labels.map { image, rect in
            (image, Rect(x: rect.x, y: labelTop, width: rect.width, height: rect.height))
        }
        valueImages = values
        lineWidth = max(1, fontSize * 0.08)
    }

    /// `40`, `2.5`, `1,200`: whole numbers without decimals, others with at most two.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.usesGroupingSeparator = abs(value) >= 10_000
            formatter.locale = Locale(identifier: "en_US_POSIX")
            return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
        }
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.minimumFractionDigits = 0
        formatter.maximumFractionDigits = 2
        formatter.usesGroupingSeparator = false
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    func draw(on canvas: Canvas, at frame: ClipFrame) {
        let local = frame.time - layer.start
        let opacity = layer.opacity
        canvas.withSavedState {
            canvas.stroke(polyline: [Point(x: area.x, y: baseline + lineWidth / 2), Point(x: area.x + area.width, y: baseline + lineWidth / 2)],
                          color: content.style.color.mixed(with: .transparent, 1 - 0.6 * opacity), width: lineWidth)
        }
        for (index, bar) in bars.enumerated() {
            let progress = content.grow > 0 ? easeOut((local - Double(index) * 0.12) / content.grow) : 1
            guard progress > 0 else { continue }
            let height = bar.height * progress
            let color = content.barColors[index % content.barColors.count]
            canvas.fill(rect: Rect(x: bar.x, y: baseline - height, width: bar.width, height: height),
                        cornerRadius: min(bar.width * 0.12, height / 2), with: .color(color.mixed(with: .transparent, 1 - opacity)))
            let value = valueImages[index]
            canvas.draw(value, in: Rect(x: (bar.x + bar.width / 2 - Double(value.size.width) / 2).rounded(),
                                        y: (baseline - height - Double(value.size.height) - lineWidth).rounded(),
                                        width: Double(value.size.width), height: Double(value.size.height)),
                        opacity: opacity * min(1, progress * 1.5))
        }
        for (image, rect) in labelImages { canvas.draw(image, in: rect, opacity: opacity) }
    }
}
