import PhimCore
import Testing
@testable import PhimWatermark

/// A luma picture with texture, edges and flat areas that moves a little each frame (a stand-in for video).
private func scene(width: Int, height: Int, frame: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    let blobs = (0..<12).map { _ in
        (Double(random.next() % UInt64(width)), Double(random.next() % UInt64(height)), Double(20 + random.next() % 60),
         Double(random.next() % 160))
    }
    var noise = SplitMix64(seed: seed ^ UInt64(frame))
    var pixels = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            var value = 40 + 100 * Double(x) / Double(width)
            for (bx, by, radius, level) in blobs {
                let dx = Double(x) - bx - Double(frame) * 2, dy = Double(y) - by
                if dx * dx + dy * dy < radius * radius { value = level + 40 }
            }
            // Texture on the right half, flat on the left.
            if x > width / 2 { value += Double(noise.next() % 24) - 12 }
            pixels[y * width + x] = UInt8(min(max(value, 0), 255))
        }
    }
    return pixels
}

private func marked(width: Int, height: Int, frames: Int, payload: WatermarkPayload) -> [[UInt8]] {
    let embedder = WatermarkEmbedder(width: width, height: height, payload: payload)
    return (0..<frames).map { i in
        var pixels = scene(width: width, height: height, frame: i, seed: 7)
        pixels.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: width) }
        return pixels
    }
}

private func read(_ frames: [[UInt8]], width: Int, height: Int) -> WatermarkReading {
    let accumulator = WatermarkAccumulator(width: width, height: height)
    for frame in frames { frame.withUnsafeBufferPointer { accumulator.add(luma: $0.baseAddress!, stride: width) } }
    return accumulator.read()
}

/// The window of `frame` from (`left`, `top`), `width`×`height`.
private func crop(_ frame: [UInt8], stride: Int, left: Int, top: Int, width: Int, height: Int) -> [UInt8] {
    var out: [UInt8] = []
    for y in 0..<height {
        let start = (top + y) * stride + left
        out += frame[start..<start + width]
    }
    return out
}

/// Half size by 2×2 averaging.
private func half(_ frame: [UInt8], width: Int, height: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (width / 2) * (height / 2))
    for y in 0..<height / 2 {
        for x in 0..<width / 2 {
            let top = Int(frame[2 * y * width + 2 * x]) + Int(frame[2 * y * width + 2 * x + 1])
            let bottom = Int(frame[(2 * y + 1) * width + 2 * x]) + Int(frame[(2 * y + 1) * width + 2 * x + 1])
            out[y * (width / 2) + x] = UInt8((top + bottom + 2) / 4)
        }
    }
    return out
}

@Suite struct WatermarkPayloadTests {
    @Test func bitsCarryTheIdAndItsCRC() throws {
        let payload = WatermarkPayload(contentID: 0x1234_5678_9ABC)
        #expect(payload.bits >> 16 == 0x1234_5678_9ABC)
        // CRC-16/CCITT-FALSE of the six bytes "123456", as Python's binascii.crc_hqx(b"123456", 0xFFFF) gives it.
        #expect(WatermarkPayload.crc16(0x3132_3334_3536) == 0x2EF4)
        #expect(WatermarkPayload(bits: payload.bits) == payload)
        #expect(WatermarkPayload(bits: payload.bits ^ 1) == nil)
        #expect(WatermarkPayload(bits: payload.bits ^ (1 << 40)) == nil)
        #expect(payload.description.count == 16)
        #expect(WatermarkPayload(contentID: .max).contentID == 0xFFFF_FFFF_FFFF)
        #expect(WatermarkPayload.random() != WatermarkPayload.random())
    }

    @Test func payloadsReadBackFromTheirHexDigits() {
        let payload = WatermarkPayload(contentID: 0x0123_4567_89AB)
        #expect(WatermarkPayload(hex: payload.description) == payload)
        #expect(WatermarkPayload(hex: "0123456789abcdef") == nil, "CRC does not hold")
        #expect(WatermarkPayload(hex: String(payload.description.dropLast())) == nil)
        #expect(WatermarkPayload(hex: "+" + payload.description.dropFirst()) == nil)
    }

    @Test func convolutionalCodeCorrectsErrors() {
        var random = SplitMix64(seed: 5)
        for _ in 0..<20 {
            let bits = random.next()
            let coded = ConvolutionalCode.encode(bits)
            #expect(coded.count == 210)
            let clean = coded.map { $0 ? Float(1) : -1 }
            #expect(ConvolutionalCode.decode(clean) == bits)
            // Eight coded bits flipped, spread out, and noise on the rest: still the same bits.
            var noisy = clean.map { $0 + Float(Int(random.next() % 100) - 50) / 80 }
            for i in stride(from: 3, to: 210, by: 26) { noisy[i] = -clean[i] }
            #expect(ConvolutionalCode.decode(noisy) == bits)
        }
    }

    @Test func layoutIsFixed() {
        #expect(WatermarkLayout.pilotCells.count == 256)
        #expect(WatermarkLayout.payloadCells.count == 768)
        #expect(Set(WatermarkLayout.pilotCells + WatermarkLayout.payloadCells).count == 1024)
        #expect(WatermarkLayout.signs.filter { $0 > 0 }.count > 400)
    }
}

@Suite struct WatermarkDetectionTests {
    let payload = WatermarkPayload(contentID: 0xA1B2_C3D4_E5F6)

    @Test func readsItsOwnMark() throws {
        let (w, h) = (480, 270)
        let reading = read(marked(width: w, height: h, frames: 6, payload: payload), width: w, height: h)
        #expect(reading.detected)
        #expect(reading.payload == payload)
        #expect(reading.pValue < 1e-12)
        #expect(abs(reading.period.x - 64) < 0.5 && abs(reading.period.y - 64) < 0.5, "\(reading.period)")
    }

    @Test func unmarkedFramesAreNotDetected() throws {
        let (w, h) = (480, 270)
        for seed in 1...4 as ClosedRange<UInt64> {
            let frames = (0..<4).map { scene(width: w, height: h, frame: $0, seed: seed) }
            let reading = read(frames, width: w, height: h)
            #expect(!reading.detected, "seed \(seed): p \(reading.pValue)")
            #expect(reading.pValue > 1e-3)
            #expect(reading.payload == nil)
        }
    }

    @Test func survivesACropThatShiftsTheTile() throws {
        let (w, h) = (480, 270)
        let frames = marked(width: w, height: h, frames: 6, payload: payload)
            .map { crop($0, stride: w, left: 37, top: 21, width: 400, height: 230) }
        let reading = read(frames, width: 400, height: 230)
        #expect(reading.detected)
        #expect(reading.payload == payload)
    }

    @Test func survivesHalfSize() throws {
        // 810 rows: 3-pixel cells, a 96-pixel tile, 48 pixels at half size.
        let (w, h) = (1080, 810)
        let frames = marked(width: w, height: h, frames: 2, payload: payload).map { half($0, width: w, height: h) }
        let reading = read(frames, width: w / 2, height: h / 2)
        #expect(reading.detected)
        #expect(reading.payload == payload)
        #expect(abs(reading.period.x - 48) < 0.5)
    }

    @Test func embeddingIsFaint() throws {
        let (w, h) = (480, 270)
        let embedder = WatermarkEmbedder(width: w, height: h, payload: payload)
        var pixels = scene(width: w, height: h, frame: 0, seed: 3)
        let before = pixels
        pixels.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: w) }
        let maxChange = zip(before, pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(maxChange <= 5)
        #expect(maxChange >= 1)
        let psnr = 10 * log10(255.0 * 255.0 / embedder.meanSquaredChange)
        #expect(psnr > 42, "PSNR \(psnr): the floor is 42.2 dB at this size, and rounding to whole luma steps costs about 0.15 dB")
        #expect(psnr < 60, "PSNR \(psnr): the mark must be there")
    }

    /// On a smooth gradient a change of one luma step moves the contour lines between levels, where the eye sees the
    /// pattern: those blocks get less than half the faint grain that blocks of one level get.
    @Test func smoothGradientsAreLeftAlone() {
        let (w, h) = (256, 256)
        let embedder = WatermarkEmbedder(width: w, height: h, payload: payload)
        // Left half: one level. Right half: 40 levels down the height, a step every 6 or 7 rows.
        var pixels = (0..<w * h).map { i in UInt8(i % w < w / 2 ? 90 : 60 + (i / w) * 40 / h) }
        let before = pixels
        pixels.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: w) }
        let changed = { (columns: Range<Int>) in
            (0..<h).reduce(0) { total, y in total + columns.filter { pixels[y * w + $0] != before[y * w + $0] }.count }
        }
        let gradient = changed(w / 2 + 16..<w), flat = changed(0..<w / 2 - 16)
        #expect(flat > w * h / 20, "the flat half carries the mark")
        #expect(gradient * 2 < flat, "the gradient, away from the flat half's blocks: \(gradient) against \(flat)")
        #expect(zip(before, pixels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    /// A frame with nowhere to hide the mark (a plain ground, a smooth gradient) asks the encoder to keep it in every
    /// faint block; a frame with texture all over asks nothing (its busy blocks carry the mark, and flat patches such
    /// as sky are left to the encoder).
    @Test func faintFramesAskTheEncoderToKeepTheMark() {
        let (w, h) = (200, 120)  // 13×8 blocks, the last column and row partial
        let embedder = WatermarkEmbedder(width: w, height: h, payload: payload)
        var plain = (0..<w * h).map { i in UInt8(30 + (i / w) * 12 / h) }
        plain.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: w) }
        let regions = embedder.faintRegions
        #expect(regions.count == 8, "one run a row of blocks: \(regions)")
        #expect(regions.allSatisfy { $0.left == 0 && $0.right == w && ($0.bottom - $0.top == 16 || $0.bottom == h) })
        #expect(regions.map(\.top) == Array(stride(from: 0, to: h, by: 16)))

        var random = SplitMix64(seed: 9)
        var busy = (0..<w * h).map { _ in UInt8(60 + random.next() % 120) }
        busy.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: w) }
        #expect(embedder.faintRegions.isEmpty)

        // A busy square on the plain ground: the runs go around its blocks.
        var mixed = (0..<w * h).map { i in UInt8(30 + (i / w) * 12 / h) }
        for y in 32..<64 { for x in 48..<80 { mixed[y * w + x] = UInt8(60 + random.next() % 120) } }
        mixed.withUnsafeMutableBufferPointer { embedder.embed(luma: $0.baseAddress!, stride: w) }
        let covered = Set(embedder.faintRegions.flatMap { r in
            stride(from: r.top, to: r.bottom, by: 16).flatMap { y in stride(from: r.left, to: r.right, by: 16).map { [$0, y] } }
        })
        #expect(!covered.contains([48, 32]) && !covered.contains([64, 48]), "the square's own blocks carry the mark")
        #expect(covered.contains([0, 0]) && covered.contains([192, 112]))
    }

    /// The reader pools a cell's pixels over the frame, so a small frame's flat and smooth blocks carry more, and its
    /// busy ones a little more.
    @Test func smallFramesCarryMoreWhereTheyAreFlat() {
        #expect(WatermarkEmbedder.lowTextureGain(width: 1920, height: 1080) == 1)
        #expect(WatermarkEmbedder.lowTextureGain(width: 640, height: 360) == 1)
        #expect(abs(WatermarkEmbedder.lowTextureGain(width: 480, height: 360) - 1.155) < 0.01)
        #expect(WatermarkEmbedder.lowTextureGain(width: 256, height: 256) == 1.5)
        #expect(abs(WatermarkEmbedder.mask(activity: 0, range: 0, lowTextureGain: 1.5) - 0.33) < 1e-6)
        #expect(WatermarkEmbedder.mask(activity: 2, range: 40, lowTextureGain: 1.5) == WatermarkEmbedder.mask(activity: 2, range: 40))
        // Busy frames: the PSNR floor goes down by up to 1.3 dB, to 42.2 dB.
        #expect(WatermarkEmbedder(width: 640, height: 360, payload: payload).leastPSNR == 43.5)
        #expect(abs(WatermarkEmbedder(width: 480, height: 360, payload: payload).leastPSNR - 42.25) < 0.01)
        #expect(WatermarkEmbedder(width: 320, height: 240, payload: payload).leastPSNR == 42.2)
    }

    /// A render that shows an earlier Phim video full frame carries both marks at one place: the bits read as
    /// neither, but each payload is shown present, and a payload that is not there is not.
    @Test func twoMarksOnOnePictureAreBothFound() throws {
        let (w, h) = (480, 270)
        let other = WatermarkPayload(contentID: 0x0F1E_2D3C_4B5A)
        let absent = WatermarkPayload(contentID: 0x1234_5678_9ABC)
        let second = WatermarkEmbedder(width: w, height: h, payload: other)
        let frames = marked(width: w, height: h, frames: 6, payload: payload).map { frame in
            var pixels = frame
            pixels.withUnsafeMutableBufferPointer { second.embed(luma: $0.baseAddress!, stride: w) }
            return pixels
        }
        let both = read(frames, width: w, height: h)
        #expect(both.detected)
        let p = both.presence(of: [payload, other, absent])
        #expect(p[0] < 1e-9 && p[1] < 1e-9, "\(p)")
        #expect(p[2] > 1e-3, "\(p)")
        // One mark alone: the other payload and the absent one are not shown present.
        let one = read(marked(width: w, height: h, frames: 6, payload: other), width: w, height: h)
        let q = one.presence(of: [payload, other, absent])
        #expect(q[1] < 1e-12 && q[0] > 1e-3 && q[2] > 1e-3, "\(q)")
        #expect(one.presence(of: [payload])[0] > 1e-3)
        // Nothing detected: nothing is present.
        let plain = read((0..<4).map { scene(width: w, height: h, frame: $0, seed: 5) }, width: w, height: h)
        #expect(plain.presence(of: [payload, other]) == [1, 1])
    }

    /// Decoys (the pilot's cells with random signs) searched over the same folded tiles: on marked and unmarked
    /// pictures alike they are patterns that are not there, and their p-values must look like it.
    @Test func decoysAreNotFound() throws {
        let (w, h) = (480, 270)
        let marked = marked(width: w, height: h, frames: 6, payload: payload)
        let plain = (0..<6).map { scene(width: w, height: h, frame: $0, seed: 11) }
        for (name, frames) in [("marked", marked), ("plain", plain)] {
            let accumulator = WatermarkAccumulator(width: w, height: h)
            for frame in frames { frame.withUnsafeBufferPointer { accumulator.add(luma: $0.baseAddress!, stride: w) } }
            let reading = accumulator.read(decoys: 40)
            var plainReading = accumulator.read()
            #expect(plainReading.decoyPValues.isEmpty)
            plainReading.decoyPValues = reading.decoyPValues
            #expect(reading == plainReading, "decoys do not change the reading")
            #expect(reading.decoyPValues.count == 40)
            #expect(reading.decoyPValues.allSatisfy { $0 > 1e-4 && $0 <= 1 }, "\(name): \(reading.decoyPValues.min()!)")
        }
    }

    @Test func binomialTail() {
        #expect(abs(exp(logBinomialTail(0, 10)) - 1) < 1e-12)
        #expect(abs(exp(logBinomialTail(10, 10)) - 1.0 / 1024) < 1e-12)
        #expect(abs(exp(logBinomialTail(9, 10)) - 11.0 / 1024) < 1e-12)
    }
}

import Foundation
