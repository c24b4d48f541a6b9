import Foundation
import PhimCore

/// Adds Phim's watermark to the luma plane of each frame of one video, just before the encoder.
///
/// The change at each pixel is the tile pattern (see ``WatermarkLayout``) times an amplitude times a perceptual mask:
/// the mask follows the texture of each 16×16 block (its mean absolute luma gradient), so busy areas, where the eye
/// does not see small changes, carry the most, and flat areas and smooth gradients, where it sees every change,
/// nothing; a frame busy all over is turned down as a whole so that no frame's PSNR on luma falls below
/// ``WatermarkEmbedder/leastPSNR``. The pattern is the same in every frame, so a static shot shows no flicker.
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
    /// ``lowTextureGain(width:height:)`` for this frame size.
    private let lowTextureGain: Float
    /// Sum of squared luma changes and pixels seen, for ``meanSquaredChange``.
    public private(set) var squaredChange: Int = 0
    public private(set) var pixels: Int = 0

    static let block = 16
    /// Luma steps at a mask of 1.
    public static let amplitude: Float = 2.6
    /// No frame of 640×360 or more is changed more than this PSNR on luma allows (the mean squared change is capped).
    /// Smaller frames go down to ``leastPSNR``.
    public static let minimumPSNR = 43.5
    /// The floor in any frame: the 42 dB the mark must stay above, plus the 0.15 dB or so by which rounding to whole
    /// luma steps makes the change larger than the mask predicts (a 320×240 render at a 41.56 dB floor measured
    /// 41.46 dB, lossless against the same render unmarked).
    public static let smallestPSNR = 42.2
    /// This frame size's floor: ``minimumPSNR``, less up to 1.3 dB (the amplitude up to 1.16 times) in frames smaller
    /// than 640×360, as ``lowTextureGain(width:height:)`` grows, and never below ``smallestPSNR``. Busy frames, whose
    /// strength the floor sets, carry the mark in a small frame's fewer pixels too: 3 s of a 320×240 street scene
    /// re-encoded at CRF 28 read at p from 10⁻⁹ to 10⁻¹³ with 43.5 dB (six renders), 10⁻¹⁴ to 10⁻²¹ with 41.6.
    public let leastPSNR: Double
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
        lowTextureGain = Self.lowTextureGain(width: width, height: height)
        leastPSNR = max(Self.minimumPSNR - 20 * log10(Double(lowTextureGain)), Self.smallestPSNR)
    }

    /// A rectangle of a frame in pixels, right and bottom exclusive.
    public struct Region: Equatable, Sendable {
        public var left: Int, top: Int, right: Int, bottom: Int
    }

    /// Where the last frame embedded carries its mark so faintly that an encoder at its usual settings quantises it
    /// away, so the encoder should spend more bits there (a quantiser offset of ``keepOffset``): in a frame that has
    /// little texture to hide the mark in (a mean mask below ``faintFrame``: titles on plain or gradient grounds,
    /// generated clips upscaled from a small size) and does not carry ``enoughEnergy``, each run of blocks along a
    /// row whose mask is below ``faintBlock`` (both levels times ``lowTextureGain(width:height:)``). Empty for a frame
    /// with texture enough, where the mark's busy blocks carry it and flat areas such as sky are left to the encoder.
    /// These blocks are flat, so keeping them costs few bits.
    public private(set) var faintRegions: [Region] = []
    /// The quantiser offset asked for in ``faintRegions``, as a fraction of the quantiser's range (x264's 51 steps at
    /// 8 bits: about −10). At −0.1 a 640×360 title on a gradient still read at chance after CRF 23; at −0.2, 10⁻³⁷.
    public static let keepOffset = -0.2
    static let faintFrame: Float = 0.3
    static let faintBlock: Float = 0.3
    /// The mask squared, summed over the frame's pixels, from which a frame reads without help. `phim make`'s
    /// 1080×1920 backdrops with their bubbles (2.3·10⁵ to 4.3·10⁵) read at p ≈ 10⁻²⁴ as written, and asking there
    /// took that 45 s video from 3.2 MB to 7.7 MB; a 1080p title on a gradient (1.2·10⁵) read at chance without
    /// asking, the 640×360 one (6.5·10³) too.
    static let enoughEnergy = 200_000.0

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
    /// in them (at the 0.3 of earlier versions, as bands along make's backdrops; at 0.15 in a 720p backdrop, as
    /// streaks along them). Blocks of one level carry 0.22, a fine grain (at 0.3 it showed in bands of make's dark
    /// backdrops). Above 0.4 the mask rises from 0.17 to 0.5 at 1.2 and on with the texture to 2. In frames smaller
    /// than 640×360 the two low levels are raised by ``lowTextureGain(width:height:)``.
    static func mask(activity: Float, range: Int, lowTextureGain gain: Float = 1) -> Float {
        if range == 0 { return 0.22 * gain }
        guard activity >= 0.4 else { return 0.1 * gain }
        return min(0.1 + 0.2 * min((activity - 0.4) / 0.8, 1) + activity / 6, 2)
    }

    /// How much more the flat and smooth blocks of a small frame carry: the reader pools a cell's pixels over the
    /// frame, so its signal grows as the square root of the frame's area; below 640×360 the low levels grow as the
    /// area shrinks, up to 1.5 times (from about 320×320 down). At 1, `phim sample`'s 256×256 clips of a trained
    /// model read at p from 10⁻⁷ to 10⁻¹⁷ (two in nine above the threshold); at 1.5, 10⁻¹¹ and below.
    static func lowTextureGain(width: Int, height: Int) -> Float {
        min(1.5, max(1, (Float(640 * 360) / Float(max(width * height, 1))).squareRoot()))
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
                raw[by * blocksAcross + bx] = Int16((Self.mask(activity: activity, range: range, lowTextureGain: lowTextureGain) * 64).rounded())
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
        // The change this mask would make, and the cap: mean squared change ≤ 255² / 10^(leastPSNR / 10).
        var meanMaskSquare = mask.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(mask.count) / 4096
        let predicted = meanMaskSquare * patternPower / 4096
        let allowed = 255.0 * 255.0 / pow(10, leastPSNR / 10)
        if predicted > allowed {
            let gain = (allowed / predicted).squareRoot()
            for i in 0..<mask.count { mask[i] = Int16((Double(mask[i]) * gain).rounded(.down)) }
            meanMaskSquare *= gain * gain
        }
        findFaintRegions(energy: meanMaskSquare * Double(width * height))
    }

    /// ``faintRegions`` for the current mask, whose square summed over the pixels is `energy`.
    private func findFaintRegions(energy: Double) {
        faintRegions.removeAll(keepingCapacity: true)
        let meanMask = Float(mask.reduce(0) { $0 + Int($1) }) / Float(mask.count) / 64
        guard meanMask < Self.faintFrame * lowTextureGain, energy < Self.enoughEnergy else { return }
        let faint = Int16((Self.faintBlock * lowTextureGain * 64).rounded())
        for by in 0..<blocksDown {
            var bx = 0
            while bx < blocksAcross {
                guard mask[by * blocksAcross + bx] < faint else { bx += 1; continue }
                let start = bx
                while bx < blocksAcross && mask[by * blocksAcross + bx] < faint { bx += 1 }
                faintRegions.append(Region(left: start * Self.block, top: by * Self.block,
                                           right: min(bx * Self.block, width), bottom: min((by + 1) * Self.block, height)))
            }
        }
    }
}
