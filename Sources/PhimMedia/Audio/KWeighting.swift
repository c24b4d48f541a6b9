#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The coefficients of a second-order IIR section,
/// `H(z) = (b0 + b1·z⁻¹ + b2·z⁻²) / (1 + a1·z⁻¹ + a2·z⁻²)`.
public struct BiquadCoefficients: Sendable, Hashable {
    public var b0: Double, b1: Double, b2: Double
    public var a1: Double, a2: Double

    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        self.b0 = b0
        self.b1 = b1
        self.b2 = b2
        self.a1 = a1
        self.a2 = a2
    }

    /// The magnitude of the response at `frequency` Hz for a filter running at `sampleRate`.
    public func magnitude(at frequency: Double, sampleRate: Double) -> Double {
        let omega = 2 * Double.pi * frequency / sampleRate
        // z⁻¹ = e^{-iω}; evaluate numerator and denominator as complex numbers.
        let (c1, s1, c2, s2) = (cos(omega), -sin(omega), cos(2 * omega), -sin(2 * omega))
        let numeratorRe = b0 + b1 * c1 + b2 * c2, numeratorIm = b1 * s1 + b2 * s2
        let denominatorRe = 1 + a1 * c1 + a2 * c2, denominatorIm = a1 * s1 + a2 * s2
        return ((numeratorRe * numeratorRe + numeratorIm * numeratorIm)
            / (denominatorRe * denominatorRe + denominatorIm * denominatorIm)).squareRoot()
    }

    /// The same filter moved to another sample rate through the analogue domain: the section is written in
    /// the bilinear variable `w = (z − 1)/(z + 1)`, `w` is rescaled so that the frequency of the section's
    /// poles keeps its place (bilinear transform pre-warped at that frequency), and the result is written
    /// back in `z`. At `targetRate == sourceRate` the coefficients come back unchanged.
    func resampled(from sourceRate: Double, to targetRate: Double) -> BiquadCoefficients {
        // Numerator and denominator as polynomials in w: N(w) = n0 + n1·w + n2·w².
        let (n0, n1, n2) = (b0 + b1 + b2, 2 * (b0 - b2), b0 - b1 + b2)
        let (d0, d1, d2) = (1 + a1 + a2, 2 * (1 - a2), 1 - a1 + a2)
        // The poles' natural frequency: w_n² = d0/d2 and w_n = tan(π·f_n/fs).
        let poleFrequency = sourceRate / Double.pi * atan((d0 / d2).squareRoot())
        // w_source = ratio · w_target keeps f_n in place.
        let ratio = tan(Double.pi * poleFrequency / sourceRate) / tan(Double.pi * poleFrequency / targetRate)
        func toZ(_ p0: Double, _ p1: Double, _ p2: Double) -> (Double, Double, Double) {
            let q1 = p1 * ratio, q2 = p2 * ratio * ratio
            return (p0 + q1 + q2, 2 * (p0 - q2), p0 - q1 + q2)
        }
        let (nb0, nb1, nb2) = toZ(n0, n1, n2)
        let (na0, na1, na2) = toZ(d0, d1, d2)
        return BiquadCoefficients(b0: nb0 / na0, b1: nb1 / na0, b2: nb2 / na0, a1: na1 / na0, a2: na2 / na0)
    }
}

/// The K-weighting of ITU-R BS.1770-4: a high shelf (about +4 dB above 1.5 kHz, modelling the head)
/// followed by the RLB high-pass (about 38 Hz).
///
/// The standard tabulates both stages at 48 kHz only. For other rates the tabulated sections are moved
/// through the analogue domain (``BiquadCoefficients`` pre-warped bilinear re-mapping at each stage's pole
/// frequency), so that the response matches the 48 kHz filter's across the audible band.
public enum KWeighting {
    /// Stage 1 at 48 kHz (BS.1770-4, Table 1).
    public static let highShelf48k = BiquadCoefficients(
        b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285,
        a1: -1.69065929318241, a2: 0.73248077421585)
    /// Stage 2 at 48 kHz (BS.1770-4, Table 2).
    public static let highPass48k = BiquadCoefficients(
        b0: 1, b1: -2, b2: 1, a1: -1.99004745483398, a2: 0.99007225036621)

    /// Both stages for `sampleRate`.
    public static func coefficients(sampleRate: Int) -> (highShelf: BiquadCoefficients, highPass: BiquadCoefficients) {
        precondition(sampleRate > 0, "sample rate must be positive")
        if sampleRate == 48_000 { return (highShelf48k, highPass48k) }
        let rate = Double(sampleRate)
        return (highShelf48k.resampled(from: 48_000, to: rate), highPass48k.resampled(from: 48_000, to: rate))
    }

    /// The K-weighting gain at `frequency` (magnitude, linear) for `sampleRate`.
    public static func magnitude(at frequency: Double, sampleRate: Int) -> Double {
        let (shelf, highPass) = coefficients(sampleRate: sampleRate)
        return shelf.magnitude(at: frequency, sampleRate: Double(sampleRate))
            * highPass.magnitude(at: frequency, sampleRate: Double(sampleRate))
    }
}
