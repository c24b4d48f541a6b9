import Foundation
import PhimCore
import PhimMedia

/// The metadata-only control: what a detector could learn from a file's container and encoding alone (its size,
/// frame rate, duration, bit rate, bits per pixel). Trained and scored like the detector on the same split, it
/// should score near chance; when it does not, the real and generated videos differ in how they were encoded, and a
/// detector's figures on them may come from that rather than from the pictures.
public enum MetadataControl {
    public static let names = ["log width", "log height", "frame rate", "log duration", "log bit rate", "log bits per pixel"]

    /// The control's features of `url`.
    public static func features(of url: URL) throws(PhimError) -> [Float] {
        let info = try MediaProbe.probe(url)
        guard let video = info.primaryVideo else { throw PhimError(.invalidInput, "has no video stream", subject: .file(url)) }
        let size = Double((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
        let duration = max(info.duration ?? video.duration ?? 0, 1e-3)
        let bitRate = Double(info.bitRate ?? Int(size * 8 / duration))
        let rate = video.frameRate.isFinite ? video.frameRate : 0
        let perPixel = bitRate / max(1, Double(video.width * video.height) * max(rate, 1))
        return [log(Double(max(video.width, 1))), log(Double(max(video.height, 1))), rate, log(duration), log(max(bitRate, 1)),
                log(max(perPixel, 1e-9))].map(Float.init)
    }
}

extension DetectionMetrics {
    /// A 95 % bootstrap interval of the AUC over items (videos), from `rounds` resamplings with replacement (seeded);
    /// `nil` when fewer than two of each class.
    public static func aucInterval(probabilities: [Double], labels: [Bool], rounds: Int = 1_000, seed: UInt64 = 1) -> ClosedRange<Double>? {
        guard labels.filter({ $0 }).count >= 2, labels.filter({ !$0 }).count >= 2 else { return nil }
        var random = SplitMix64(seed: seed)
        var aucs: [Double] = []
        for _ in 0..<rounds {
            let picks = (0..<probabilities.count).map { _ in Int(random.next() % UInt64(probabilities.count)) }
            let sample = DetectionMetrics(probabilities: picks.map { probabilities[$0] }, labels: picks.map { labels[$0] })
            if sample.auc.isFinite { aucs.append(sample.auc) }
        }
        guard aucs.count >= rounds / 2 else { return nil }
        aucs.sort()
        return aucs[Int(Double(aucs.count - 1) * 0.025)]...aucs[Int(Double(aucs.count - 1) * 0.975)]
    }
}
