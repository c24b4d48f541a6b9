import Foundation
import PhimCore
@testable import PhimFace
import Testing

/// The parts of a classical face swap, each against what it must compute: the mesh, the warp, the mask, the colour
/// transfer, the seamless blend, the smoothing and the gap filling.
@Suite struct SwapPartsTests {
    /// Points from a seeded generator, in a 200-pixel square.
    static func points(_ count: Int, seed: UInt64) -> [Point] {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { _ in Point(x: 200 * next(), y: 200 * next()) }
    }

    static func area(_ p: Point, _ q: Point, _ r: Point) -> Double {
        abs((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)) / 2
    }

    @Test(arguments: Array(1...12) as [UInt64])
    func delaunayTrianglesTileTheHullWithEmptyCircumcircles(seed: UInt64) {
        let points = Self.points(68, seed: seed)
        let triangles = Delaunay.triangulate(points)
        let hull = convexHull(points)
        // Euler: a triangulation of n points with h on the hull has 2n − 2 − h triangles.
        #expect(triangles.count == 2 * points.count - 2 - hull.count)
        let covered = triangles.reduce(0) { $0 + Self.area(points[$1.a], points[$1.b], points[$1.c]) }
        #expect(abs(covered - abs(polygonArea(hull))) < 1e-6 * abs(polygonArea(hull)))
        for t in triangles {
            let p = points[t.a], q = points[t.b], r = points[t.c]
            let d = 2 * (p.x * (q.y - r.y) + q.x * (r.y - p.y) + r.x * (p.y - q.y))
            let ux = ((p.x * p.x + p.y * p.y) * (q.y - r.y) + (q.x * q.x + q.y * q.y) * (r.y - p.y) + (r.x * r.x + r.y * r.y) * (p.y - q.y)) / d
            let uy = ((p.x * p.x + p.y * p.y) * (r.x - q.x) + (q.x * q.x + q.y * q.y) * (p.x - r.x) + (r.x * r.x + r.y * r.y) * (q.x - p.x)) / d
            let radius = ((p.x - ux) * (p.x - ux) + (p.y - uy) * (p.y - uy)).squareRoot()
            for (i, s) in points.enumerated() where ![t.a, t.b, t.c].contains(i) {
                #expect(((s.x - ux) * (s.x - ux) + (s.y - uy) * (s.y - uy)).squareRoot() >= radius - 1e-6)
            }
        }
    }

    /// A picture whose colour encodes its position, so a warp's result shows where each pixel came from.
    static func positionImage(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image.values[3 * (y * width + x)] = Float(x)
                image.values[3 * (y * width + x) + 1] = Float(y)
                image.values[3 * (y * width + x) + 2] = 50
            }
        }
        return image
    }

    @Test func theWarpOfAnAffinelyMovedMeshIsThatAffineMap() {
        let source = Self.positionImage(width: 220, height: 220)
        let from = Self.points(30, seed: 7).map { Point(x: 10 + $0.x, y: 10 + $0.y) }
        // Rotate by 10°, scale by 0.8, shift: every target pixel must come from the inverse map of its position.
        let map = SimilarityTransform(a: 0.8 * cos(0.1745), b: 0.8 * sin(0.1745), tx: 40, ty: 25)
        let to = from.map(map.apply)
        let warp = PiecewiseAffineWarp(triangles: Delaunay.triangulate(from))
        let rect = PixelRect(x: 0, y: 0, width: 260, height: 260)
        let (image, coverage) = warp.warp(source, from: from, to: to, over: rect)
        let inverse = SimilarityTransform.aligning(to, to: from)
        var checked = 0
        var worst = 0.0
        for y in 0..<rect.height {
            for x in 0..<rect.width where coverage[y * rect.width + x] > 0 {
                let back = inverse.apply(Point(x: Double(x), y: Double(y)))
                let k = 3 * (y * rect.width + x)
                worst = max(worst, abs(Double(image.values[k]) - back.x), abs(Double(image.values[k + 1]) - back.y))
                checked += 1
            }
        }
        let hullArea = abs(polygonArea(convexHull(to)))
        #expect(Double(checked) > 0.95 * hullArea, "\(checked) pixels covered of a hull of \(hullArea)")
        #expect(worst < 1.0, "largest error \(worst) pixels")
    }

    /// A frontal face's 68 landmarks, with the mouth open by `open` pixels: the mean shape of dlib's iBUG layout,
    /// roughly, 100 pixels between the eyes' centres.
    static func face(open: Double = 0, at centre: Point = Point(x: 150, y: 150)) -> FaceLandmarks {
        var points: [Point] = []
        for i in 0..<17 {  // jaw: a U from ear to ear
            let angle = Double.pi * Double(i) / 16
            points.append(Point(x: -cos(angle) * 110, y: -10 + sin(angle) * 120))
        }
        for i in 0..<10 { points.append(Point(x: -90 + Double(i) * 20 + (i >= 5 ? 0 : 0), y: -70 - 8 * sin(Double(i % 5) * 0.7))) }
        for i in 0..<9 { points.append(i < 4 ? Point(x: 0, y: -50 + Double(i) * 15) : Point(x: -20 + Double(i - 4) * 10, y: 15)) }
        for side in [-50.0, 50.0] {  // eyes
            for i in 0..<6 {
                let angle = 2 * Double.pi * Double(i) / 6
                points.append(Point(x: side - cos(angle) * 18, y: -35 + sin(angle) * 6))
            }
        }
        for i in 0..<12 {  // outer lips
            let angle = 2 * Double.pi * Double(i) / 12
            points.append(Point(x: -cos(angle) * 40, y: 55 + sin(angle) * (10 + open / 2)))
        }
        for i in 0..<8 {  // inner lips
            let angle = 2 * Double.pi * Double(i) / 8
            points.append(Point(x: -cos(angle) * 28, y: 55 + sin(angle) * open / 2))
        }
        return FaceLandmarks(points: points.map { Point(x: $0.x + centre.x, y: $0.y + centre.y) })
    }

    @Test func theMaskCoversTheFaceFadesAtItsEdgeAndLeavesAnOpenMouth() {
        let rect = PixelRect(x: 0, y: 0, width: 300, height: 300)
        let closed = FaceMask(landmarks: Self.face(open: 0), rect: rect)
        let open = FaceMask(landmarks: Self.face(open: 30), rect: rect)
        func at(_ mask: FaceMask, _ x: Int, _ y: Int) -> Float { mask.alpha[y * 300 + x] }
        #expect(at(closed, 150, 150) == 1)       // the nose
        #expect(at(closed, 150, 205) == 1)       // a closed mouth is the source's
        #expect(at(open, 150, 205) < 0.05)       // an open one is the target's
        #expect(at(closed, 5, 5) == 0)           // outside the face
        // The fade: strictly between 0 and 1 somewhere between the cheek's edge and the nose.
        let row = (40..<150).map { at(closed, $0, 150) }
        #expect(row.contains { $0 > 0.05 && $0 < 0.95 })
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 + 1e-6 }, "the fade rises towards the centre")
    }

    @Test func reinhardTransferGivesTheTargetsColourStatistics() throws {
        var image = RGBImage(width: 64, height: 64)
        var target = RGBImage(width: 64, height: 64)
        for k in 0..<(64 * 64) {
            let t = Float(k % 64) / 63
            (image.values[3 * k], image.values[3 * k + 1], image.values[3 * k + 2]) = (200 - 60 * t, 150 - 40 * t, 120 + 30 * t)
            (target.values[3 * k], target.values[3 * k + 1], target.values[3 * k + 2]) = (90 + 80 * t, 60 + 50 * t, 40 + 20 * t)
        }
        let all = [Float](repeating: 1, count: 64 * 64)
        let from = try #require(LabStatistics(of: image, weights: all))
        let to = try #require(LabStatistics(of: target, weights: all))
        ColorTransfer.reinhard(&image, coverage: all, from: from, to: to)
        let after = try #require(LabStatistics(of: image, weights: all))
        #expect(abs(after.mean.0 - to.mean.0) < 1.0 && abs(after.mean.1 - to.mean.1) < 1.0 && abs(after.mean.2 - to.mean.2) < 1.0,
                "\(after.mean) against \(to.mean)")
        #expect(abs(after.deviation.0 - to.deviation.0) < 1.0, "\(after.deviation) against \(to.deviation)")
    }

    @Test func histogramMatchingGivesTheTargetsDistribution() {
        var image = RGBImage(width: 100, height: 10)
        var target = RGBImage(width: 100, height: 10)
        for k in 0..<1000 {
            for c in 0..<3 {
                image.values[3 * k + c] = Float(k % 100)               // uniform on 0...99
                target.values[3 * k + c] = Float(100 + 2 * (k % 100))  // uniform on 100...298 (clipped at 255)
            }
        }
        let all = [Float](repeating: 1, count: 1000)
        ColorTransfer.matchHistograms(&image, coverage: all, target: target, weights: all)
        let values = (0..<1000).map { image.values[3 * $0] }.sorted()
        #expect(abs(values[500] - 200) <= 3, "median \(values[500])")
        #expect(values.first! >= 99 && values.last! <= 255)
    }

    @Test func theSeamlessBlendKeepsTheFacesDetailAndMeetsThePictureAtTheEdge() {
        let n = 120
        var face = RGBImage(width: n, height: n)
        var picture = RGBImage(width: n, height: n)
        var interior = [Bool](repeating: false, count: n * n)
        let coverage = [Float](repeating: 1, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let k = y * n + x
                let dx = Double(x - n / 2), dy = Double(y - n / 2)
                // Detail well inside the region: the membrane then carries none of it (at the edge it would).
                let detail = dx * dx + dy * dy < 35 * 35 ? Float(10 * sin(Double(x) / 3) * cos(Double(y) / 4)) : 0
                for c in 0..<3 {
                    face.values[3 * k + c] = 60 + detail
                    // The picture: a ramp, which the membrane (harmonic) reproduces exactly inside.
                    picture.values[3 * k + c] = 100 + Float(x) / 2
                }
                interior[k] = dx * dx + dy * dy < 50 * 50
            }
        }
        let original = face
        SeamlessBlend.blend(&face, into: picture, interior: interior, coverage: coverage)
        var worst: Float = 0
        for y in 0..<n {
            for x in 0..<n where interior[y * n + x] {
                let k = y * n + x
                // Inside: the picture's ramp plus the face's own detail (its offset from 60).
                let expected = picture.values[3 * k] + (original.values[3 * k] - 60)
                worst = max(worst, abs(face.values[3 * k] - expected))
            }
        }
        #expect(worst < 1.0, "largest error \(worst) (of values 0...255)")
        #expect(face.values[0] == original.values[0], "outside the region nothing changes")
    }

    @Test func smoothingRemovesJitterAndKeepsSteadyMotion() {
        var state: UInt64 = 42
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let rate = 30.0
        let truth = (0..<90).map { i in Self.face(at: Point(x: 150 + 2 * Double(i), y: 150)) }
        let noisy = truth.map { f in FaceLandmarks(points: f.points.map { Point(x: $0.x + 4 * noise(), y: $0.y + 4 * noise()) }) }
        let smoothed = LandmarkSmoother().smooth(noisy, rate: rate)
        let before = FaceTrack.jitter(noisy)!, after = FaceTrack.jitter(smoothed)!
        #expect(after < before / 5, "jitter \(before) → \(after)")
        // No lag: in the middle of the run, the smoothed points follow the true motion within a pixel and a half.
        let error = (20..<70).map { i in zip(smoothed[i].points, truth[i].points).map { abs($0.x - $1.x) }.reduce(0, +) / 68 }.max()!
        #expect(error < 1.5, "mean error \(error) pixels")
    }

    @Test func shortGapsAreFilledAndLongOnesLeft() throws {
        let tracker = FaceTracker(analyzer: try FaceAnalyzer(), maxGap: 0.2)
        let a = Self.face(at: Point(x: 100, y: 100)), b = Self.face(at: Point(x: 140, y: 100))
        let frames: [FaceLandmarks?] = [a, nil, nil, nil, b, nil, nil, nil, nil, nil, nil, nil, a]
        let filled = tracker.fill(frames, rate: 30)  // 0.2 s at 30 fps: gaps of up to 6 frames
        #expect(filled[1...3].allSatisfy { $0 != nil })
        #expect(abs(filled[2]!.points[30].x - (a.points[30].x + 20)) < 1e-9, "halfway between")
        #expect(filled[5...11].allSatisfy { $0 == nil }, "a gap of 7 frames stays a gap")
    }

    @Test func theTurnOfAFaceReadsFromItsLandmarks() {
        let frontal = Self.face()
        #expect(abs(frontal.turn) < 0.05)
        var turned = frontal
        for i in 27..<36 { turned.points[i].x += 70 }  // the nose towards the right edge of the jaw
        #expect(turned.turn > 1.0 / 3)
        #expect(turned.isTurned && !frontal.isTurned)
    }

    @Test func umeyamaRecoversASimilarity() {
        let from = Self.points(20, seed: 9)
        let map = SimilarityTransform(a: 1.3 * cos(-0.4), b: 1.3 * sin(-0.4), tx: -12, ty: 33)
        let found = SimilarityTransform.aligning(from, to: from.map(map.apply))
        #expect(abs(found.a - map.a) < 1e-9 && abs(found.b - map.b) < 1e-9 && abs(found.tx - map.tx) < 1e-7 && abs(found.ty - map.ty) < 1e-7)
        #expect(abs(found.scale - 1.3) < 1e-9)
    }
}

extension SwapPartsTests {
    @Test func relightingTakesTheTargetsShadingAndKeepsTheFacesDetail() {
        let n = 100
        var face = RGBImage(width: n, height: n), target = RGBImage(width: n, height: n)
        for y in 0..<n {
            for x in 0..<n {
                let k = y * n + x
                let detail: Float = (x / 4 + y / 4) % 2 == 0 ? 12 : -12  // a checkerboard of 4-pixel squares
                for c in 0..<3 {
                    face.values[3 * k + c] = 60 + Float(x) + detail    // lit from the right
                    target.values[3 * k + c] = 160 - Float(x) / 2       // lit from the left, no detail
                }
            }
        }
        let everywhere = [Float](repeating: 1, count: n * n)
        Relighting.relight(&face, target: target, weights: everywhere, radius: 10)
        // Away from the edges: the target's shading plus the face's checkerboard, within a few levels.
        var worst: Float = 0
        for y in 25..<75 {
            for x in 25..<75 {
                let detail: Float = (x / 4 + y / 4) % 2 == 0 ? 12 : -12
                worst = max(worst, abs(face.values[3 * (y * n + x)] - (160 - Float(x) / 2 + detail)))
            }
        }
        #expect(worst < 4, "largest error \(worst)")
    }
}

extension SwapPartsTests {
    @Test(arguments: [(0.0, 0.0, 0.0), (25.0, -10.0, 5.0), (-40.0, 15.0, -20.0)])
    func headPoseIsReadBackFromAProjectedGenericHead(yaw: Double, pitch: Double, roll: Double) throws {
        let truth = HeadPose(yaw: yaw, pitch: pitch, roll: roll)
        let r = truth.rotation()
        // Project the generic head's points as a weak-perspective camera would (scale 0.4, y down, shifted), into an
        // otherwise frontal set of landmarks.
        var points = Self.face().points
        for (index, p) in HeadPose.model.map({ ($0.index, $0.point) }) {
            let x = r[0][0] * p.0 + r[0][1] * p.1 + r[0][2] * p.2
            let y = r[1][0] * p.0 + r[1][1] * p.1 + r[1][2] * p.2
            points[index] = Point(x: 300 + 0.4 * x, y: 200 - 0.4 * y)
        }
        let found = try #require(HeadPose(FaceLandmarks(points: points)))
        #expect(abs(found.yaw - yaw) < 1e-6 && abs(found.pitch - pitch) < 1e-6 && abs(found.roll - roll) < 1e-6, "\(found)")
    }
}
