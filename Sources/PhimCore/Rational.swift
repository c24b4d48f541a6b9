/// An exact fraction, for frame rates and time bases (`30000/1001`).
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    public let numerator: Int64
    public let denominator: Int64

    /// - Precondition: `denominator != 0`.
    public init(_ numerator: Int64, _ denominator: Int64) {
        precondition(denominator != 0, "Rational with zero denominator")
        let sign: Int64 = denominator < 0 ? -1 : 1
        let divisor = Rational.gcd(abs(numerator), abs(denominator))
        self.numerator = sign * numerator / Swift.max(divisor, 1)
        self.denominator = sign * denominator / Swift.max(divisor, 1)
    }

    /// The fraction a frame rate given as a decimal number means: the NTSC family (`23.976`, `29.97`, `59.94`)
    /// becomes `N*1000/1001`, anything else the nearest fraction with a denominator of at most 1000.
    public init(approximating value: Double) {
        guard value.isFinite else { self.init(0, 1); return }
        let ntsc = (value * 1001 / 1000).rounded() * 1000
        if ntsc > 0, value != value.rounded(), abs(ntsc / 1001 - value) < 0.0002 * value {
            self.init(Int64(ntsc), 1001)
            return
        }
        self.init(Int64((value * 1000).rounded()), 1000)
    }

    public var doubleValue: Double { Double(numerator) / Double(denominator) }
    public var inverted: Rational { Rational(denominator, numerator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    private static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}

/// A frame rate and the conversions between seconds and frame indices that go with it.
public struct FrameRate: Hashable, Sendable, CustomStringConvertible {
    /// Frames per second, exactly.
    public let rate: Rational

    public init(_ rate: Rational) {
        precondition(rate.numerator > 0, "frame rate must be positive")
        self.rate = rate
    }

    public init(_ framesPerSecond: Double) { self.init(Rational(approximating: framesPerSecond)) }

    public var framesPerSecond: Double { rate.doubleValue }
    public var description: String { rate.description }

    /// The frame whose start is nearest to `seconds`.
    public func frameIndex(at seconds: Double) -> Int {
        Int((seconds * Double(rate.numerator) / Double(rate.denominator)).rounded())
    }

    /// When frame `index` starts, in seconds.
    public func seconds(ofFrame index: Int) -> Double {
        Double(index) * Double(rate.denominator) / Double(rate.numerator)
    }

    /// How many audio samples at `sampleRate` lie before the start of frame `index` (exact, no drift).
    public func samples(beforeFrame index: Int, sampleRate: Int) -> Int {
        Int(Int64(index) * Int64(sampleRate) * rate.denominator / rate.numerator)
    }
}
