import Foundation

/// How well scores separate generated (`true`) from real (`false`): the figures `phim detect eval` reports.
public struct DetectionMetrics: Codable, Sendable, Equatable {
    public var count: Int
    public var positives: Int
    /// The area under the ROC curve: the chance that a random generated item scores above a random real one (ties half).
    public var auc: Double
    /// Average precision: the area under the precision–recall curve, by its step definition.
    public var averagePrecision: Double
    /// The share classified right at `threshold`.
    public var accuracy: Double
    public var threshold: Double
    /// The share of generated items caught at the highest threshold that passes at most 1 % of the real ones.
    public var tprAtOnePercentFPR: Double
    /// Expected calibration error over ten equal-width probability bins.
    public var expectedCalibrationError: Double

    /// - Parameters:
    ///   - probabilities: each item's probability of being generated.
    ///   - labels: whether each item is generated.
    ///   - threshold: the probability at and above which an item is called generated.
    public init(probabilities: [Double], labels: [Bool], threshold: Double = 0.5) {
        count = probabilities.count
        positives = labels.filter { $0 }.count
        self.threshold = threshold
        let negatives = count - positives
        // AUC by ranks (Mann–Whitney), ties sharing their ranks.
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var ranks = [Double](repeating: 0, count: count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, probabilities[order[j + 1]] == probabilities[order[i]] { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        let positiveRanks = zip(ranks, labels).filter { $0.1 }.reduce(0) { $0 + $1.0 }
        auc = positives > 0 && negatives > 0
            ? (positiveRanks - Double(positives * (positives + 1)) / 2) / Double(positives * negatives) : .nan
        // AP: precision at each generated item, from the highest score down.
        var caught = 0, seen = 0, sum = 0.0
        for index in order.reversed() {
            seen += 1
            if labels[index] {
                caught += 1
                sum += Double(caught) / Double(seen)
            }
        }
        averagePrecision = positives > 0 ? sum / Double(positives) : .nan
        accuracy = count > 0 ? Double(zip(probabilities, labels).filter { ($0.0 >= threshold) == $0.1 }.count) / Double(count) : .nan
        // TPR at ≤ 1 % FPR: the lowest threshold above all but 1 % of the real scores.
        let real = zip(probabilities, labels).filter { !$0.1 }.map(\.0).sorted(by: >)
        let allowed = Int((Double(real.count) * 0.01).rounded(.down))
        let cut = real.isEmpty ? 0 : real[min(allowed, real.count - 1)]
        tprAtOnePercentFPR = positives > 0 ? Double(zip(probabilities, labels).filter { $0.1 && $0.0 > cut }.count) / Double(positives) : .nan
        // ECE: |mean probability − share generated| per bin, weighted by the bin's share of items.
        var bins = [(sum: Double, hits: Double, count: Double)](repeating: (0, 0, 0), count: 10)
        for (p, label) in zip(probabilities, labels) {
            let b = p.isFinite ? min(9, max(0, Int(p * 10))) : 0
            bins[b].sum += p
            bins[b].hits += label ? 1 : 0
            bins[b].count += 1
        }
        expectedCalibrationError = count > 0
            ? bins.filter { $0.count > 0 }.reduce(0) { $0 + abs($1.sum - $1.hits) } / Double(count) : .nan
    }
}
