import Foundation
import PhimCore
import PhimGraphics
import PhimMedia

/// How good a finished swap is, measured on the video it wrote against its target: how steady the new face is, whose
/// face it reads as, and how well it follows the target's expression. `phim swap --report` writes it as JSON with a
/// PNG strip of before/after frames; `Benchmarks/swap/run` reads the JSON.
public struct SwapReport: Sendable, Encodable {
    public var frames: Int
    public var framesSwapped: Int
    /// Landmark jitter (``FaceTrack/jitter(_:)``, in interocular distances) of the output face and of the target's own
    /// face, each found by the landmark predictor in the same boxes, and their ratio (output / target).
    public var jitterOutput: Double?
    public var jitterTarget: Double?
    public var jitterRatio: Double?
    /// The jitter of the target's landmarks as the tracker found them, and as smoothed for the swap.
    public var jitterTracked: Double?
    public var jitterSmoothed: Double?
    /// Descriptor distances to the source face, over the frames measured: the output's and the target's.
    public var framesDescribed: Int
    public var meanDistanceOutputToSource: Double?
    public var meanDistanceTargetToSource: Double?
    /// The output's mean distance to the target's person.
    public var meanDistanceOutputToTarget: Double?
    /// Frames (of those described) whose output face is nearer the source than the target face was.
    public var framesNearerSource: Int
    /// The mean distance of the output's eye and mouth landmarks from the target's, after aligning the two faces
    /// (rotation, scale, shift), in interocular distances: how far the expression moved.
    public var expressionError: Double?
    /// The mean difference, in degrees, between the output face's head pose (``HeadPose``) and the target face's:
    /// how far the new face turns, nods or tilts away from the head it sits on.
    public var poseErrorYaw: Double?
    public var poseErrorPitch: Double?
    public var poseErrorRoll: Double?
    /// Seconds the swap took, and its frames per second.
    public var seconds: Double
    public var framesPerSecond: Double
    /// The consent file's SHA-256.
    public var consentSHA256: String

    /// Before/after crops for the strip: target above, output below.
    private var strip: [(before: PixelBuffer, after: PixelBuffer)] = []

    private enum CodingKeys: String, CodingKey {
        case frames, framesSwapped, jitterOutput, jitterTarget, jitterRatio, jitterTracked, jitterSmoothed, framesDescribed, meanDistanceOutputToSource,
             meanDistanceTargetToSource, meanDistanceOutputToTarget, framesNearerSource, expressionError, poseErrorYaw, poseErrorPitch, poseErrorRoll, seconds,
             framesPerSecond, consentSHA256
    }

    /// The most frames whose faces are described (each costs a pass of the descriptor network on both videos).
    public static let maxDescribed = 150
    /// Frames in the PNG strip.
    public static let stripFrames = 4

    /// Measures `output` (the swap of `target` that `result` describes).
    public static func measure(output: URL, target: URL, result: FaceSwapJob.Result, analyzer: FaceAnalyzer,
                               progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) throws(PhimError) -> SwapReport {
        let plan = result.track.plan
        let before = try RetimedFrames(url: target, plan: plan)
        let after = try RetimedFrames(url: output, plan: plan)
        let swapped = result.track.smoothed.indices.filter { result.track.smoothed[$0] != nil }
        let describeEvery = max(1, (swapped.count + maxDescribed - 1) / maxDescribed)
        let stripAt = Set((0..<stripFrames).compactMap { i in
            swapped.isEmpty ? nil : swapped[min(swapped.count - 1, (2 * i + 1) * swapped.count / (2 * stripFrames))]
        })
        var report = SwapReport(frames: plan.count, framesSwapped: result.framesSwapped, framesDescribed: 0, framesNearerSource: 0,
                                seconds: result.export.elapsed,
                                framesPerSecond: Double(result.export.frameCount) / max(result.export.elapsed, 1e-9),
                                consentSHA256: result.approval.fileHash)
        var targetMarks: [FaceLandmarks?] = [], outputMarks: [FaceLandmarks?] = []
        var toSource: [Double] = [], targetToSource: [Double] = [], toTarget: [Double] = [], expression: [Double] = []
        var yaw: [Double] = [], pitch: [Double] = [], roll: [Double] = []
        let started = MonotonicClock.now()
        var index = 0
        var swappedSoFar = 0
        while let original = try before.nextFrame() {
            try cancellation?.check()
            guard let made = try after.nextFrame() else {
                throw PhimError(.corruptMedia, "has fewer frames than its target", subject: .file(output))
            }
            defer { index += 1 }
            guard index < result.track.smoothed.count, let place = result.track.smoothed[index] else {
                targetMarks.append(nil)
                outputMarks.append(nil)
                continue
            }
            let bounds = place.bounds
            let side = max(bounds.width, bounds.height) * 1.1
            let box = FaceBox(rect: Rect(x: bounds.midX - side / 2, y: bounds.midY - side / 2, width: side, height: side), score: 1)
            let was = try analyzer.predictor.landmarks(in: original, box: box)
            let now = try analyzer.predictor.landmarks(in: made, box: box)
            targetMarks.append(was)
            outputMarks.append(now)
            expression.append(Self.expressionDistance(now, was))
            if let a = HeadPose(now), let b = HeadPose(was) {
                yaw.append(abs(a.yaw - b.yaw))
                pitch.append(abs(a.pitch - b.pitch))
                roll.append(abs(a.roll - b.roll))
            }
            defer { swappedSoFar += 1 }
            if swappedSoFar % describeEvery == 0 {
                let outputFace = try analyzer.encoder.descriptor(of: now, in: made)
                let targetFace = try analyzer.encoder.descriptor(of: was, in: original)
                let out = outputFace.distance(to: result.source.descriptor), old = targetFace.distance(to: result.source.descriptor)
                toSource.append(out)
                targetToSource.append(old)
                toTarget.append(outputFace.distance(to: result.targetDescriptor))
                if out < old { report.framesNearerSource += 1 }
            }
            if stripAt.contains(index) {
                let centre = Point(x: bounds.midX, y: bounds.midY)
                report.strip.append((original.squareCrop(centre: centre, side: side * 1.5, size: 240),
                                     made.squareCrop(centre: centre, side: side * 1.5, size: 240)))
            }
            if index % 10 == 0 {
                progress?(ProgressUpdate(stage: "measure", completed: index, total: plan.count, elapsed: MonotonicClock.now() - started))
            }
        }
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        report.jitterTarget = FaceTrack.jitter(targetMarks)
        report.jitterOutput = FaceTrack.jitter(outputMarks)
        report.jitterTracked = FaceTrack.jitter(result.track.found)
        report.jitterSmoothed = FaceTrack.jitter(result.track.smoothed)
        if let o = report.jitterOutput, let t = report.jitterTarget, t > 0 { report.jitterRatio = o / t }
        report.framesDescribed = toSource.count
        report.meanDistanceOutputToSource = mean(toSource)
        report.meanDistanceTargetToSource = mean(targetToSource)
        report.meanDistanceOutputToTarget = mean(toTarget)
        report.expressionError = mean(expression)
        report.poseErrorYaw = mean(yaw)
        report.poseErrorPitch = mean(pitch)
        report.poseErrorRoll = mean(roll)
        return report
    }

    /// The eyes' and mouth's landmarks of `a` against `b`'s after aligning the whole faces, in interocular distances.
    static func expressionDistance(_ a: FaceLandmarks, _ b: FaceLandmarks) -> Double {
        let align = SimilarityTransform.aligning(a.points, to: b.points)
        let parts = Array(FaceLandmarks.rightEye.lowerBound..<FaceLandmarks.innerMouth.upperBound)
        let total = parts.reduce(0.0) { sum, i in
            let p = align.apply(a.points[i]), q = b.points[i]
            return sum + ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
        }
        return total / Double(parts.count) / max(b.interocularDistance, 1)
    }

    /// One line for the terminal.
    public var summary: String {
        var parts = ["\(framesSwapped) of \(frames) frames swapped"]
        if let o = meanDistanceOutputToSource, let t = meanDistanceTargetToSource {
            parts.append(String(format: "identity: nearer the source than the target was in %d of %d frames measured (distance to source %.2f, was %.2f)",
                                framesNearerSource, framesDescribed, o, t))
        }
        if let o = jitterOutput, let t = jitterTarget, let r = jitterRatio {
            parts.append(String(format: "jitter %.4f against the target's own %.4f (×%.2f)", o, t, r))
        }
        if let e = expressionError { parts.append(String(format: "expression error %.3f", e)) }
        if let y = poseErrorYaw, let p = poseErrorPitch, let r = poseErrorRoll {
            parts.append(String(format: "pose error %.1f° yaw, %.1f° pitch, %.1f° roll", y, p, r))
        }
        return parts.joined(separator: "; ")
    }

    /// Writes the JSON report and the before/after strip (PNG).
    public func write(to url: URL, strip stripURL: URL) throws(PhimError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw PhimError(.invalidInput, "the report does not encode: \(error)", subject: .file(url))
        }
        try OutputFile.write(data + Data("\n".utf8), to: url)
        try writeStrip(to: stripURL)
    }

    private func writeStrip(to url: URL) throws(PhimError) {
        let side = 240, gap = 8, label = 28
        let columns = max(1, strip.count)
        let size = PixelSize(width: gap + columns * (side + gap), height: label + 2 * (side + gap) + gap)
        var sheet = PixelBuffer(size: size)
        let style = TextStyle(fontSize: 15, bold: true, color: .white, alignment: .left)
        try sheet.draw { (canvas) throws(PhimError) in
            canvas.fill(rect: Rect(x: 0, y: 0, width: Double(size.width), height: Double(size.height)),
                        with: .color(Color(red: 0.12, green: 0.12, blue: 0.14)))
            canvas.draw(try TextLayout(text: strip.isEmpty ? "no frames swapped" : "target (above) and swap (below)", style: style),
                        at: Point(x: Double(gap), y: 6))
            for (i, pair) in strip.enumerated() {
                let x = Double(gap + i * (side + gap))
                canvas.draw(pair.before, in: Rect(x: x, y: Double(label), width: Double(side), height: Double(side)))
                canvas.draw(pair.after, in: Rect(x: x, y: Double(label + side + gap), width: Double(side), height: Double(side)))
            }
        }
        try sheet.writePNG(to: url)
    }
}
