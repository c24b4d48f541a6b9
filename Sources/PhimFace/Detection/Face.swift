import Foundation
import PhimCore

/// Where a detector found a face, in the picture's pixels.
public struct FaceBox: Hashable, Sendable {
    /// The face's square, left-top corner and size in pixels (dlib's detectors find roughly square boxes from the
    /// brows to the chin).
    public var rect: Rect
    /// The detector's confidence: above 0 when found at the default threshold.
    public var score: Double
    /// Which way the face looks, as the detector saw it.
    public var pose: FacePose

    public init(rect: Rect, score: Double, pose: FacePose = .frontal) {
        self.rect = rect
        self.score = score
        self.pose = pose
    }

    /// The box as dlib's inclusive integer corners.
    var corners: [Int32] {
        [Int32((rect.x).rounded()), Int32((rect.y).rounded()),
         Int32((rect.x + rect.width).rounded()) - 1, Int32((rect.y + rect.height).rounded()) - 1]
    }

    /// The share of the smaller box that the two boxes have in common (0: apart, 1: one inside the other).
    public func overlap(with other: FaceBox) -> Double {
        let left = max(rect.x, other.rect.x), right = min(rect.x + rect.width, other.rect.x + other.rect.width)
        let top = max(rect.y, other.rect.y), bottom = min(rect.y + rect.height, other.rect.y + other.rect.height)
        guard right > left, bottom > top else { return 0 }
        let smaller = min(rect.width * rect.height, other.rect.width * other.rect.height)
        return smaller > 0 ? (right - left) * (bottom - top) / smaller : 0
    }
}

/// Which way a face looks: the HOG detector's five filters are trained on frontal faces, faces turned left and
/// right, and frontal faces rolled either way.
public enum FacePose: String, Hashable, Sendable, Codable {
    case frontal, turnedLeft, turnedRight, rolledLeft, rolledRight

    init(dlibFilter index: Int32) {
        self = switch index {
        case 1: .turnedLeft
        case 2: .turnedRight
        case 3: .rolledLeft
        case 4: .rolledRight
        default: .frontal
        }
    }
}

/// A face's 68 landmarks in iBUG 300-W order: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67.
public struct FaceLandmarks: Hashable, Sendable {
    public var points: [Point]

    public init(points: [Point]) {
        self.points = points
    }

    public static let count = 68
    public static let jaw = 0..<17
    public static let rightBrow = 17..<22
    public static let leftBrow = 22..<27
    public static let nose = 27..<36
    public static let rightEye = 36..<42
    public static let leftEye = 42..<48
    public static let outerMouth = 48..<60
    public static let innerMouth = 60..<68

    /// The mean of the points in `range`.
    public func centre(of range: Range<Int>) -> Point {
        let chosen = points[range]
        let n = Double(chosen.count)
        return Point(x: chosen.reduce(0) { $0 + $1.x } / n, y: chosen.reduce(0) { $0 + $1.y } / n)
    }

    /// The distance between the eyes' centres, the face's scale.
    public var interocularDistance: Double {
        let a = centre(of: Self.rightEye), b = centre(of: Self.leftEye)
        return ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// How far the face is turned left or right, from the landmarks: −1 (the nose on the jaw's left edge) to 1 (on
    /// its right), 0 for a frontal face. The nose tip's horizontal distance to each side of the jaw, across the
    /// line between the jaw's ends, compared.
    public var turn: Double {
        let left = points[1], right = points[15], nose = points[30]
        let ax = right.x - left.x, ay = right.y - left.y
        let length = (ax * ax + ay * ay).squareRoot()
        guard length > 0 else { return 0 }
        let along = ((nose.x - left.x) * ax + (nose.y - left.y) * ay) / length
        let share = min(max(along / length, 0), 1)
        return 2 * share - 1
    }

    /// Turned far enough (a third of the way to profile: the nose twice as far from one side of the jaw as from the
    /// other) that a frontal face drawn over it would not fit.
    public var isTurned: Bool { abs(turn) > 1.0 / 3 }

    /// The smallest rectangle holding every point.
    public var bounds: Rect {
        let xs = points.map(\.x), ys = points.map(\.y)
        let left = xs.min() ?? 0, top = ys.min() ?? 0
        return Rect(x: left, y: top, width: (xs.max() ?? 0) - left, height: (ys.max() ?? 0) - top)
    }
}

/// dlib's 128-D face descriptor: two photos of the same person are usually less than ``samePersonDistance`` apart.
public struct FaceDescriptor: Hashable, Sendable, Codable {
    public var values: [Float]

    public init(values: [Float]) {
        precondition(values.count == Self.dimensions, "a face descriptor has 128 values")
        self.values = values
    }

    public static let dimensions = 128
    /// dlib's threshold for "the same person" (99.38 % on LFW at this threshold, by dlib's own measure).
    public static let samePersonDistance = 0.6

    /// The Euclidean distance to `other`.
    public func distance(to other: FaceDescriptor) -> Double {
        var sum: Float = 0
        for i in 0..<Self.dimensions {
            let d = values[i] - other.values[i]
            sum += d * d
        }
        return Double(sum.squareRoot())
    }
}

/// A face found in a picture: where, its landmarks, and (when asked for) its descriptor.
public struct Face: Hashable, Sendable {
    public var box: FaceBox
    public var landmarks: FaceLandmarks
    public var descriptor: FaceDescriptor?

    public init(box: FaceBox, landmarks: FaceLandmarks, descriptor: FaceDescriptor? = nil) {
        self.box = box
        self.landmarks = landmarks
        self.descriptor = descriptor
    }
}
