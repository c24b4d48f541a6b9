import PhimCore

/// What Phim's watermark carries: a 48-bit content id and its CRC-16, 64 bits in all. The id is random for each
/// export and recorded in the video's C2PA manifest, so that a watermark read from a copy whose manifest was stripped
/// still names the manifest it came with.
public struct WatermarkPayload: Hashable, Sendable, CustomStringConvertible {
    /// The content id, 48 bits.
    public let contentID: UInt64

    public init(contentID: UInt64) { self.contentID = contentID & 0xFFFF_FFFF_FFFF }

    /// The payload whose 64 bits are `bits`, or `nil` when their CRC does not hold.
    public init?(bits: UInt64) {
        let id = bits >> 16
        guard UInt16(truncatingIfNeeded: bits) == Self.crc16(id) else { return nil }
        contentID = id
    }

    /// The payload written as 16 hex digits (as ``description`` and the manifest write it), or `nil` when the text
    /// is not that or the CRC does not hold.
    public init?(hex text: String) {
        guard text.utf8.count == 16, text.allSatisfy(\.isHexDigit), let bits = UInt64(text, radix: 16) else { return nil }
        self.init(bits: bits)
    }

    /// A payload with a fresh random content id.
    public static func random() -> WatermarkPayload {
        var generator = SystemRandomNumberGenerator()
        return WatermarkPayload(contentID: generator.next())
    }

    /// The 64 embedded bits: the id, then its CRC.
    public var bits: UInt64 { contentID << 16 | UInt64(Self.crc16(contentID)) }

    /// The 64 bits as 16 hex digits, as `phim verify` prints them and the manifest records them.
    public var description: String { hex(bits) }

    /// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) of the id's six bytes, most significant first.
    static func crc16(_ id: UInt64) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for shift in stride(from: 40, through: 0, by: -8) {
            crc ^= UInt16(truncatingIfNeeded: id >> UInt64(shift)) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}

/// 64 bits as 16 lower-case hex digits.
public func hex(_ bits: UInt64) -> String {
    let digits = String(bits, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// The watermark's fixed layout. A tile of 32×32 cells is repeated over the whole frame, the same in every frame;
/// each cell holds +1 or −1 and the picture between cell centres is interpolated bilinearly, so the pattern is a
/// smooth noise with no edges for the encoder to spend bits on. A quarter of the cells are the pilot, a fixed
/// pseudo-random sign pattern the detector looks for; the rest carry the 64 payload bits, coded by a rate-1/3
/// convolutional code (constraint length 7, the generators 133, 171 and 165 octal that LTE uses, six zero tail bits:
/// 210 coded bits) and spread over 768 cells, three or four cells a coded bit, each cell with its own fixed sign. The
/// detector decodes them with a soft-decision Viterbi decoder, which corrects the errors a re-encode leaves where
/// repeating each bit would not. The layout comes from a fixed key, the same for every Phim, so that any copy of
/// Phim reads any Phim video.
///
/// Repeating one tile is what makes the watermark survive cropping (a crop shifts the tile, and the detector tries
/// every shift) and scaling (the tile's period is measured from the picture's spectrum), and static frames are what
/// makes it survive frame-rate changes and keeps flat areas from flickering.
public enum WatermarkLayout {
    /// Cells along each side of the tile.
    public static let side = 32
    static let cellCount = side * side
    static let pilotCount = 256
    static let bitCount = 64

    /// The cell indices (`row * side + column`) of the pilot.
    static let pilotCells: [Int] = layout.pilot
    /// The cells carrying the coded payload: cell `payloadCells[i]` carries coded bit `i % ConvolutionalCode.codedCount`.
    static let payloadCells: [Int] = layout.payload
    /// Each cell's sign, ±1.
    static let signs: [Float] = layout.signs

    private static let layout: (pilot: [Int], payload: [Int], signs: [Float]) = {
        // The key: a fixed seed. The permutation and signs are drawn with explicit arithmetic (not the standard
        // library's shuffle, whose algorithm may change) so that the layout never changes.
        var random = SplitMix64(seed: 0x5048_494D_574D_0001)
        var cells = Array(0..<cellCount)
        for i in stride(from: cellCount - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            cells.swapAt(i, j)
        }
        let signs = (0..<cellCount).map { _ in random.next() & 1 == 0 ? Float(-1) : Float(1) }
        return (Array(cells[..<pilotCount]), Array(cells[pilotCount...]), signs)
    }()

    /// The tile's cell values for `payload`: the pilot's signs, and each payload cell's sign times its coded bit (±1).
    static func cellValues(_ payload: WatermarkPayload) -> [Float] {
        var values = [Float](repeating: 0, count: cellCount)
        for cell in pilotCells { values[cell] = signs[cell] }
        let coded = ConvolutionalCode.encode(payload.bits)
        for (i, cell) in payloadCells.enumerated() {
            values[cell] = signs[cell] * (coded[i % ConvolutionalCode.codedCount] ? 1 : -1)
        }
        return values
    }

    /// Each coded bit's soft value from a tile's cell values: its cells summed with their signs (positive for 1).
    static func codedSoft(cellValues cells: [Float]) -> [Float] {
        var soft = [Float](repeating: 0, count: ConvolutionalCode.codedCount)
        for (i, cell) in payloadCells.enumerated() { soft[i % ConvolutionalCode.codedCount] += cells[cell] * signs[cell] }
        return soft
    }

    /// The pilot alone (payload cells 0).
    static let pilotValues: [Float] = {
        var values = [Float](repeating: 0, count: cellCount)
        for cell in pilotCells { values[cell] = signs[cell] }
        return values
    }()

    /// The width of a cell in pixels for a frame of this size: a 270th of the shorter side (4 pixels at 1080p), at
    /// least 2, so that the pattern sits at the same place in the picture's spectrum at every resolution.
    public static func cellSize(width: Int, height: Int) -> Double { max(2, Double(min(width, height)) / 270) }

    /// Renders `values` (a tile) as a `width`×`height` picture with cells `cell` pixels wide, interpolated bilinearly
    /// and repeated; row-major.
    static func render(_ values: [Float], width: Int, height: Int, cell: Double) -> [Float] {
        let xs = AxisSamples(count: width, cell: cell)
        let ys = AxisSamples(count: height, cell: cell)
        var picture = [Float](repeating: 0, count: width * height)
        var row = [Float](repeating: 0, count: side)
        picture.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let a = ys.first[y] * side, b = ys.second[y] * side, f = ys.weight[y]
                for u in 0..<side { row[u] = values[a + u] * (1 - f) + values[b + u] * f }
                let base = y * width
                for x in 0..<width {
                    let g = xs.weight[x]
                    out[base + x] = row[xs.first[x]] * (1 - g) + row[xs.second[x]] * g
                }
            }
        }
        return picture
    }
}

/// For each pixel along one axis, the two cells it lies between and the weight of the second.
struct AxisSamples {
    var first: [Int]
    var second: [Int]
    var weight: [Float]

    init(count: Int, cell: Double) {
        let side = WatermarkLayout.side
        first = []; second = []; weight = []
        first.reserveCapacity(count); second.reserveCapacity(count); weight.reserveCapacity(count)
        for i in 0..<count {
            let g = (Double(i) + 0.5) / cell - 0.5
            let whole = g.rounded(.down)
            let cellIndex = ((Int(whole) % side) + side) % side
            first.append(cellIndex)
            second.append((cellIndex + 1) % side)
            weight.append(Float(g - whole))
        }
    }
}

/// The rate-1/3 convolutional code of constraint length 7 (generators 133, 171, 165 octal) that protects the payload,
/// with six zero tail bits, and its soft-decision Viterbi decoder (64 states).
enum ConvolutionalCode {
    static let generators: [UInt32] = [0o133, 0o171, 0o165]
    static let memory = 6
    static let inputCount = 64 + memory
    static let codedCount = inputCount * 3

    /// The coded bits of `bits` (most significant first), then the tail.
    static func encode(_ bits: UInt64) -> [Bool] {
        var state: UInt32 = 0
        var coded: [Bool] = []
        coded.reserveCapacity(codedCount)
        for i in 0..<inputCount {
            let input: UInt32 = i < 64 ? UInt32((bits >> UInt64(63 - i)) & 1) : 0
            let register = input << UInt32(memory) | state
            for generator in generators { coded.append((register & generator).nonzeroBitCount % 2 == 1) }
            state = register >> 1
        }
        return coded
    }

    /// The most likely 64 bits given soft values of the coded bits (positive for 1), starting and ending in state 0.
    static func decode(_ soft: [Float]) -> UInt64 {
        let states = 1 << memory
        var metric = [Float](repeating: -.infinity, count: states)
        metric[0] = 0
        // For each step and state, the input bit and previous state of the best path into it.
        var decisions = [[UInt8]](repeating: [UInt8](repeating: 0, count: states), count: inputCount)
        var next = metric
        for step in 0..<inputCount {
            for i in 0..<states { next[i] = -.infinity }
            let y = soft[step * 3 ..< step * 3 + 3].map { $0 }
            for state in 0..<states where metric[state] > -.infinity {
                for input in 0..<(step < 64 ? 2 : 1) {
                    let register = UInt32(input) << UInt32(memory) | UInt32(state)
                    var branch: Float = 0
                    for (g, generator) in generators.enumerated() {
                        branch += (register & generator).nonzeroBitCount % 2 == 1 ? y[g] : -y[g]
                    }
                    let target = Int(register >> 1)
                    if metric[state] + branch > next[target] {
                        next[target] = metric[state] + branch
                        decisions[step][target] = UInt8(state & 1)
                    }
                }
            }
            swap(&metric, &next)
        }
        // Trace back from state 0: a state's top bit is the input that entered it; the bit dropped is its predecessor's low bit.
        var state = 0
        var bits: UInt64 = 0
        for step in stride(from: inputCount - 1, through: 0, by: -1) {
            let input = (state >> (memory - 1)) & 1
            if step < 64 { bits |= UInt64(input) << UInt64(63 - step) }
            state = ((state << 1) & (states - 1)) | Int(decisions[step][state])
        }
        return bits
    }
}
