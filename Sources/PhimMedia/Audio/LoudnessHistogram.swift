#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loudness values (of gating blocks or short-term windows) collected for gating without keeping them one by
/// one: a histogram of 0.01 LU bins from the absolute gate (−70 LUFS) up to +30 LUFS, with the exact
/// count and summed mean-square energy of each bin.
///
/// Means of energies are exact; a gate falls on a bin, so only values within 0.01 LU of a gate can be
/// placed on the wrong side of it. Memory is fixed (160 KB) however long the stream.
struct LoudnessHistogram: Sendable {
    static let absoluteGate = -70.0
    static let highest = 30.0
    static let binsPerLU = 100.0
    static let binCount = Int((highest - absoluteGate) * binsPerLU)

    private var counts: [Int]
    private var energies: [Double]
    private(set) var totalCount = 0
    private var totalEnergy = 0.0

    init() {
        counts = [Int](repeating: 0, count: Self.binCount)
        energies = [Double](repeating: 0, count: Self.binCount)
    }

    /// Loudness in LUFS of a channel-weighted mean square (BS.1770-4, equation 2).
    static func loudness(ofEnergy energy: Double) -> Double {
        energy > 0 ? -0.691 + 10 * log10(energy) : -.infinity
    }

    static func bin(ofLoudness loudness: Double) -> Int {
        min(Self.binCount - 1, max(0, Int(((loudness - absoluteGate) * binsPerLU).rounded(.down))))
    }

    static func loudness(ofBin bin: Int) -> Double {
        absoluteGate + (Double(bin) + 0.5) / binsPerLU
    }

    /// Adds one value given as its mean-square energy; values at or below the absolute gate are dropped.
    mutating func add(energy: Double) {
        let loudness = Self.loudness(ofEnergy: energy)
        guard loudness > Self.absoluteGate else { return }
        let bin = Self.bin(ofLoudness: loudness)
        counts[bin] += 1
        energies[bin] += energy
        totalCount += 1
        totalEnergy += energy
    }

    /// The first bin at or above `threshold` LUFS: a bin is in when its values' mean loudness is above the
    /// threshold.
    private func firstBin(above threshold: Double) -> Int {
        guard threshold > Self.absoluteGate else { return 0 }
        let bin = Self.bin(ofLoudness: threshold)
        guard counts[bin] > 0 else { return bin + 1 }
        return Self.loudness(ofEnergy: energies[bin] / Double(counts[bin])) > threshold ? bin : bin + 1
    }

    /// The loudness of the mean energy of the values above the absolute gate.
    var ungatedLoudness: Double {
        totalCount > 0 ? Self.loudness(ofEnergy: totalEnergy / Double(totalCount)) : -.infinity
    }

    /// Integrated loudness (BS.1770-4 §2.8): the loudness of the mean energy of the values above both the
    /// absolute gate and a relative gate `relativeGate` LU below ``ungatedLoudness``.
    /// - Complexity: O(bins).
    func gatedLoudness(relativeGate: Double) -> Double {
        guard totalCount > 0 else { return -.infinity }
        let first = firstBin(above: ungatedLoudness + relativeGate)
        var count = 0, energy = 0.0
        for bin in first..<Self.binCount where counts[bin] > 0 {
            count += counts[bin]
            energy += energies[bin]
        }
        return count > 0 ? Self.loudness(ofEnergy: energy / Double(count)) : -.infinity
    }

    /// The loudness range (EBU Tech 3342): from the 10th to the 95th percentile of the values above the
    /// absolute gate and a relative gate 20 LU below their mean energy; 0 when no value passes.
    /// - Complexity: O(bins).
    func loudnessRange() -> Double {
        guard totalCount > 0 else { return 0 }
        let first = firstBin(above: ungatedLoudness - 20)
        var kept = 0
        for bin in first..<Self.binCount { kept += counts[bin] }
        guard kept > 0 else { return 0 }
        // The values are in bin order; the p-th percentile is the value at rank round((kept - 1) · p).
        func percentile(_ p: Double) -> Double {
            let rank = Int((Double(kept - 1) * p).rounded())
            var seen = 0
            for bin in first..<Self.binCount {
                seen += counts[bin]
                if seen > rank { return Self.loudness(ofBin: bin) }
            }
            return Self.loudness(ofBin: Self.binCount - 1)
        }
        return percentile(0.95) - percentile(0.10)
    }
}
