/// A small, fast, seedable generator (Steele et al.'s SplitMix64): shuffling in data loaders, and procedural
/// drawings and music that must come out the same for the same seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for a signed seed as written in a project file.
    public init(seed: Int, salt: UInt64 = 0) { self.init(seed: UInt64(bitPattern: Int64(seed)) ^ salt) }

    /// A uniform value in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }
}
