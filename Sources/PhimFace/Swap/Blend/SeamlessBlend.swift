import Foundation
import PhimCore

/// Poisson ("seamless") blending of a face into a picture (Pérez, Gangnet and Blake, 2003): inside the region the
/// result keeps the face's gradients, and at the region's edge it equals the picture. With the face's own gradients
/// as the guidance field this is the face plus a membrane: the smoothest correction (Δc = 0) that takes the value
/// `picture − face` on the edge, which this solves coarse-to-fine (a cascadic multigrid: each level's solution,
/// prolonged, starts the next finer level's over-relaxed Gauss–Seidel sweeps), in time linear in the region's area.
public enum SeamlessBlend {
    /// Sweeps at the finest level (the membrane is smooth, so the levels below have done most of the work) and at
    /// the levels between it and the coarsest.
    static let finestSweeps = 3
    static let sweeps = 6
    static let coarsestSweeps = 200
    static let relaxation: Float = 1.7

    /// Adds to `face` the membrane that makes it meet `picture` (the same rectangle of the target picture) at the edge
    /// of `interior`. Pixels outside `interior` are not changed. An interior pixel needs its four neighbours covered
    /// by the face (`coverage`), or it counts as edge.
    public static func blend(_ face: inout RGBImage, into picture: RGBImage, interior: [Bool], coverage: [Float]) {
        let w = face.width, h = face.height
        guard w >= 3, h >= 3 else { return }
        var finest = Level(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let k = y * w + x
                guard interior[k], x > 0, y > 0, x < w - 1, y < h - 1,
                      coverage[k - 1] > 0, coverage[k + 1] > 0, coverage[k - w] > 0, coverage[k + w] > 0 else { continue }
                finest.state[k] = Level.unknown
            }
        }
        // The edge: covered pixels next to the unknown ones, fixed at picture − face.
        for y in 0..<h {
            for x in 0..<w {
                let k = y * w + x
                guard finest.state[k] == Level.void, coverage[k] > 0 else { continue }
                let touches = (x > 0 && finest.state[k - 1] == Level.unknown) || (x < w - 1 && finest.state[k + 1] == Level.unknown)
                    || (y > 0 && finest.state[k - w] == Level.unknown) || (y < h - 1 && finest.state[k + w] == Level.unknown)
                guard touches else { continue }
                finest.state[k] = Level.fixed
                for c in 0..<3 { finest.value[3 * k + c] = picture.values[3 * k + c] - face.values[3 * k + c] }
            }
        }
        let membrane = solve(finest)
        for k in 0..<(w * h) where membrane.state[k] == Level.unknown {
            for c in 0..<3 { face.values[3 * k + c] += membrane.value[3 * k + c] }
        }
    }

    /// One level of the pyramid: values (3 per pixel) and each pixel's state.
    struct Level {
        static let void: UInt8 = 0, fixed: UInt8 = 1, unknown: UInt8 = 2
        var width: Int
        var height: Int
        var value: [Float]
        var state: [UInt8]

        init(width: Int, height: Int) {
            self.width = width
            self.height = height
            value = [Float](repeating: 0, count: 3 * width * height)
            state = [UInt8](repeating: Level.void, count: width * height)
        }

        /// The level half as large: a cell is fixed (at the mean of its fixed ones) when any of its four is, so that the
        /// edge survives at every level, and otherwise unknown when any of them is.
        func coarser() -> Level {
            var out = Level(width: (width + 1) / 2, height: (height + 1) / 2)
            for y in 0..<out.height {
                for x in 0..<out.width {
                    var sum: (Float, Float, Float) = (0, 0, 0)
                    var fixedCount: Float = 0
                    var anyUnknown = false
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            let fx = 2 * x + dx, fy = 2 * y + dy
                            guard fx < width, fy < height else { continue }
                            let k = fy * width + fx
                            if state[k] == Level.unknown { anyUnknown = true }
                            if state[k] == Level.fixed {
                                sum.0 += value[3 * k]; sum.1 += value[3 * k + 1]; sum.2 += value[3 * k + 2]
                                fixedCount += 1
                            }
                        }
                    }
                    let k = y * out.width + x
                    if fixedCount > 0 {
                        out.state[k] = Level.fixed
                        out.value[3 * k] = sum.0 / fixedCount
                        out.value[3 * k + 1] = sum.1 / fixedCount
                        out.value[3 * k + 2] = sum.2 / fixedCount
                    } else if anyUnknown {
                        out.state[k] = Level.unknown
                    }
                }
            }
            return out
        }

        /// Over-relaxed Gauss–Seidel sweeps of Laplace's equation over the unknown pixels (neighbours that are void
        /// are left out of the mean: a free edge).
        mutating func relax(sweeps: Int, omega: Float) {
            let w = width, h = height
            state.withUnsafeBufferPointer { s in
                value.withUnsafeMutableBufferPointer { v in
                    for _ in 0..<sweeps {
                        for y in 0..<h {
                            for x in 0..<w {
                                let k = y * w + x
                                guard s[k] == Level.unknown else { continue }
                                var n: Float = 0
                                var a: Float = 0, b: Float = 0, c: Float = 0
                                if x > 0 {
                                    let j = k - 1
                                    if s[j] != Level.void { a += v[3 * j]; b += v[3 * j + 1]; c += v[3 * j + 2]; n += 1 }
                                }
                                if x < w - 1 {
                                    let j = k + 1
                                    if s[j] != Level.void { a += v[3 * j]; b += v[3 * j + 1]; c += v[3 * j + 2]; n += 1 }
                                }
                                if y > 0 {
                                    let j = k - w
                                    if s[j] != Level.void { a += v[3 * j]; b += v[3 * j + 1]; c += v[3 * j + 2]; n += 1 }
                                }
                                if y < h - 1 {
                                    let j = k + w
                                    if s[j] != Level.void { a += v[3 * j]; b += v[3 * j + 1]; c += v[3 * j + 2]; n += 1 }
                                }
                                guard n > 0 else { continue }
                                let inv = 1 / n
                                v[3 * k] += omega * (a * inv - v[3 * k])
                                v[3 * k + 1] += omega * (b * inv - v[3 * k + 1])
                                v[3 * k + 2] += omega * (c * inv - v[3 * k + 2])
                            }
                        }
                    }
                }
            }
        }
    }

    /// Solves coarse-to-fine; returns the finest level with its unknowns filled.
    static func solve(_ finest: Level) -> Level {
        var levels = [finest]
        while max(levels.last!.width, levels.last!.height) > 8 { levels.append(levels.last!.coarser()) }
        levels[levels.count - 1].relax(sweeps: coarsestSweeps, omega: relaxation)
        for index in stride(from: levels.count - 2, through: 0, by: -1) {
            let coarse = levels[index + 1]
            var fine = levels[index]
            // Each unknown starts at its coarse cell's value.
            for y in 0..<fine.height {
                for x in 0..<fine.width {
                    let k = y * fine.width + x
                    guard fine.state[k] == Level.unknown else { continue }
                    let j = (y / 2) * coarse.width + x / 2
                    for c in 0..<3 { fine.value[3 * k + c] = coarse.value[3 * j + c] }
                }
            }
            fine.relax(sweeps: index == 0 ? finestSweeps : sweeps, omega: relaxation)
            levels[index] = fine
        }
        return levels[0]
    }
}
