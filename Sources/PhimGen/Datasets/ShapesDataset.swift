import Foundation
import PhimCore
import PhimGraphics

/// How the shapes of a clip move: the clip's class.
public enum ShapeMotion: String, Codable, CaseIterable, Sendable {
    /// Straight across at a steady speed, staying in the frame.
    case linear
    /// Straight, faster, reflected by the frame's edges.
    case bounce
    /// Round a centre.
    case orbit
    /// Growing or shrinking in place.
    case zoom
    /// Turning in place.
    case rotate
}

/// What a moving object looks like.
public enum ShapeKind: String, Codable, CaseIterable, Sendable {
    case circle, square, triangle, star, digit
}

/// One moving object of a shapes clip: its look and its motion's parameters, in fractions of the frame's side and
/// seconds. The fields a motion does not use are absent.
public struct ShapeObject: Codable, Sendable, Equatable {
    public var shape: ShapeKind
    /// The digit drawn, for ``ShapeKind/digit``.
    public var digit: Int?
    /// The colour's name (`red`, `cyan`…) and value.
    public var color: String
    public var rgb: String
    /// The object's width at scale 1, a fraction of the frame's side.
    public var size: Double
    /// `slow`, `medium` or `fast`: the motion's speed class.
    public var speed: String
    /// The centre at time 0 (for ``ShapeMotion/orbit``, the orbit's centre).
    public var x: Double
    public var y: Double
    /// Velocity in sides a second (linear, bounce).
    public var velocityX: Double?
    public var velocityY: Double?
    /// Orbit radius (a fraction of the side).
    public var radius: Double?
    /// Degrees a second, counter-clockwise positive (orbit: about the centre; rotate: the object's turn).
    public var angularSpeed: Double?
    /// Degrees at time 0: the orbit's phase, or the object's turn.
    public var angle: Double
    /// Scale at time 0 and at the clip's last frame (zoom).
    public var scaleFrom: Double?
    public var scaleTo: Double?

    /// Where the object is, how large and how turned at `time` seconds of a clip whose last frame is at `span`.
    func state(motion: ShapeMotion, time: Double, span: Double) -> (center: Point, scale: Double, angle: Double) {
        switch motion {
        case .linear:
            return (Point(x: x + (velocityX ?? 0) * time, y: y + (velocityY ?? 0) * time), 1, angle)
        case .bounce:
            let margin = size / 2
            return (Point(x: Self.reflect(x + (velocityX ?? 0) * time, margin), y: Self.reflect(y + (velocityY ?? 0) * time, margin)),
                    1, angle)
        case .orbit:
            let phase = (angle + (angularSpeed ?? 0) * time) * .pi / 180
            let r = radius ?? 0
            return (Point(x: x + r * cos(phase), y: y - r * sin(phase)), 1, 0)
        case .zoom:
            let from = scaleFrom ?? 1, to = scaleTo ?? 1
            return (Point(x: x, y: y), from + (to - from) * (span > 0 ? time / span : 0), angle)
        case .rotate:
            return (Point(x: x, y: y), 1, angle + (angularSpeed ?? 0) * time)
        }
    }

    /// `value` folded into [margin, 1 − margin] as a ball bouncing between two walls.
    static func reflect(_ value: Double, _ margin: Double) -> Double {
        let width = 1 - 2 * margin
        guard width > 0 else { return 0.5 }
        let period = 2 * width
        var offset = (value - margin).truncatingRemainder(dividingBy: period)
        if offset < 0 { offset += period }
        return margin + (offset <= width ? offset : period - offset)
    }
}

/// The background of a shapes clip: one colour, or a linear gradient between two.
public struct ShapeBackground: Codable, Sendable, Equatable {
    public var colors: [String]
    /// The gradient's direction in degrees (0: left to right), for two colours.
    public var angle: Double?
}

/// One clip of a shapes dataset: its class (the motion), background and objects.
public struct ShapeClip: Codable, Sendable, Equatable {
    public var motion: ShapeMotion
    public var background: ShapeBackground
    public var objects: [ShapeObject]
}

/// A procedural training set in the manner of MoCoGAN's shape motion and Moving MNIST: one or two anti-aliased
/// shapes (circle, square, triangle, star, digit) of several colours and sizes, moving by class (linear, bounce,
/// orbit, zoom, rotate) at three speeds, on plain or gradient backgrounds. Everything about clip `i` follows from
/// the seed and `i` alone, so a set can be made again exactly, or in parts.
public struct ShapesDataset: Sendable {
    public var seed: UInt64
    public var size: Int
    public var frames: Int
    public var fps: Int

    public static let palette: [(name: String, rgb: String)] = [
        ("red", "#e6194b"), ("green", "#3cb44b"), ("yellow", "#ffe119"), ("blue", "#4363d8"), ("orange", "#f58231"),
        ("purple", "#b04ee0"), ("cyan", "#42d4f4"), ("magenta", "#f032e6"), ("white", "#f4f4f4"),
    ]
    public static let speeds = ["slow", "medium", "fast"]

    public init(seed: UInt64 = 1, size: Int = 64, frames: Int = 16, fps: Int = 16) {
        self.seed = seed
        self.size = size
        self.frames = frames
        self.fps = fps
    }

    /// Seconds from the first frame to the last.
    var span: Double { Double(frames - 1) / Double(fps) }

    /// Clip `index`: its class cycles through the motions, so every class has the same number of clips (±1).
    public func clip(_ index: Int) -> ShapeClip {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * Double(random.next() >> 11) / Double(1 << 53)
        }
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let motion = ShapeMotion.allCases[index % ShapeMotion.allCases.count]

        // Backgrounds dark enough for every colour of the palette to stand out.
        func dark() -> String {
            // A random hue at a low brightness (HSV with value 0.08-0.3, saturation 0.2-0.7).
            let hue = uniform(0...6), value = uniform(0.08...0.3), low = value * (1 - uniform(0.2...0.7))
            let sector = Int(hue) % 6, f = hue - hue.rounded(.down)
            let falling = value - (value - low) * f, rising = low + (value - low) * f
            let (r, g, b) = [(value, rising, low), (falling, value, low), (low, value, rising),
                             (low, falling, value), (rising, low, value), (value, low, falling)][sector]
            return Color(red: r, green: g, blue: b).description
        }
        let background = random.next() % 2 == 0
            ? ShapeBackground(colors: [dark()], angle: nil)
            : ShapeBackground(colors: [dark(), dark()], angle: (uniform(0...360) / 15).rounded() * 15)

        let count = random.next() % 10 < 3 ? 2 : 1
        var objects: [ShapeObject] = []
        var colors = Self.palette
        for _ in 0..<count {
            let shapes = motion == .rotate ? ShapeKind.allCases.filter { $0 != .circle } : ShapeKind.allCases
            let shape = pick(shapes)
            let color = colors.remove(at: Int(random.next() % UInt64(colors.count)))
            let speedIndex = Int(random.next() % 3)
            var object = ShapeObject(shape: shape, digit: shape == .digit ? Int(random.next() % 10) : nil,
                                     color: color.name, rgb: color.rgb, size: uniform(0.2...0.34),
                                     speed: Self.speeds[speedIndex], x: 0.5, y: 0.5, angle: 0)
            let margin = object.size / 2
            switch motion {
            case .linear:
                // Across at 0.25, 0.4 or 0.55 sides a second, never leaving the frame.
                let speed = [0.25, 0.4, 0.55][speedIndex], direction = uniform(0...(2 * .pi))
                let dx = speed * cos(direction) * span, dy = speed * sin(direction) * span
                object.velocityX = speed * cos(direction)
                object.velocityY = speed * sin(direction)
                object.x = uniform(Self.range(margin - min(0, dx), 1 - margin - max(0, dx)))
                object.y = uniform(Self.range(margin - min(0, dy), 1 - margin - max(0, dy)))
            case .bounce:
                let speed = [0.8, 1.2, 1.6][speedIndex], direction = uniform(0...(2 * .pi))
                object.velocityX = speed * cos(direction)
                object.velocityY = speed * sin(direction)
                object.x = uniform(margin...(1 - margin))
                object.y = uniform(margin...(1 - margin))
            case .orbit:
                let radius = uniform(0.14...0.22)
                object.radius = radius
                object.angularSpeed = [120.0, 220, 320][speedIndex] * (random.next() % 2 == 0 ? 1 : -1)
                object.angle = uniform(0...360)
                object.x = uniform(Self.range(margin + radius, 1 - margin - radius))
                object.y = uniform(Self.range(margin + radius, 1 - margin - radius))
            case .zoom:
                let change = [0.5, 0.8, 1.1][speedIndex] * span
                let small = uniform(0.5...0.7)
                let grow = random.next() % 2 == 0
                object.scaleFrom = grow ? small : small + change
                object.scaleTo = grow ? small + change : small
                let largest = object.size * (small + change) / 2
                object.x = uniform(Self.range(largest, 1 - largest))
                object.y = uniform(Self.range(largest, 1 - largest))
            case .rotate:
                object.angularSpeed = [90.0, 180, 300][speedIndex] * (random.next() % 2 == 0 ? 1 : -1)
                object.angle = uniform(0...360)
                object.x = uniform(margin...(1 - margin))
                object.y = uniform(margin...(1 - margin))
            }
            objects.append(object)
        }
        return ShapeClip(motion: motion, background: background, objects: objects)
    }

    /// `a...b`, or the midpoint when the interval is empty.
    static func range(_ a: Double, _ b: Double) -> ClosedRange<Double> { a <= b ? a...b : (a + b) / 2...(a + b) / 2 }

    /// Frame `index` of `clip`, drawn at ``size``×``size``.
    /// - Throws: `PhimError` when the digits' font (DejaVu Sans) is not installed.
    public func render(_ clip: ShapeClip, frame index: Int, glyphs: GlyphCache) throws(PhimError) -> PixelBuffer {
        var pixels = PixelBuffer(size: PixelSize(width: size, height: size))
        let side = Double(size)
        let time = Double(index) / Double(fps)
        try pixels.draw { (canvas) throws(PhimError) in
            let colors = clip.background.colors.compactMap { Color(parsing: $0) }
            if colors.count >= 2, let angle = clip.background.angle {
                let radians = angle * .pi / 180
                let dx = cos(radians) * side / 2, dy = sin(radians) * side / 2
                canvas.fill(.linearGradient(colors: colors, start: Point(x: side / 2 - dx, y: side / 2 - dy),
                                            end: Point(x: side / 2 + dx, y: side / 2 + dy)), blend: .source)
            } else {
                canvas.fill(.color(colors.first ?? .black), blend: .source)
            }
            for object in clip.objects {
                let state = object.state(motion: clip.motion, time: time, span: span)
                let center = Point(x: state.center.x * side, y: state.center.y * side)
                let width = object.size * state.scale * side
                let paint = Paint.color(Color(parsing: object.rgb) ?? .white)
                try canvas.withSavedState { () throws(PhimError) in
                    canvas.translate(x: center.x, y: center.y)
                    canvas.rotate(degrees: -state.angle)
                    try Self.draw(object, width: width, paint: paint, on: canvas, glyphs: glyphs)
                }
            }
        }
        return pixels
    }

    /// Draws `object` centred on the origin, `width` across.
    static func draw(_ object: ShapeObject, width: Double, paint: Paint, on canvas: Canvas, glyphs: GlyphCache) throws(PhimError) {
        let r = width / 2
        switch object.shape {
        case .circle:
            canvas.fill(ellipseIn: Rect(x: -r, y: -r, width: width, height: width), with: paint)
        case .square:
            let half = r * 0.82
            canvas.fill(polygon: [Point(x: -half, y: -half), Point(x: half, y: -half), Point(x: half, y: half), Point(x: -half, y: half)],
                        with: paint)
        case .triangle:
            canvas.fill(polygon: (0..<3).map { k in
                let a = (-90 + 120 * Double(k)) * .pi / 180
                return Point(x: r * cos(a), y: r * 0.15 + r * sin(a))
            }, with: paint)
        case .star:
            canvas.fill(polygon: (0..<10).map { k in
                let a = (-90 + 36 * Double(k)) * .pi / 180, radius = k % 2 == 0 ? r : r * 0.42
                return Point(x: radius * cos(a), y: radius * sin(a))
            }, with: paint)
        case .digit:
            let glyph = try glyphs.layout(digit: object.digit ?? 0, color: paint)
            // A glyph's ink is about 0.73 of the font size tall: scale so that it is `width` tall.
            let scale = width / (0.73 * GlyphCache.fontSize)
            canvas.scale(x: scale, y: scale)
            canvas.draw(glyph, at: Point(x: -glyph.size.width / 2, y: -glyph.size.height / 2))
        }
    }
}

/// Laid-out digit glyphs, made once per colour and reused for every frame (Pango layouts are costly to make).
/// Not `Sendable`: one per thread.
public final class GlyphCache {
    static let fontSize = 100.0
    private var layouts: [String: TextLayout] = [:]

    public init() {}

    func layout(digit: Int, color paint: Paint) throws(PhimError) -> TextLayout {
        guard case .color(let color) = paint else { preconditionFailure("digits are drawn in one colour") }
        let key = "\(digit)\(color)"
        if let layout = layouts[key] { return layout }
        let layout = try TextLayout(text: String(digit), style: TextStyle(fontFamily: "DejaVu Sans", fontSize: Self.fontSize,
                                                                     bold: true, color: color))
        layouts[key] = layout
        return layout
    }
}
