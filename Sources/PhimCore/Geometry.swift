/// A size in pixels.
public struct PixelSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }
    public var area: Int { width * height }
    public var aspectRatio: Double { Double(width) / Double(max(height, 1)) }
}

/// A point in continuous coordinates.
public struct Point: Hashable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A rectangle in continuous coordinates, origin at the top left.
public struct Rect: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }
}

/// How content of one aspect ratio fills a frame of another.
public enum FitMode: String, Sendable, CaseIterable {
    /// Fill the frame, cropping what overflows.
    case cover
    /// Show all of the content, leaving bars.
    case contain
    /// Fill the frame, distorting the content.
    case stretch

    /// Where content of `content` size lands inside `frame`, centred.
    public func placement(of content: PixelSize, in frame: PixelSize) -> Rect {
        let frameW = Double(frame.width), frameH = Double(frame.height)
        let contentW = Double(max(content.width, 1)), contentH = Double(max(content.height, 1))
        switch self {
        case .stretch:
            return Rect(x: 0, y: 0, width: frameW, height: frameH)
        case .cover, .contain:
            let scaleW = frameW / contentW, scaleH = frameH / contentH
            let scale = self == .cover ? max(scaleW, scaleH) : min(scaleW, scaleH)
            let width = contentW * scale, height = contentH * scale
            return Rect(x: (frameW - width) / 2, y: (frameH - height) / 2, width: width, height: height)
        }
    }
}
