/// A colour with straight (not premultiplied) alpha, each channel in 0...1.
public struct Color: Hashable, Sendable, CustomStringConvertible {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    public static let black = Color(red: 0, green: 0, blue: 0)
    public static let white = Color(red: 1, green: 1, blue: 1)
    public static let transparent = Color(red: 0, green: 0, blue: 0, alpha: 0)

    /// Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)`, `rgba(r, g, b, a)` or a CSS colour name.
    ///
    /// - Returns: `nil` when `text` is none of these.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace().lowercased()
        if trimmed.hasPrefix("#") {
            let hex = trimmed.dropFirst()
            guard hex.allSatisfy(\.isHexDigit), let value = UInt64(hex, radix: 16) else { return nil }
            func channel(_ shift: Int, bits: Int) -> Double {
                let mask: UInt64 = bits == 4 ? 0xF : 0xFF
                let raw = Double((value >> UInt64(shift)) & mask)
                return raw / Double(mask)
            }
            switch hex.count {
            case 3: self.init(red: channel(8, bits: 4), green: channel(4, bits: 4), blue: channel(0, bits: 4))
            case 4:
                self.init(red: channel(12, bits: 4), green: channel(8, bits: 4), blue: channel(4, bits: 4),
                          alpha: channel(0, bits: 4))
            case 6: self.init(red: channel(16, bits: 8), green: channel(8, bits: 8), blue: channel(0, bits: 8))
            case 8:
                self.init(red: channel(24, bits: 8), green: channel(16, bits: 8), blue: channel(8, bits: 8),
                          alpha: channel(0, bits: 8))
            default: return nil
            }
            return
        }
        if trimmed.hasPrefix("rgb") {
            guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else { return nil }
            let name = trimmed[..<open]
            let parts = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
                .split(separator: ",").map { String($0).trimmingWhitespace() }
            let numbers = parts.compactMap(Double.init)
            guard numbers.count == parts.count else { return nil }
            switch (name, numbers.count) {
            case ("rgb", 3), ("rgba", 4):
                guard numbers[0...2].allSatisfy({ (0...255).contains($0) }) else { return nil }
                let alpha = numbers.count == 4 ? numbers[3] : 1
                guard (0...1).contains(alpha) else { return nil }
                self.init(red: numbers[0] / 255, green: numbers[1] / 255, blue: numbers[2] / 255, alpha: alpha)
                return
            default: return nil
            }
        }
        guard let named = Color.named[trimmed] else { return nil }
        self = named
    }

    /// `#rrggbb` or `#rrggbbaa`.
    public var description: String {
        func hex(_ value: Double) -> String {
            let byte = Int((min(max(value, 0), 1) * 255).rounded())
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "#" + hex(red) + hex(green) + hex(blue) + (alpha < 1 ? hex(alpha) : "")
    }

    /// Linear interpolation between two colours (`t` = 0 gives `self`).
    public func mixed(with other: Color, _ t: Double) -> Color {
        Color(red: red + (other.red - red) * t, green: green + (other.green - green) * t,
              blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }

    private static let named: [String: Color] = [
        "black": .black, "white": .white, "transparent": .transparent,
        "red": Color(red: 1, green: 0, blue: 0), "lime": Color(red: 0, green: 1, blue: 0),
        "green": Color(red: 0, green: 128 / 255, blue: 0), "blue": Color(red: 0, green: 0, blue: 1),
        "yellow": Color(red: 1, green: 1, blue: 0), "cyan": Color(red: 0, green: 1, blue: 1),
        "magenta": Color(red: 1, green: 0, blue: 1), "gray": Color(red: 0.5, green: 0.5, blue: 0.5),
        "grey": Color(red: 0.5, green: 0.5, blue: 0.5), "orange": Color(red: 1, green: 165 / 255, blue: 0),
        "purple": Color(red: 128 / 255, green: 0, blue: 128 / 255), "pink": Color(red: 1, green: 192 / 255, blue: 203 / 255),
        "navy": Color(red: 0, green: 0, blue: 128 / 255), "teal": Color(red: 0, green: 128 / 255, blue: 128 / 255),
        "silver": Color(red: 192 / 255, green: 192 / 255, blue: 192 / 255),
        "maroon": Color(red: 128 / 255, green: 0, blue: 0), "olive": Color(red: 128 / 255, green: 128 / 255, blue: 0),
        "gold": Color(red: 1, green: 215 / 255, blue: 0), "brown": Color(red: 165 / 255, green: 42 / 255, blue: 42 / 255),
    ]
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
