import Foundation
import PhimCore

/// What the detector found in a video.
public struct WatermarkReading: Sendable, Equatable {
    /// The pilot was found: `pValue` is below ``WatermarkReading/threshold``.
    public var detected: Bool
    /// The chance that a video without Phim's watermark would agree with the pilot at least this well, over every
    /// tile size and shift the detector tried (a binomial tail, over cells grouped as the agreement's spread at the
    /// other shifts shows them to depend on each other, times the number of tries), and decode to bits whose CRC
    /// holds (2⁻¹⁶) when they do; twice that product, as either way of scoring could have been the one that won.
    public var pValue: Double
    /// The 64 payload bits as read, whether or not their CRC holds.
    public var bits: UInt64
    /// The payload, when the watermark was detected and its CRC holds.
    public var payload: WatermarkPayload?
    /// Pilot cells whose sign agreed, of ``WatermarkReading/pilotCells``.
    public var pilotAgreement: Int
    /// The tile's period in this video's pixels (128 in a 1080p video as Phim wrote it).
    public var period: (x: Double, y: Double)
    /// Frames pooled.
    public var frames: Int
    /// Each coded payload bit's soft value at the pilot's shift (its cells summed with their signs; positive for 1).
    var codedSoft: [Float] = []
    /// How many neighbouring cells act as one (at least 1), as the pilot's agreement at other shifts shows.
    var dependence = 1.0
    /// The p-values of the decoys searched for (see ``WatermarkAccumulator/read(decoys:seed:)``); empty unless asked.
    public var decoyPValues: [Double] = []

    /// Below this p-value the watermark counts as detected, so that fewer than one unmarked video in a million is
    /// taken for a marked one. Not 10⁻⁶ itself: the p-value is conservative in bulk, but the tail of 40,000 decoy
    /// searches (`Benchmarks/provenance/run`) decays more slowly than an exact p-value's, and at 10⁻⁶ the fitted
    /// false-positive rate was 1.4·10⁻⁶ a video; at 10⁻⁹ its 95 % upper bound is 9·10⁻⁷ whatever the tail's shape.
    /// Marked videos read far below it (10⁻¹⁵ to 10⁻⁶⁵ after the benchmark's attacks).
    public static let threshold = 1e-9
    public static let pilotCells = WatermarkLayout.pilotCount

    public static func == (a: Self, b: Self) -> Bool {
        a.detected == b.detected && a.pValue == b.pValue && a.bits == b.bits && a.payload == b.payload
            && a.pilotAgreement == b.pilotAgreement && a.period == b.period && a.frames == b.frames
            && a.codedSoft == b.codedSoft && a.dependence == b.dependence && a.decoyPValues == b.decoyPValues
    }

    static func absent(frames: Int) -> WatermarkReading {
        WatermarkReading(detected: false, pValue: 1, bits: 0, payload: nil, pilotAgreement: 0, period: (0, 0), frames: frames)
    }
}

extension WatermarkAccumulator {
    /// Looks for the watermark in the frames added so far: ``TileSearch`` finds the tile's period and the pilot's
    /// shift; there each cell is read, the payload cells giving the 64 bits, the pilot's agreement and the payload's
    /// CRC the p-value.
    public func read() -> WatermarkReading { read(decoys: 0) }

    /// Reads the watermark, and searches the picture for `decoys` patterns that Phim never embeds (the pilot's cells
    /// with random signs), each exactly as the pilot is searched for (its own period candidates, hill climbing,
    /// best shift and dependence): their p-values (``WatermarkReading/decoyPValues``, worked out as the pilot's is,
    /// without the CRC's share) are what this very video gives patterns it does not carry, a check of the p-value's
    /// calibration. Folded tiles are shared between searches (up to about 100 MB of them).
    public func read(decoys: Int, seed: UInt64 = 0x0DEC_0750) -> WatermarkReading {
        let maxPeriod = min(600, Double(min(width, height)) / 2.2)
        guard frames > 0, maxPeriod > 40 else { return .absent(frames: frames) }
        let search = TileSearch(self, maxPeriod: maxPeriod)
        guard let (best, tries) = search.run(Pilot.phim) else { return .absent(frames: frames) }
        var random = SplitMix64(seed: seed)
        let decoyPValues = (0..<decoys).map { _ -> Double in
            guard let (fit, tries) = search.run(Pilot.decoy(&random)) else { return 1 }
            return min(1, exp(fit.pilotLogP(tries: tries)))
        }
        var reading = reading(best, tries: tries)
        reading.decoyPValues = decoyPValues
        return reading
    }

    private func reading(_ best: TileFolder.Fit, tries: Int) -> WatermarkReading {
        let cells = best.cellValues()
        let agreement = best.pilotAgreement(shiftX: best.shiftX, shiftY: best.shiftY)
        let group = best.dependence()
        let codedSoft = WatermarkLayout.codedSoft(cellValues: cells)
        let bits = ConvolutionalCode.decode(codedSoft)
        let payload = WatermarkPayload(bits: bits)
        // Under "no watermark" the pilot cells agree by chance (a binomial tail, times every period and shift tried)
        // and, independently (the payload cells are other cells), the decoded bits pass their CRC with chance 2⁻¹⁶.
        // The score s is the pilot's p, times 2⁻¹⁶ when the CRC holds; an unmarked video scores below v with chance
        // P(pilot < v) + 2⁻¹⁶·P(pilot < 2¹⁶·v) ≤ 2v, so 2s is the p-value (s alone would be up to twice too small).
        var logP = best.pilotLogP(tries: tries, agreement: agreement, group: group) + log(2.0)
        if payload != nil { logP -= 16 * log(2.0) }
        let pValue = min(1, exp(logP))
        let detected = pValue < WatermarkReading.threshold
        return WatermarkReading(detected: detected, pValue: pValue, bits: bits,
                                payload: detected ? payload : nil, pilotAgreement: agreement,
                                period: (best.periodX, best.periodY), frames: frames,
                                codedSoft: codedSoft, dependence: group)
    }
}

extension WatermarkReading {
    /// For each of `candidates`, the chance that a video whose marks (if any) do not include that payload would show
    /// it at least this clearly: 1 when no mark was detected.
    ///
    /// A picture can carry more than one mark: a render that shows an earlier Phim video carries the earlier video's
    /// mark under its own, at the same place when the earlier video fills the frame. The bits then read as neither
    /// (where the two payloads' coded bits differ, the marks cancel), but each mark is still there. The coded bits'
    /// soft values are fitted as a sum of the candidates' coded bits (least squares); each candidate is then tested
    /// on what is left once the others' fitted share is taken off: under "this payload is not there" the signs of
    /// what is left agree with its coded bits by chance (a binomial tail over the coded bits, grouped as for the
    /// pilot, times the number of candidates). A mark that is not among the candidates is left in the residual,
    /// where it only widens it.
    public func presence(of candidates: [WatermarkPayload]) -> [Double] {
        guard detected, codedSoft.count == ConvolutionalCode.codedCount, !candidates.isEmpty else {
            return candidates.map { _ in 1 }
        }
        var unique: [WatermarkPayload] = []
        for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
        let columns = unique.map { ConvolutionalCode.encode($0.bits).map { $0 ? 1.0 : -1.0 } }
        let weights = leastSquares(columns, codedSoft.map(Double.init))
        let n = codedSoft.count
        let effective = Int((Double(n) / dependence).rounded(.down))
        let pValues = unique.indices.map { i -> Double in
            var agreement = 0
            for j in 0..<n {
                var rest = Double(codedSoft[j])
                for (k, column) in columns.enumerated() where k != i { rest -= weights[k] * column[j] }
                if rest * columns[i][j] > 0 { agreement += 1 }
            }
            let grouped = Int((Double(effective) / 2 + (Double(agreement) - Double(n) / 2) / dependence).rounded(.up))
            let logP = logBinomialTail(min(max(grouped, 0), effective), effective) + log(Double(unique.count))
            return min(1, exp(logP))
        }
        return candidates.map { pValues[unique.firstIndex(of: $0)!] }
    }
}

/// The weights `w` that minimise |Σ wₖ·columnsₖ − y|² (normal equations, Gaussian elimination with partial pivoting;
/// a column that adds nothing gets 0).
func leastSquares(_ columns: [[Double]], _ y: [Double]) -> [Double] {
    let k = columns.count
    var a = (0..<k).map { i in (0..<k).map { j in zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
    var b = (0..<k).map { i in zip(columns[i], y).reduce(0) { $0 + $1.0 * $1.1 } }
    for pivot in 0..<k {
        let row = (pivot..<k).max { abs(a[$0][pivot]) < abs(a[$1][pivot]) }!
        a.swapAt(pivot, row)
        b.swapAt(pivot, row)
        guard abs(a[pivot][pivot]) > 1e-9 else { continue }
        for other in 0..<k where other != pivot {
            let factor = a[other][pivot] / a[pivot][pivot]
            for column in pivot..<k { a[other][column] -= factor * a[pivot][column] }
            b[other] -= factor * b[pivot]
        }
    }
    return (0..<k).map { abs(a[$0][$0]) > 1e-9 ? b[$0] / a[$0][$0] : 0 }
}

/// The search for a pilot pattern in a pooled picture:
///
/// 1. The tile's period: the pattern repeats, so the pooled picture's 2-D spectrum has peaks on a lattice whose
///    spacing is the frame size over the period; each candidate period from 40 pixels up is scored by the whitened
///    spectrum at its lattice points, weighted by the pattern's own spectrum.
/// 2. For the three best periods (refined for each axis by hill climbing), the picture is folded onto one tile and
///    cross-correlated with the pattern over every cyclic shift (a crop only shifts the tile).
///
/// Folded tiles do not depend on the pattern and are kept for the next search (decoys), up to ``maxCached``.
///
/// `@unchecked Sendable`: the starts climb on threads of their own, each with its own folder; the cache is guarded by
/// `cacheLock`, and the rest does not change after `init`.
final class TileSearch: @unchecked Sendable {
    let accumulator: WatermarkAccumulator
    let spectrum: WhitenedSpectrum
    let maxPeriod: Double
    /// One folder for each start (their FFTs keep buffers); the starts climb at the same time.
    private let folders = (0..<TileSearch.startCount).map { _ in TileFolder() }
    private var cache: [Int64: TileFolder.Folded] = [:]
    private let cacheLock = NSLock()
    static let maxCached = 2_000
    static let startCount = 3

    init(_ accumulator: WatermarkAccumulator, maxPeriod: Double) {
        self.accumulator = accumulator
        spectrum = WhitenedSpectrum(accumulator)
        self.maxPeriod = maxPeriod
    }

    private func folded(_ px: Double, _ py: Double, with folder: TileFolder) -> TileFolder.Folded {
        let key = Int64((px * 1e4).rounded()) << 32 | Int64((py * 1e4).rounded())
        if let hit = cacheLock.withLock({ cache[key] }) { return hit }
        let folded = folder.fold(accumulator, periodX: px, periodY: py)
        cacheLock.withLock {
            if cache.count < Self.maxCached { cache[key] = folded }
        }
        return folded
    }

    /// The best fit and the number of (period) fits tried, or `nil` when there is no period to try.
    func run(_ pilot: Pilot) -> (fit: TileFolder.Fit, tries: Int)? {
        var candidates: [(score: Double, period: Double)] = []
        var period = 40.0
        while period <= maxPeriod {
            candidates.append((spectrum.latticeScore(periodX: period, periodY: period, points: pilot.lattice), period))
            period += 0.25
        }
        candidates.sort { $0.score > $1.score }
        var starts: [Double] = []
        for candidate in candidates where starts.allSatisfy({ abs($0 - candidate.period) > 1.5 }) {
            starts.append(candidate.period)
            if starts.count == Self.startCount { break }
        }
        let climbs = Climbs(count: starts.count), chosen = starts
        DispatchQueue.concurrentPerform(iterations: chosen.count) { i in
            climbs.fits[i] = climb(from: chosen[i], pilot: pilot, folder: folders[i])
        }
        var best: TileFolder.Fit?
        for case let current? in climbs.fits where best.map({ current.z > $0.z }) ?? true { best = current }
        return best.map { ($0, starts.count * (1 + 2 * 2 * 2 * 6)) }
    }

    /// Hill climbing from one start, each axis in turn, coarse steps then fine.
    private func climb(from start: Double, pilot: Pilot, folder: TileFolder) -> TileFolder.Fit {
        func fit(_ px: Double, _ py: Double) -> TileFolder.Fit { folder.correlate(folded(px, py, with: folder), pilot) }
        var current = fit(start, start)
        for step in [0.2, 0.05] {
            for _ in 0..<2 {
                for axis in 0..<2 {
                    for offset in [-3.0, -2, -1, 1, 2, 3] {
                        let px = current.periodX + (axis == 0 ? offset * step : 0)
                        let py = current.periodY + (axis == 1 ? offset * step : 0)
                        let other = fit(px, py)
                        if other.z > current.z { current = other }
                    }
                }
            }
        }
        return current
    }

    /// The climbs' results, one slot a start, each written by its own thread.
    private final class Climbs: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<TileFolder.Fit?>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }
        deinit {
            slots.deinitialize()
            slots.deallocate()
        }
        var fits: UnsafeMutableBufferPointer<TileFolder.Fit?> { slots }
    }
}

/// log P(X ≥ k) for X ~ Binomial(n, ½).
func logBinomialTail(_ k: Int, _ n: Int) -> Double {
    guard k > 0 else { return 0 }
    let logAll = lgamma(Double(n + 1)) - Double(n) * log(2.0)
    let terms: [Double] = (k...n).map { (i: Int) -> Double in
        let chosen: Double = lgamma(Double(i + 1)) + lgamma(Double(n - i + 1))
        return logAll - chosen
    }
    let top = terms.max()!
    return top + log(terms.reduce(0) { $0 + exp($1 - top) })
}

/// The pooled picture's power spectrum, divided by its local mean so that the picture's own slope drops out and the
/// watermark's lattice of peaks stands up (the value is 0 where a bin is as strong as its neighbourhood).
struct WhitenedSpectrum {
    let rows: Int
    let columns: Int
    private var values: [Float]

    init(_ accumulator: WatermarkAccumulator) {
        // av_tx is fastest on lengths with small factors: the centre of the picture, cut to such a size and to at
        // most 2048 (several tiles even at 4K, and memory bounded).
        let columns = FFT.smoothLength(atMost: min(accumulator.width, 2048))
        let rows = FFT.smoothLength(atMost: min(accumulator.height, 2048))
        let left = (accumulator.width - columns) / 2, top = (accumulator.height - rows) / 2
        var re = [Float](repeating: 0, count: rows * columns)
        var im = re
        let hannX = (0..<columns).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(columns))) }
        let hannY = (0..<rows).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(rows))) }
        for y in 0..<rows {
            for x in 0..<columns {
                re[y * columns + x] = accumulator.sum[(top + y) * accumulator.width + left + x] * hannY[y] * hannX[x]
            }
        }
        FFT2D(rows: rows, columns: columns)(re: &re, im: &im)
        var power = [Double](repeating: 0, count: rows * columns)
        for i in 0..<power.count { power[i] = Double(re[i] * re[i] + im[i] * im[i]) }
        // Local mean over 13×13 bins from a summed-area table.
        let r = 6, stride = columns + 1
        var table = [Double](repeating: 0, count: (rows + 1) * stride)
        for y in 0..<rows {
            var running = 0.0
            for x in 0..<columns {
                running += power[y * columns + x]
                table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + running
            }
        }
        values = [Float](repeating: 0, count: rows * columns)
        for y in 0..<rows {
            let y0 = max(y - r, 0), y1 = min(y + r, rows - 1) + 1
            for x in 0..<columns {
                let x0 = max(x - r, 0), x1 = min(x + r, columns - 1) + 1
                let total = table[y1 * stride + x1] - table[y1 * stride + x0] - table[y0 * stride + x1] + table[y0 * stride + x0]
                let mean = total / Double((y1 - y0) * (x1 - x0))
                values[y * columns + x] = mean > 0 ? Float(power[y * columns + x] / mean - 1) : 0
            }
        }
        self.rows = rows
        self.columns = columns
    }

    /// How strongly the spectrum has peaks where a tile of this period puts them.
    func latticeScore(periodX: Double, periodY: Double, points: [(kx: Int, ky: Int, weight: Double)]) -> Double {
        var score = 0.0
        for point in points {
            let fx = Double(point.kx) * Double(columns) / periodX
            let fy = Double(point.ky) * Double(rows) / periodY
            let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
            var peak: Float = -.infinity
            for dy in 0...1 {
                let y = ((y0 + dy) % rows + rows) % rows
                for dx in 0...1 {
                    let x = ((x0 + dx) % columns + columns) % columns
                    peak = max(peak, values[y * columns + x])
                }
            }
            score += point.weight * Double(peak)
        }
        return score
    }

    /// The tile's harmonics that carry its energy, each weighted by a pilot pattern's power there (and the payload's
    /// expected power) times the bilinear interpolation's response; weights have unit length.
    enum Lattice {
        static func points(for pilot: [Float]) -> [(kx: Int, ky: Int, weight: Double)] {
            let n = WatermarkLayout.side
            func sinc(_ k: Int) -> Double { k == 0 ? 1 : sin(Double.pi * Double(k) / Double(n)) / (Double.pi * Double(k) / Double(n)) }
            // The pattern's DFT, separably: along each row first, then down the columns.
            let cosines = (0..<n).map { k in cos(-2 * Double.pi * Double(k) / Double(n)) }
            let sines = (0..<n).map { k in sin(-2 * Double.pi * Double(k) / Double(n)) }
            var rowRe = [Double](repeating: 0, count: n * n), rowIm = rowRe
            for v in 0..<n {
                for kx in 0..<n {
                    var re = 0.0, im = 0.0
                    for u in 0..<n where pilot[v * n + u] != 0 {
                        let k = (kx * u) % n
                        re += Double(pilot[v * n + u]) * cosines[k]
                        im += Double(pilot[v * n + u]) * sines[k]
                    }
                    rowRe[v * n + kx] = re
                    rowIm[v * n + kx] = im
                }
            }
            var points: [(Int, Int, Double)] = []
            for ky in -(n / 2 - 1)...(n / 2 - 1) where ky != 0 {
                for kx in -(n / 2 - 1)...(n / 2 - 1) where kx != 0 {
                    let column = (kx + n) % n
                    var re = 0.0, im = 0.0
                    for v in 0..<n {
                        let k = (((ky * v) % n) + n) % n
                        let a = rowRe[v * n + column], b = rowIm[v * n + column]
                        re += a * cosines[k] - b * sines[k]
                        im += a * sines[k] + b * cosines[k]
                    }
                    let response = pow(sinc(kx) * sinc(ky), 4)
                    let payloadPower = Double(WatermarkLayout.cellCount - WatermarkLayout.pilotCount)
                    points.append((kx, ky, (re * re + im * im + payloadPower) * response))
                }
            }
            let norm = points.reduce(0) { $0 + $1.2 * $1.2 }.squareRoot()
            return points.map { ($0.0, $0.1, $0.2 / norm) }
        }
    }
}

/// A sign pattern on the pilot's cells: Phim's own, or a decoy with random signs that no Phim video carries.
struct Pilot {
    /// Each cell's sign (only the pilot's cells are used).
    let signs: [Float]
    /// The conjugate spectrum of the pattern rendered at two samples a cell.
    let spectrum: (re: [Float], im: [Float])
    /// Where the pattern puts its energy in a picture's spectrum, for finding the period.
    let lattice: [(kx: Int, ky: Int, weight: Double)]

    init(signs: [Float]) {
        self.signs = signs
        var values = [Float](repeating: 0, count: WatermarkLayout.cellCount)
        for cell in WatermarkLayout.pilotCells { values[cell] = signs[cell] }
        lattice = WhitenedSpectrum.Lattice.points(for: values)
        let s = TileFolder.samples
        var re = WatermarkLayout.render(values, width: s, height: s, cell: 2)
        var im = [Float](repeating: 0, count: s * s)
        FFT2D(rows: s, columns: s)(re: &re, im: &im)
        spectrum = (re, im.map { -$0 })
    }

    static let phim = Pilot(signs: WatermarkLayout.signs)

    static func decoy(_ random: inout SplitMix64) -> Pilot {
        Pilot(signs: (0..<WatermarkLayout.cellCount).map { _ in random.next() & 1 == 0 ? -1 : 1 })
    }
}

/// Folds the pooled picture onto one tile at a given period and finds a pilot's shift.
final class TileFolder {
    /// Samples across the folded tile: two a cell.
    static let samples = 2 * WatermarkLayout.side
    private let forward = FFT2D(rows: samples, columns: samples)
    private let inverse = FFT2D(rows: samples, columns: samples, inverse: true)

    /// The picture folded at one period, with its spectrum.
    struct Folded {
        var periodX: Double
        var periodY: Double
        var values: [Float]
        var re: [Float]
        var im: [Float]
    }

    struct Fit {
        var periodX: Double
        var periodY: Double
        /// The best shift's correlation in standard deviations of all shifts' correlations.
        var z: Float
        var shiftX: Int
        var shiftY: Int
        var folded: [Float]
        /// The pilot's signs.
        var signs: [Float]

        /// Pilot cells whose sign agrees at a shift.
        func pilotAgreement(shiftX: Int, shiftY: Int) -> Int {
            let n = WatermarkLayout.side, s = TileFolder.samples
            var count = 0
            for cell in WatermarkLayout.pilotCells {
                let v = cell / n, u = cell % n
                var total: Float = 0
                for dy in 0...1 {
                    let y = (2 * v + dy + shiftY) % s
                    for dx in 0...1 { total += folded[y * s + (2 * u + dx + shiftX) % s] }
                }
                if total * signs[cell] > 0 { count += 1 }
            }
            return count
        }

        /// log of the chance that a picture without this pilot agrees with it at least this well at some period and
        /// shift of the `tries` tried.
        ///
        /// Neighbouring cells are not independent (the picture's residual is correlated over a few pixels, and a
        /// small frame's cells are only a few pixels wide), so the agreement varies more than a binomial's. Its
        /// spread at every shift away from the peak measures that (`group`): the agreement is then counted in groups
        /// of that size (never less than one cell), which keeps the p-value honest.
        func pilotLogP(tries: Int, agreement: Int? = nil, group: Double? = nil) -> Double {
            let agreement = agreement ?? pilotAgreement(shiftX: shiftX, shiftY: shiftY)
            let group = group ?? dependence()
            let effectiveCells = Int((Double(WatermarkLayout.pilotCount) / group).rounded(.down))
            let effectiveAgreement = Int((Double(effectiveCells) / 2
                + (Double(agreement) - Double(WatermarkLayout.pilotCount) / 2) / group).rounded(.up))
            return logBinomialTail(min(max(effectiveAgreement, 0), effectiveCells), effectiveCells)
                + log(Double(tries * TileFolder.samples * TileFolder.samples))
        }

        /// How many cells act as one: the variance of the pilot agreement over every shift at least three samples
        /// from the best one, over a binomial's (`n / 4`), at least 1.
        func dependence() -> Double {
            let s = TileFolder.samples, wide = 2 * s, half = Double(WatermarkLayout.pilotCount) / 2
            // The sign of every 2×2 sum (a cell's value at every shift; summed in the order `pilotAgreement` sums),
            // repeated twice each way so that a shifted cell is found without wrapping.
            var signOfBox = [Int8](repeating: 0, count: wide * wide)
            for y in 0..<s {
                for x in 0..<s {
                    var total: Float = 0
                    for dy in 0...1 {
                        for dx in 0...1 { total += folded[((y + dy) % s) * s + (x + dx) % s] }
                    }
                    let sign: Int8 = total > 0 ? 1 : total < 0 ? -1 : 0
                    for (cy, cx) in [(0, 0), (0, s), (s, 0), (s, s)] { signOfBox[(y + cy) * wide + x + cx] = sign }
                }
            }
            // The agreement at every shift, one pilot cell at a time: rows of shifts are contiguous, so this runs
            // eight or more shifts to an instruction.
            let n = WatermarkLayout.side
            var agreement = [Int16](repeating: 0, count: s * s)
            signOfBox.withUnsafeBufferPointer { box in
                agreement.withUnsafeMutableBufferPointer { agreement in
                    for cell in WatermarkLayout.pilotCells {
                        let wanted: Int8 = signs[cell] > 0 ? 1 : -1
                        let offset = 2 * (cell / n) * wide + 2 * (cell % n)
                        for y in 0..<s {
                            let row = box.baseAddress! + offset + y * wide, out = agreement.baseAddress! + y * s
                            for x in 0..<s { out[x] &+= row[x] == wanted ? 1 : 0 }
                        }
                    }
                }
            }
            func distance(_ a: Int, _ b: Int) -> Int { min((a - b + s) % s, (b - a + s) % s) }
            var squares = 0.0, count = 0
            for y in 0..<s {
                for x in 0..<s where distance(x, shiftX) > 2 || distance(y, shiftY) > 2 {
                    let deviation = Double(agreement[y * s + x]) - half
                    squares += deviation * deviation
                    count += 1
                }
            }
            return max(1, squares / Double(count) / (half / 2))
        }

        /// Each cell's value: the sum of its 2×2 samples (disjoint from its neighbours').
        func cellValues() -> [Float] {
            let n = WatermarkLayout.side, s = TileFolder.samples
            var cells = [Float](repeating: 0, count: n * n)
            for v in 0..<n {
                for u in 0..<n {
                    var total: Float = 0
                    for dy in 0...1 {
                        let y = (2 * v + dy + shiftY) % s
                        for dx in 0...1 { total += folded[y * s + (2 * u + dx + shiftX) % s] }
                    }
                    cells[v * n + u] = total
                }
            }
            return cells
        }
    }

    func fold(_ accumulator: WatermarkAccumulator, periodX: Double, periodY: Double) -> Folded {
        let s = Self.samples, w = accumulator.width, h = accumulator.height
        func bins(_ n: Int, _ period: Double) -> [Int] {
            (0..<n).map { i in
                let phase = ((Double(i) + 0.5) / period).truncatingRemainder(dividingBy: 1)
                return min(Int(phase * Double(s)), s - 1)
            }
        }
        let bx = bins(w, periodX), by = bins(h, periodY)
        var folded = [Float](repeating: 0, count: s * s)
        // Rows first (whole rows added into their row bin: contiguous, vectorised), then each of the s folded rows'
        // pixels into their column bins: s·w scattered adds instead of h·w.
        var rows = [Float](repeating: 0, count: s * w)
        accumulator.sum.withUnsafeBufferPointer { sum in
            rows.withUnsafeMutableBufferPointer { rows in
                for y in 0..<h {
                    let source = sum.baseAddress! + y * w, target = rows.baseAddress! + by[y] * w
                    var x = 0
                    while x + 8 <= w {
                        let total = UnsafeRawPointer(target + x).loadUnaligned(as: SIMD8<Float>.self)
                            + UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(target + x).storeBytes(of: total, as: SIMD8<Float>.self)
                        x += 8
                    }
                    while x < w { target[x] += source[x]; x += 1 }
                }
            }
        }
        for v in 0..<s {
            let base = v * w, target = v * s
            for x in 0..<w { folded[target + bx[x]] += rows[base + x] }
        }
        let mean = folded.reduce(0, +) / Float(s * s)
        for i in 0..<folded.count { folded[i] -= mean }
        var re = folded, im = [Float](repeating: 0, count: s * s)
        forward(re: &re, im: &im)
        return Folded(periodX: periodX, periodY: periodY, values: folded, re: re, im: im)
    }

    /// The pilot's cross-correlation with the folded tile over every cyclic shift, and its best shift.
    func correlate(_ folded: Folded, _ pilot: Pilot) -> Fit {
        let s = Self.samples
        var re = folded.re, im = folded.im
        for i in 0..<re.count {
            let a = re[i], b = im[i], c = pilot.spectrum.re[i], d = pilot.spectrum.im[i]
            re[i] = a * c - b * d
            im[i] = a * d + b * c
        }
        inverse(re: &re, im: &im)
        var bestIndex = 0
        var total: Double = 0, squares: Double = 0
        for i in 0..<re.count {
            total += Double(re[i]); squares += Double(re[i]) * Double(re[i])
            if re[i] > re[bestIndex] { bestIndex = i }
        }
        let count = Double(re.count)
        let spread = max((squares / count - (total / count) * (total / count)).squareRoot(), 1e-12)
        let z = Float((Double(re[bestIndex]) - total / count) / spread)
        return Fit(periodX: folded.periodX, periodY: folded.periodY, z: z, shiftX: bestIndex % s, shiftY: bestIndex / s,
                   folded: folded.values, signs: pilot.signs)
    }
}
