import Foundation
import PhimCore
@testable import PhimDetect
import Testing

/// The spectral baseline's parts against what they must compute.
@Suite struct DetectorPartsTests {
    /// A seeded noise square, or the same noise made smooth by repeating each value over 4 × 4 pixels and blurring.
    static func square(smooth: Bool, seed: UInt64 = 1, side: Int = 256) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        let coarse = (0..<(side * side)).map { _ in Double(random.next() % 256) }
        guard smooth else { return coarse.map { UInt8($0) } }
        var out = [UInt8](repeating: 0, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                // Bilinear upsampling of a quarter-size grid: what a generator's upsampler does.
                let gx = Double(x) / 4, gy = Double(y) / 4
                let x0 = min(Int(gx), side / 4 - 1), y0 = min(Int(gy), side / 4 - 1)
                let x1 = min(x0 + 1, side / 4 - 1), y1 = min(y0 + 1, side / 4 - 1)
                let fx = gx - Double(x0), fy = gy - Double(y0)
                func at(_ i: Int, _ j: Int) -> Double { coarse[j * side + i] }
                let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx, bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx
                out[y * side + x] = UInt8(top + (bottom - top) * fy)
            }
        }
        return out
    }

    @Test func theSpectrumOfUpsampledPicturesFallsAtHighFrequencies() {
        let noise = SpectralFeatures.of(luma: Self.square(smooth: false))
        let upsampled = SpectralFeatures.of(luma: Self.square(smooth: true))
        #expect(noise.count == SpectralFeatures.count && upsampled.count == SpectralFeatures.count)
        // White noise is flat: its rings differ by little. The upsampled noise has lost its top octaves.
        let rings = SpectralFeatures.radialBins
        #expect(noise.prefix(rings).max()! - noise.prefix(rings).min()! < 0.3, "\(noise.prefix(rings))")
        #expect(upsampled[rings - 1] < upsampled[0] - 2, "\(upsampled.prefix(rings))")
        // Its DCT energy sits in the low coefficients too: coefficient (0, 1) over (7, 7).
        #expect(upsampled[rings] - upsampled[rings + 62] > noise[rings] - noise[rings + 62] + 0.5)
        // Brightness and contrast do not move the features: a picture against itself at twice the contrast, 40 brighter.
        let dim = Self.square(smooth: true).map { $0 / 3 }
        let a = SpectralFeatures.of(luma: dim), b = SpectralFeatures.of(luma: dim.map { 2 * $0 + 40 })
        let worst = zip(a.prefix(rings), b.prefix(rings)).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-3, "\(worst)")
    }

    @Test func logisticRegressionSeparatesAndTheTemperatureUndoesOverconfidence() {
        var random = SplitMix64(seed: 7)
        func gaussian() -> Float {
            let u = Double(random.next() % 1_000_000 + 1) / 1_000_001, v = Double(random.next() % 1_000_000) / 1_000_000
            return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
        }
        var features: [[Float]] = [], labels: [Bool] = []
        for i in 0..<400 {
            let generated = i % 2 == 0
            features.append([gaussian() + (generated ? 1.5 : -1.5), gaussian() * 3, gaussian()])
            labels.append(generated)
        }
        let model = LinearDetector.train(features, labels: labels)
        let right = zip(features, labels).filter { (model.logit($0.0) > 0) == $0.1 }.count
        #expect(right > 370, "\(right) of 400")
        #expect(abs(model.weights[0]) > 5 * abs(model.weights[1]), "\(model.weights)")
        // Logits ten times too large: the fitted temperature brings them back (the true one is 10).
        var calibrated = model
        let logits = features.map { 10 * model.logit($0) }
        calibrated.calibrate(logits: logits, labels: labels)
        #expect(calibrated.temperature > 5 && calibrated.temperature < 20, "\(calibrated.temperature)")
    }

    @Test func metricsMatchTheirDefinitions() {
        // The textbook example: AUC 0.75, average precision 0.8333.
        let m = DetectionMetrics(probabilities: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(abs(m.auc - 0.75) < 1e-12 && abs(m.averagePrecision - 5.0 / 6) < 1e-12)
        #expect(m.accuracy == 0.75)
        let perfect = DetectionMetrics(probabilities: [0.9, 0.8, 0.2, 0.1], labels: [true, true, false, false])
        #expect(perfect.auc == 1 && perfect.tprAtOnePercentFPR == 1 && perfect.accuracy == 1)
        let reversed = DetectionMetrics(probabilities: [0.1, 0.2, 0.8, 0.9], labels: [true, true, false, false])
        #expect(reversed.auc == 0)
        // Scores outside 0…1 (logits) rank the same and do not break the calibration bins.
        #expect(DetectionMetrics(probabilities: [-3, -1, 2, 5], labels: [false, false, true, true]).auc == 1)
        // Calibration: four items at 0.75, three of them generated, is perfectly calibrated; all four real is 0.75 off.
        #expect(DetectionMetrics(probabilities: [0.75, 0.75, 0.75, 0.75], labels: [true, true, true, false]).expectedCalibrationError < 1e-12)
        #expect(abs(DetectionMetrics(probabilities: [0.75, 0.75, 0.75, 0.75], labels: [false, false, false, false]).expectedCalibrationError - 0.75) < 1e-12)
    }
}
