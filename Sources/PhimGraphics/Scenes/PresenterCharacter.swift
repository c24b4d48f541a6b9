import Foundation
import PhimCore

/// A parametric presenter: a friendly drawn figure (head, hair, eyes, mouth, shoulders) whose look comes from a
/// seed. The static parts are drawn once into a picture; eyes and mouth are drawn every frame so that the figure
/// can blink and talk.
///
/// Not `Sendable`: owns a cached picture.
public final class PresenterCharacter {
    /// The look chosen by the seed.
    public struct Look: Sendable, Equatable {
        public var skin: Color
        public var hair: Color
        public var shirt: Color
        public var hairStyle: Int
        public var headWidth: Double
        public var hasGlasses: Bool
        public var eyeSpacing: Double
    }

    public let look: Look
    /// The figure's size in pixels (width is 0.7 × height).
    public let size: PixelSize
    private let body: GraphicsImage

    static let skins = ["#f1c9a5", "#e0ac89", "#c68863", "#8d5a3b", "#f6d7c3", "#b57552"]
    static let hairs = ["#2b1d14", "#4a3020", "#0f0f12", "#8a5a2b", "#c9a15a", "#6b2f1a", "#9aa0a6"]
    static let shirts = ["#3f7cff", "#ff6b5a", "#2bb673", "#9b5de5", "#f4a300", "#00a6c8", "#ef476f"]

    /// - Parameters:
    ///   - seed: chooses skin, hair and clothes colours, hair style, head shape and glasses.
    ///   - height: the figure's height in pixels.
    public init(seed: Int, height: Int) {
        var random = SplitMix64(seed: seed, salt: 0x70_7265_7365_6e74)
        func pick(_ list: [String]) -> Color { Color(parsing: list[Int(random.next() % UInt64(list.count))])! }
        look = Look(skin: pick(Self.skins), hair: pick(Self.hairs), shirt: pick(Self.shirts),
                    hairStyle: Int(random.next() % 4), headWidth: random.uniform(0.9...1.08),
                    hasGlasses: random.next() % 3 == 0, eyeSpacing: random.uniform(0.1...0.125))
        let h = max(8, height)
        size = PixelSize(width: max(6, Int(Double(h) * 0.7)), height: h)
        let look = self.look
        let size = self.size
        body = GraphicsImage(size: size) { canvas in Self.drawBody(look, size: size, on: canvas) }
    }

    /// Draws the figure with its top-left corner at `origin`.
    /// - Parameters:
    ///   - mouthOpen: 0 (closed, smiling) ... 1 (wide open).
    ///   - eyesOpen: 0 (shut) ... 1 (open).
    public func draw(on canvas: Canvas, at origin: Point, mouthOpen: Double, eyesOpen: Double) {
        canvas.draw(body, in: Rect(x: origin.x, y: origin.y, width: Double(size.width), height: Double(size.height)))
        let w = Double(size.width), h = Double(size.height)
        func p(_ x: Double, _ y: Double) -> Point { Point(x: origin.x + x * w, y: origin.y + y * h) }
        let dark = Color(red: 0.12, green: 0.1, blue: 0.12)

        // Eyes: whites, pupils, and lids that close when blinking.
        let eyeY = 0.335, eyeW = 0.085 * w, eyeH = 0.05 * h * max(0.08, eyesOpen)
        for side in [-1.0, 1.0] {
            let centre = p(0.5 + side * look.eyeSpacing * look.headWidth, eyeY)
            if eyesOpen > 0.2 {
                canvas.fill(ellipseIn: Rect(x: centre.x - eyeW / 2, y: centre.y - eyeH / 2, width: eyeW, height: eyeH), with: .color(.white))
                let pupil = min(eyeW, eyeH) * 0.62
                canvas.fill(ellipseIn: Rect(x: centre.x - pupil / 2, y: centre.y - pupil / 2, width: pupil, height: pupil), with: .color(dark))
            } else {
                canvas.stroke(polyline: [Point(x: centre.x - eyeW / 2, y: centre.y), Point(x: centre.x + eyeW / 2, y: centre.y)],
                              color: dark, width: max(1, 0.006 * h))
            }
        }
        // Mouth: a smile when closed, a dark opening with a tongue when speaking.
        let mouthCentre = p(0.5, 0.455)
        let open = min(max(mouthOpen, 0), 1)
        let mouthW = (0.1 + 0.03 * open) * w
        if open < 0.08 {
            var smile: [Point] = []
            for step in 0...8 {
                let t = Double(step) / 8 * 2 - 1
                smile.append(Point(x: mouthCentre.x + t * mouthW / 2, y: mouthCentre.y + (1 - t * t) * 0.012 * h))
            }
            canvas.stroke(polyline: smile, color: dark, width: max(1, 0.007 * h))
        } else {
            let mouthH = (0.012 + 0.05 * open) * h
            let rect = Rect(x: mouthCentre.x - mouthW / 2, y: mouthCentre.y - mouthH * 0.35, width: mouthW, height: mouthH)
            canvas.fill(ellipseIn: rect, with: .color(Color(red: 0.35, green: 0.08, blue: 0.12)))
            let tongue = Rect(x: rect.x + mouthW * 0.25, y: rect.y + mouthH * 0.55, width: mouthW * 0.5, height: mouthH * 0.4)
            canvas.fill(ellipseIn: tongue, with: .color(Color(red: 0.9, green: 0.42, blue: 0.45)))
        }
    }

    private static func drawBody(_ look: Look, size: PixelSize, on canvas: Canvas) {
        let w = Double(size.width), h = Double(size.height)
        func r(_ x: Double, _ y: Double, _ width: Double, _ height: Double) -> Rect {
            Rect(x: x * w, y: y * h, width: width * w, height: height * h)
        }
        let shade = look.skin.mixed(with: .black, 0.15)
        let headRX = 0.3 * look.headWidth, headRY = 0.215
        // Long hair falls behind the head and shoulders.
        if look.hairStyle == 3 {
            canvas.fill(rect: r(0.5 - headRX - 0.03, 0.2, 2 * headRX + 0.06, 0.48), cornerRadius: 0.12 * w, with: .color(look.hair))
        }
        // Shoulders and shirt, with a lighter collar.
        canvas.fill(rect: r(0.06, 0.64, 0.88, 0.42), cornerRadius: 0.2 * w, with: .color(look.shirt))
        canvas.fill(rect: r(0.42, 0.52, 0.16, 0.14), with: .color(shade))
        canvas.fill(polygon: [Point(x: 0.38 * w, y: 0.64 * h), Point(x: 0.5 * w, y: 0.76 * h), Point(x: 0.62 * w, y: 0.64 * h)],
                    with: .color(look.shirt.mixed(with: .white, 0.35)))
        canvas.fill(polygon: [Point(x: 0.43 * w, y: 0.64 * h), Point(x: 0.5 * w, y: 0.72 * h), Point(x: 0.57 * w, y: 0.64 * h)],
                    with: .color(shade))
        // Ears, head, cheeks.
        for side in [-1.0, 1.0] {
            canvas.fill(ellipseIn: r(0.5 + side * headRX - 0.045, 0.31, 0.09, 0.08), with: .color(shade))
        }
        canvas.fill(ellipseIn: r(0.5 - headRX, 0.35 - headRY, 2 * headRX, 2 * headRY), with: .color(look.skin))
        for side in [-1.0, 1.0] {
            canvas.fill(ellipseIn: r(0.5 + side * 0.17 * look.headWidth - 0.04, 0.39, 0.08, 0.04),
                        with: .color(Color(red: 1, green: 0.45, blue: 0.45, alpha: 0.25)))
        }
        // Hair on top.
        let top = 0.35 - headRY
        switch look.hairStyle {
        case 0:  // short crop
            canvas.fill(ellipseIn: r(0.5 - headRX - 0.01, top - 0.02, 2 * headRX + 0.02, 0.2), with: .color(look.hair))
            canvas.fill(ellipseIn: r(0.5 - headRX + 0.03, top + 0.06, 2 * headRX - 0.06, 0.12), with: .color(look.skin))
        case 1:  // side sweep
            canvas.fill(polygon: [Point(x: (0.5 - headRX - 0.01) * w, y: 0.3 * h), Point(x: (0.5 - headRX) * w, y: (top + 0.03) * h),
                                  Point(x: 0.5 * w, y: (top - 0.025) * h), Point(x: (0.5 + headRX + 0.01) * w, y: (top + 0.05) * h),
                                  Point(x: (0.5 + headRX + 0.01) * w, y: 0.27 * h), Point(x: 0.56 * w, y: (top + 0.07) * h),
                                  Point(x: 0.32 * w, y: (top + 0.12) * h)],
                        with: .color(look.hair))
        case 2:  // bun
            canvas.fill(ellipseIn: r(0.41, top - 0.09, 0.18, 0.12), with: .color(look.hair))
            canvas.fill(ellipseIn: r(0.5 - headRX - 0.01, top - 0.015, 2 * headRX + 0.02, 0.17), with: .color(look.hair))
            canvas.fill(ellipseIn: r(0.5 - headRX + 0.04, top + 0.07, 2 * headRX - 0.08, 0.1), with: .color(look.skin))
        default:  // long: a fringe over the forehead
            canvas.fill(ellipseIn: r(0.5 - headRX - 0.02, top - 0.02, 2 * headRX + 0.04, 0.18), with: .color(look.hair))
            canvas.fill(ellipseIn: r(0.5 - headRX + 0.05, top + 0.08, 2 * headRX - 0.1, 0.1), with: .color(look.skin))
        }
        // Eyebrows and glasses.
        let dark = look.hair.mixed(with: .black, 0.3)
        for side in [-1.0, 1.0] {
            let x = 0.5 + side * look.eyeSpacing * look.headWidth
            canvas.stroke(polyline: [Point(x: (x - 0.05) * w, y: 0.29 * h), Point(x: (x + 0.05) * w, y: (0.285 - side * 0.004) * h)],
                          color: dark, width: max(1, 0.008 * h))
            if look.hasGlasses {
                canvas.stroke(ellipseIn: r(x - 0.075, 0.3, 0.15, 0.075), color: Color(red: 0.15, green: 0.15, blue: 0.18), width: max(1, 0.006 * h))
            }
        }
        if look.hasGlasses {
            let left = 0.5 - look.eyeSpacing * look.headWidth + 0.075, right = 0.5 + look.eyeSpacing * look.headWidth - 0.075
            canvas.stroke(polyline: [Point(x: left * w, y: 0.335 * h), Point(x: right * w, y: 0.335 * h)],
                          color: Color(red: 0.15, green: 0.15, blue: 0.18), width: max(1, 0.006 * h))
        }
    }
}
