import Foundation
import PhimCore

/// Adds Phim's watermark to the luma plane of each frame of one video, just before the encoder.
///
/// The change at each pixel is the tile pattern (see ``WatermarkLayout``) times an amplitude times a perceptual mask:
/// the mask follows the texture of each 16×16 block (its mean absolute luma gradient), so busy areas, where the eye
/// does not see small changes, carry the most, and flat areas and smooth gradients, where it sees every change,
/// nothing; a frame busy all over is turned down as a whole so that no frame's PSNR on luma falls below
/// ``WatermarkEmbedder/minimumPSNR``. The pattern is the same in every frame, so a static shot shows no flicker.
///
/// Not `Sendable`: one export's thread embeds.
public final class WatermarkEmbedder {
    public let payload: WatermarkPayload
    public let width: Int
    public let height: Int
    /// The pattern times the amplitude, in 1/64 luma steps.
    private let pattern: [Int16]
    /// Each pixel's rounding offset, 0…4095 in the 1/4096 steps of `pattern × mask`: a fixed pseudo-random dither,
    /// so that a change smaller than a luma step becomes fine grain rather than hard-edged shapes that repeat with
    /// the tile (what plain rounding made of it on smooth gradients).
    private let dither: [Int16]
    /// Each 16×16 block's mask, in 1/64.
    private var mask: [Int16]
    private let blocksAcross: Int
    private let blocksDown: Int
    /// Sum of squared luma changes and pixels seen, for ``meanSquaredChange``.
    public private(set) var squaredChange: Int = 0
    public private(set) var pixels: Int = 0

    static let block = 16
    /// Luma steps at a mask of 1.
    public static let amplitude: Float = 2.6
    /// No frame is changed more than this PSNR on luma allows (the mean squared change is capped).
    public static let minimumPSNR = 43.5
    /// The pattern's mean square, in (1/64 luma step)², for predicting a frame's change from its mask.
    private let patternPower: Double

    public init(width: Int, height: Int, payload: WatermarkPayload) {
        self.payload = payload
        self.width = width
        self.height = height
        let picture = WatermarkLayout.render(WatermarkLayout.cellValues(payload), width: width, height: height,
                                             cell: WatermarkLayout.cellSize(width: width, height: height))
        pattern = picture.map { Int16(($0 * Self.amplitude * 64).rounded()) }
        var random = SplitMix64(seed: 0x6469_7468_6572)
        dither = (0..<width * height).map { _ in Int16(truncatingIfNeeded: random.next() & 4095) }
        patternPower = pattern.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(pattern.count, 1))
        blocksAcross = (width + Self.block - 1) / Self.block
        blocksDown = (height + Self.block - 1) / Self.block
        mask = [Int16](repeating: 0, count: blocksAcross * blocksDown)
    }

    /// The mean squared luma change so far (0 before any frame).
    public var meanSquaredChange: Double { pixels == 0 ? 0 : Double(squaredChange) / Double(pixels) }

    /// Marks one frame's luma plane (8 bits a sample, `stride` bytes a row) in place. Sixteen pixels at a time, one
    /// block's width: a pixel changes by (pattern × mask) / 4096 luma steps, rounded with the dither, clamped to 0…255.
    public func embed(luma: UnsafeMutablePointer<UInt8>, stride: Int) {
        measureMask(luma: luma, stride: stride)
        var squares = 0
        pattern.withUnsafeBufferPointer { pattern in
          dither.withUnsafeBufferPointer { dither in
            mask.withUnsafeBufferPointer { mask in
                let top = SIMD16<Int16>(repeating: 255), bottom = SIMD16<Int16>()
                for y in 0..<height {
                    let row = luma + y * stride
                    let patternRow = pattern.baseAddress! + y * width
                    let ditherRow = dither.baseAddress! + y * width
                    let maskRow = (y / Self.block) * blocksAcross
                    var rowSquares = SIMD16<Int16>()
                    var x = 0
                    while x + 16 <= width {
                        let m = SIMD16<Int16>(repeating: mask[maskRow + x / Self.block])
                        let old = SIMD16<Int16>(truncatingIfNeeded: UnsafeRawPointer(row + x).loadUnaligned(as: SIMD16<UInt8>.self))
                        let p = UnsafeRawPointer(patternRow + x).loadUnaligned(as: SIMD16<Int16>.self)
                        let d = UnsafeRawPointer(ditherRow + x).loadUnaligned(as: SIMD16<Int16>.self)
                        var new = old &+ ((p &* m &+ d) &>> 12)
                        new.replace(with: bottom, where: new .< bottom)
                        new.replace(with: top, where: new .> top)
                        let change = new &- old
                        rowSquares &+= change &* change
                        UnsafeMutableRawPointer(row + x).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: new), as: SIMD16<UInt8>.self)
                        x += 16
                    }
                    squares += Int(SIMD16<Int32>(truncatingIfNeeded: rowSquares).wrappedSum())
                    while x < width {
                        let m = Int32(mask[maskRow + x / Self.block])
                        let new = min(max(Int32(row[x]) + ((Int32(patternRow[x]) * m + Int32(ditherRow[x])) >> 12), 0), 255)
                        squares += Int((new - Int32(row[x])) * (new - Int32(row[x])))
                        row[x] = UInt8(new)
                        x += 1
                    }
                }
            }
          }
        }
        squaredChange += squares
        pixels += width * height
    }

    /// |a − b| a lane at a time (masks rather than `pointwiseMin`/`pointwiseMax`, which the compiler leaves as calls).
    @inline(__always)
    static func difference(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
        let greater = b .> a
        return a.replacing(with: b, where: greater) &- b.replacing(with: a, where: greater)
    }

    /// A block's mask for its mean absolute luma gradient (across plus down, in luma steps a pixel) and its range
    /// (largest luma less smallest). Smooth gradients (a step every few pixels at most: activity below 0.4 with a
    /// range) carry 0.1: a change of a luma step moves the contour lines between levels, and the eye sees the pattern
    /// in them (at the 0.3 of earlier versions, as bands along make's backdrops). Blocks of one level carry 0.22, a
    /// fine grain that x264 keeps (at 0.3 it showed in bands of make's dark backdrops; at 0.15 it no longer survived
    /// CRF 28 there). Above 0.4 the mask rises from 0.17 to 0.5 at 1.2 and on with the texture to 2.
    static func mask(activity: Float, range: Int) -> Float {
        if range == 0 { return 0.22 }
        guard activity >= 0.4 else { return 0.1 }
        return min(0.1 + 0.2 * min((activity - 0.4) / 0.8, 1) + activity / 6, 2)
    }

    /// Each block's mask, in 1/64 (``mask(activity:range:)`` of its gradient, measured on every fourth row, and of
    /// its range, on every row), averaged with the neighbouring blocks so that the strength changes gently; then the
    /// whole frame's mask is turned down if the change it predicts would pass the PSNR cap.
    private func measureMask(luma: UnsafeMutablePointer<UInt8>, stride: Int) {
        var raw = [Int16](repeating: 0, count: blocksAcross * blocksDown)
        for by in 0..<blocksDown {
            let top = by * Self.block, bottom = min(top + Self.block, height - 1)
            for bx in 0..<blocksAcross {
                let left = bx * Self.block, right = min(left + Self.block, width - 1)
                var total = 0, count = 0
                let simd = left + 17 <= width
                var y = top
                while y < bottom {
                    let row = luma + y * stride, below = row + stride
                    if simd {
                        let a = UnsafeRawPointer(row + left).loadUnaligned(as: SIMD16<UInt8>.self)
                        let b = UnsafeRawPointer(row + left + 1).loadUnaligned(as: SIMD16<UInt8>.self)
                        let c = UnsafeRawPointer(below + left).loadUnaligned(as: SIMD16<UInt8>.self)
                        let across = Self.difference(a, b), down = Self.difference(a, c)
                        total += Int((SIMD16<UInt16>(truncatingIfNeeded: across) &+ SIMD16<UInt16>(truncatingIfNeeded: down)).wrappedSum())
                        count += 16
                    } else {
                        for x in left..<right {
                            total += abs(Int(row[x + 1]) - Int(row[x])) + abs(Int(below[x]) - Int(row[x]))
                        }
                        count += right - left
                    }
                    y += 4
                }
                var range = 0
                if simd {
                    var low = SIMD16<UInt8>(repeating: 255), high = SIMD16<UInt8>()
                    for y in top...bottom {
                        let a = UnsafeRawPointer(luma + y * stride + left).loadUnaligned(as: SIMD16<UInt8>.self)
                        low.replace(with: a, where: a .< low)
                        high.replace(with: a, where: a .> high)
                    }
                    range = Int(high.max()) - Int(low.min())
                } else {
                    var low = 255, high = 0
                    for y in top...bottom {
                        for x in left...right {
                            low = min(low, Int(luma[y * stride + x]))
                            high = max(high, Int(luma[y * stride + x]))
                        }
                    }
                    range = high - low
                }
                let activity = count == 0 ? 0 : Float(total) / Float(count)
                raw[by * blocksAcross + bx] = Int16((Self.mask(activity: activity, range: range) * 64).rounded())
            }
        }
        for by in 0..<blocksDown {
            for bx in 0..<blocksAcross {
                var total = 0, count = 0
                for ny in max(by - 1, 0)...min(by + 1, blocksDown - 1) {
                    for nx in max(bx - 1, 0)...min(bx + 1, blocksAcross - 1) {
                        total += Int(raw[ny * blocksAcross + nx])
                        count += 1
                    }
                }
                // A flat block or a smooth gradient beside a busy block stays near its own strength: no halo around
                // text, no pattern in the contour lines.
                let own = Int(raw[by * blocksAcross + bx])
                mask[by * blocksAcross + bx] = Int16(min(total / count, own + 6))
            }
        }
        // The change this mask would make, and the cap: mean squared change ≤ 255² / 10^(minimumPSNR / 10).
        let meanMaskSquare = mask.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(mask.count) / 4096
        let predicted = meanMaskSquare * patternPower / 4096
        let allowed = 255.0 * 255.0 / pow(10, Self.minimumPSNR / 10)
        if predicted > allowed {
            let gain = (allowed / predicted).squareRoot()
            for i in 0..<mask.count { mask[i] = Int16((Double(mask[i]) * gain).rounded(.down)) }
        }
    }
}
