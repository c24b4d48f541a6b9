import Foundation
import PhimCore
import PhimMedia

/// One face followed through a video: its landmarks in every frame, as found and as a swap uses them.
public struct FaceTrack: Sendable {
    /// The frames the track covers (the same a re-encode of the video writes).
    public var plan: RetimedFrames.Plan
    /// Per frame, the landmarks as the predictor found them; `nil` where the face was not found.
    public var found: [FaceLandmarks?]
    /// Per frame, the landmarks a swap uses: short gaps filled by interpolation, each run smoothed over time.
    public var smoothed: [FaceLandmarks?]
    /// Frames in which the detector ran.
    public var detections: Int

    /// Frames with landmarks to swap onto.
    public var framesCovered: Int { smoothed.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The landmarks' jitter: the mean distance of each point from the midpoint of its place in the frames before
    /// and after (a second difference, which steady motion does not raise), in interocular distances, over every
    /// three consecutive frames that all have landmarks. `nil` when no three do.
    public static func jitter(_ frames: [FaceLandmarks?]) -> Double? {
        var total = 0.0
        var count = 0
        for index in frames.indices.dropFirst().dropLast() {
            guard let before = frames[index - 1], let now = frames[index], let after = frames[index + 1] else { continue }
            let scale = max(now.interocularDistance, 1)
            var sum = 0.0
            for p in 0..<FaceLandmarks.count {
                let dx = now.points[p].x - (before.points[p].x + after.points[p].x) / 2
                let dy = now.points[p].y - (before.points[p].y + after.points[p].y) / 2
                sum += (dx * dx + dy * dy).squareRoot()
            }
            total += sum / Double(FaceLandmarks.count) / scale
            count += 1
        }
        return count > 0 ? total / Double(count) : nil
    }
}

/// Follows one face through a video: the detector runs every few frames (and on every few frames while the face is
/// lost), and between detections the landmark predictor runs in a box placed from the previous frame's landmarks,
/// as the detector would have placed it. The face followed is the one nearest `identity` by descriptor, or, without
/// one, the largest. Short gaps are then filled by interpolation and every run smoothed (``LandmarkSmoother``).
public struct FaceTracker: Sendable {
    public var analyzer: FaceAnalyzer
    /// Frames between detections.
    public var detectEvery: Int
    /// The longest gap (seconds) filled by interpolation; the face is left alone over longer ones.
    public var maxGap: Double
    /// The person to follow; `nil` follows the largest face.
    public var identity: FaceDescriptor?
    /// The other people in the video: a face nearer one of them than `identity` is not followed, however near it
    /// is to `identity` (people whose descriptors are all near each other, as drawn characters' are, stay apart).
    public var others: [FaceDescriptor]
    /// The largest descriptor distance at which a face is `identity`'s.
    public var identityDistance: Double
    public var smoother: LandmarkSmoother
    public var progress: ProgressHandler?
    public var cancellation: CancellationFlag?

    public init(analyzer: FaceAnalyzer, detectEvery: Int = 6, maxGap: Double = 0.4, identity: FaceDescriptor? = nil,
                others: [FaceDescriptor] = [], identityDistance: Double = FaceDescriptor.samePersonDistance, smoother: LandmarkSmoother = LandmarkSmoother(),
                progress: ProgressHandler? = nil, cancellation: CancellationFlag? = nil) {
        self.analyzer = analyzer
        self.detectEvery = max(1, detectEvery)
        self.maxGap = maxGap
        self.identity = identity
        self.others = others
        self.identityDistance = identityDistance
        self.smoother = smoother
        self.progress = progress
        self.cancellation = cancellation
    }

    /// Tracks the face through `frames`, laid out as `plan` says.
    public func track(_ frames: some VideoFrameSource, plan: RetimedFrames.Plan) throws(PhimError) -> FaceTrack {
        let started = MonotonicClock.now()
        let longer = Double(max(plan.size.width, plan.size.height))
        // Detection at about 720 pixels on the longer side first; larger when that finds nothing.
        var scales = [min(1, 720 / longer), 1]
        if longer <= 1280 { scales.append(2) }
        scales = scales.reduce(into: [Double]()) { list, s in if !list.contains(s) { list.append(s) } }
        var found: [FaceLandmarks?] = []
        found.reserveCapacity(plan.count)
        var previous: FaceLandmarks?
        var boxShape: BoxShape?
        var sinceDetection = Int.max / 2
        var detections = 0
        var index = 0
        while let frame = try frames.nextFrame() {
            try cancellation?.check()
            var landmarks: FaceLandmarks?
            if let last = previous, let shape = boxShape, sinceDetection < detectEvery {
                let box = FaceBox(rect: shape.box(around: last.bounds), score: 1)
                let next = try analyzer.predictor.landmarks(in: frame, box: box)
                let ratio = next.interocularDistance / max(last.interocularDistance, 1)
                if ratio > 0.7, ratio < 1.4, Self.isInside(next, frame.size) { landmarks = next }
                sinceDetection += 1
            } else if sinceDetection >= detectEvery {
                detections += 1
                sinceDetection = 0
                for (position, scale) in scales.enumerated() {
                    if let face = try choose(in: frame, scale: scale, near: previous) {
                        landmarks = face.landmarks
                        boxShape = BoxShape(box: face.box.rect, landmarks: face.landmarks.bounds)
                        // The scale that found the face goes first from now on.
                        if position > 0 { scales.swapAt(0, position) }
                        break
                    }
                }
            } else {
                sinceDetection += 1
            }
            if landmarks == nil {
                // Lost: look again within half the usual interval.
                sinceDetection = max(sinceDetection, detectEvery - max(1, detectEvery / 2))
            }
            previous = landmarks
            found.append(landmarks)
            index += 1
            if index % 5 == 0 || index == plan.count {
                progress?(ProgressUpdate(stage: "track", completed: index, total: plan.count, elapsed: MonotonicClock.now() - started))
            }
        }
        var trackPlan = plan
        trackPlan.count = found.count
        return FaceTrack(plan: trackPlan, found: found, smoothed: smooth(fill(found, rate: plan.rate), rate: plan.rate),
                         detections: detections)
    }

    /// The face to follow among those detected in `frame`: the nearest to `identity` of those within the distance
    /// and nearer to it than to any of ``others``; without an identity, the one most overlapping the previous
    /// frame's, else the largest.
    private func choose(in frame: PixelBuffer, scale: Double, near previous: FaceLandmarks?) throws(PhimError) -> Face? {
        let boxes = try analyzer.detector.detect(in: frame, scale: scale)
        guard !boxes.isEmpty else { return nil }
        var faces: [Face] = []
        for box in boxes {
            let landmarks = try analyzer.predictor.landmarks(in: frame, box: box)
            let descriptor = identity == nil ? nil : try analyzer.encoder.descriptor(of: landmarks, in: frame)
            faces.append(Face(box: box, landmarks: landmarks, descriptor: descriptor))
        }
        if let identity {
            let scored = faces.compactMap { face in face.descriptor.map { (face, $0, $0.distance(to: identity)) } }
            return scored.filter { _, descriptor, distance in
                distance <= identityDistance && others.allSatisfy { descriptor.distance(to: $0) > distance }
            }.min { $0.2 < $1.2 }?.0
        }
        if let previous {
            let last = FaceBox(rect: previous.bounds, score: 1)
            if let best = faces.max(by: { $0.box.overlap(with: last) < $1.box.overlap(with: last) }), best.box.overlap(with: last) > 0.3 {
                return best
            }
        }
        return faces.max { $0.box.rect.width * $0.box.rect.height < $1.box.rect.width * $1.box.rect.height }
    }

    /// Gaps of up to ``maxGap`` between two found frames, filled by linear interpolation.
    func fill(_ frames: [FaceLandmarks?], rate: Double) -> [FaceLandmarks?] {
        var out = frames
        let longest = max(0, Int((maxGap * rate).rounded()))
        var index = 0
        while index < out.count {
            guard out[index] == nil else { index += 1; continue }
            var end = index
            while end < out.count, out[end] == nil { end += 1 }
            if index > 0, end < out.count, end - index <= longest, let a = out[index - 1], let b = out[end] {
                for gap in index..<end {
                    let t = Double(gap - index + 1) / Double(end - index + 1)
                    out[gap] = FaceLandmarks(points: zip(a.points, b.points).map { p, q in
                        Point(x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t)
                    })
                }
            }
            index = end
        }
        return out
    }

    /// Every run of frames with landmarks, smoothed on its own.
    func smooth(_ frames: [FaceLandmarks?], rate: Double) -> [FaceLandmarks?] {
        var out = frames
        var index = 0
        while index < out.count {
            guard out[index] != nil else { index += 1; continue }
            var end = index
            while end < out.count, out[end] != nil { end += 1 }
            let run = out[index..<end].map { $0! }
            for (offset, landmarks) in smoother.smooth(run, rate: rate).enumerated() { out[index + offset] = landmarks }
            index = end
        }
        return out
    }

    /// Whether most of the face lies inside the frame.
    static func isInside(_ landmarks: FaceLandmarks, _ size: PixelSize) -> Bool {
        let inside = landmarks.points.filter { $0.x >= 0 && $0.y >= 0 && $0.x < Double(size.width) && $0.y < Double(size.height) }
        return inside.count * 4 >= FaceLandmarks.count * 3
    }

    /// Where the detector puts its box relative to the landmarks' bounds, so that boxes placed from landmarks between
    /// detections look like the detector's (the predictor was trained on those).
    struct BoxShape {
        var centre: (x: Double, y: Double)
        var size: (width: Double, height: Double)

        init(box: Rect, landmarks bounds: Rect) {
            let w = max(bounds.width, 1), h = max(bounds.height, 1)
            centre = ((box.midX - bounds.midX) / w, (box.midY - bounds.midY) / h)
            size = (box.width / w, box.height / h)
        }

        func box(around bounds: Rect) -> Rect {
            let width = size.width * bounds.width, height = size.height * bounds.height
            return Rect(x: bounds.midX + centre.x * bounds.width - width / 2, y: bounds.midY + centre.y * bounds.height - height / 2,
                        width: width, height: height)
        }
    }
}
