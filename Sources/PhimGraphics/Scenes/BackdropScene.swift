import Foundation
import PhimCore

/// A procedural background: a vertical gradient with translucent shapes on three depth planes that drift at
/// different speeds (near planes faster), wrapping around the frame so the scene never runs out.
///
/// The shapes are drawn once at creation, each as a small sprite; a frame fills its rows with the gradient's colours
/// and places the sprites, so a backdrop costs little per frame even at 1080×1920.
///
/// Not `Sendable`: owns cached pictures.
public final class BackdropScene {
    /// The shape families.
    public enum Motif: Sendable { case bubbles, blocks, waves, dots }

    private struct Sprite {
        var image: GraphicsImage
        var origin: Point
        var velocity: Point
    }

    public let size: PixelSize
    /// The gradient's colour on each row (it runs top to bottom, so a row is one colour).
    private let rowColors: [Color]
    private var sprites: [Sprite] = []

    /// - Parameters:
    ///   - colors: the gradient's colours, top to bottom (at least two); shapes use lighter tints of them.
    ///   - motion: drift speed; 0 holds the shapes still.
    public init(size: PixelSize, colors: [Color], motif: Motif, seed: Int, motion: Double) {
        precondition(colors.count >= 2)
        self.size = size
        let w = Double(size.width), h = Double(size.height)
        rowColors = (0..<size.height).map { y in
            let position = (Double(y) + 0.5) / h * Double(colors.count - 1)
            let index = min(colors.count - 2, Int(position))
            return colors[index].mixed(with: colors[index + 1], position - Double(index))
        }
        var random = SplitMix64(seed: seed, salt: 0x6261_636b_6472_6f70)
        let unit = Double(min(size.width, size.height))
        let heading = random.uniform(0...(2 * .pi))
        let direction = Point(x: cos(heading), y: sin(heading) * 0.5)
        func tint() -> Color {
            colors[Int(random.next() % UInt64(colors.count))].mixed(with: .white, random.uniform(0.35...0.75))
        }
        func velocity(plane: Int) -> Point {
            let speed = Double(plane + 1) * 0.012 * unit * motion
            return Point(x: direction.x * speed, y: direction.y * speed)
        }
        func place(_ image: GraphicsImage, plane: Int) {
            sprites.append(Sprite(image: image, origin: Point(x: random.uniform(0...w), y: random.uniform(0...h)),
                                  velocity: velocity(plane: plane)))
        }
        /// `count` translucent circles over the three planes, larger on nearer ones (radius in units of the short side).
        func placeCircles(_ count: Int, radius radiusRange: ClosedRange<Double>, alpha: ClosedRange<Double>) {
            for index in 0..<count {
                let plane = index % 3
                let radius = unit * random.uniform(radiusRange) * Double(3 - plane)
                let color = tint().withAlpha(random.uniform(alpha))
                let side = max(2, Int(2 * radius + 2))
                place(GraphicsImage(size: PixelSize(width: side, height: side)) { canvas in
                    canvas.fill(ellipseIn: Rect(x: 1, y: 1, width: 2 * radius, height: 2 * radius), with: .color(color))
                }, plane: plane)
            }
        }
        switch motif {
        case .bubbles:
            placeCircles(12, radius: 0.03...0.06, alpha: 0.1...0.22)
        case .blocks:
            for index in 0..<10 {
                let plane = index % 3
                let edge = unit * random.uniform(0.06...0.12) * Double(3 - plane)
                let angle = random.uniform(-30...30)
                let color = tint().withAlpha(random.uniform(0.1...0.2))
                let side = max(2, Int(edge * 1.5 + 2))
                place(GraphicsImage(size: PixelSize(width: side, height: side)) { canvas in
                    canvas.translate(x: Double(side) / 2, y: Double(side) / 2)
                    canvas.rotate(degrees: angle)
                    canvas.fill(rect: Rect(x: -edge / 2, y: -edge / 2, width: edge, height: edge), cornerRadius: edge * 0.18, with: .color(color))
                }, plane: plane)
            }
        case .waves:
            for plane in 0..<3 {
                let amplitude = unit * 0.03 * Double(plane + 1)
                let period = w / Double(plane + 1)
                let thickness = unit * 0.05 * Double(3 - plane)
                let color = tint().withAlpha(0.14)
                let spriteHeight = Int(2 * amplitude + thickness + 4)
                let image = GraphicsImage(size: PixelSize(width: size.width, height: max(2, spriteHeight))) { canvas in
                    var points: [Point] = []
                    let steps = 64
                    for step in 0...steps {
                        let x = w * Double(step) / Double(steps)
                        points.append(Point(x: x, y: amplitude + 2 + amplitude * sin(2 * .pi * x / period)))
                    }
                    let lower = points.reversed().map { Point(x: $0.x, y: $0.y + thickness) }
                    canvas.fill(polygon: points + lower, with: .color(color))
                }
                // Waves run sideways only; two copies side by side make the wrap seamless.
                let y = h * (0.2 + 0.3 * Double(plane)) + random.uniform(-0.05...0.05) * h
                let speed = Double(plane + 1) * 0.012 * unit * max(motion, 0)
                sprites.append(Sprite(image: image, origin: Point(x: 0, y: y), velocity: Point(x: speed, y: 0)))
                sprites.append(Sprite(image: image, origin: Point(x: -w, y: y), velocity: Point(x: speed, y: 0)))
            }
        case .dots:
            placeCircles(36, radius: 0.004...0.009, alpha: 0.25...0.45)
        }
    }

    /// Draws the scene as it is `time` seconds in, replacing what the canvas held.
    public func draw(on canvas: Canvas, at time: Double) {
        let w = Double(size.width), h = Double(size.height)
        canvas.fillRows(rowColors)
        for sprite in sprites {
            let sw = Double(sprite.image.size.width), sh = Double(sprite.image.size.height)
            // Wrap over the frame plus the sprite's size, so shapes leave one edge and come back at the other.
            let x = Self.wrap(sprite.origin.x + sprite.velocity.x * time, from: -sw, span: w + sw)
            let y = sprite.velocity.y == 0 ? sprite.origin.y : Self.wrap(sprite.origin.y + sprite.velocity.y * time, from: -sh, span: h + sh)
            // Whole pixels: pixman then blends without resampling, several times faster than bilinear at
            // fractional positions; at drift speeds of about a pixel per frame the steps do not show.
            canvas.draw(sprite.image, in: Rect(x: x.rounded(), y: y.rounded(), width: sw, height: sh))
        }
    }

    static func wrap(_ value: Double, from start: Double, span: Double) -> Double {
        let offset = (value - start).truncatingRemainder(dividingBy: span)
        return start + (offset < 0 ? offset + span : offset)
    }
}

extension Color {
    /// The same colour with another opacity.
    func withAlpha(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }
}
