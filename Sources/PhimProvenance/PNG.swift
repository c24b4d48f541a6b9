import Crypto
import Foundation
import PhimCore

/// The chunks of a PNG file, as far as C2PA needs them: where each lies, and where the manifest store goes (a `caBX`
/// chunk, which C2PA puts before the image data; Phim puts it right after `IHDR`).
enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let manifestChunk = "caBX"
    /// The largest PNG Phim signs or checks.
    static let maxBytes = 512 << 20

    struct Chunk: Equatable {
        /// Where the chunk starts (its length field).
        var offset: Int
        /// The length of its data.
        var length: Int
        var type: String
        /// The whole chunk: length, type, data and CRC.
        var size: Int { length + 12 }
        var dataRange: Range<Int> { (offset + 8)..<(offset + 8 + length) }
    }

    static func isPNG(_ bytes: some Collection<UInt8>) -> Bool { bytes.prefix(8).elementsEqual(signature) }

    /// Every chunk up to and including `IEND`.
    /// - Throws: `.corruptMedia` about `subject` for a file that is not a PNG, or whose chunks run past its end, or
    ///   that has no `IHDR` first or no `IEND`.
    static func chunks(_ bytes: [UInt8], subject: PhimError.Subject) throws(PhimError) -> [Chunk] {
        guard isPNG(bytes) else { throw PhimError(.corruptMedia, "not a PNG", subject: subject) }
        var chunks: [Chunk] = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(BigEndian.read(UInt32.self, bytes, at: offset))
            guard length <= bytes.count - offset - 12 else {
                throw PhimError(.corruptMedia, "a PNG chunk runs past the end of the file (at byte \(offset))", subject: subject)
            }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            chunks.append(Chunk(offset: offset, length: length, type: type))
            offset += length + 12
            if type == "IEND" { break }
        }
        guard chunks.first?.type == "IHDR", chunks.last?.type == "IEND" else {
            throw PhimError(.corruptMedia, "not a whole PNG (no IHDR first, or no IEND)", subject: subject)
        }
        return chunks
    }

    /// A chunk of `type` holding `data`, with its CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return BigEndian.bytes(UInt32(data.count)) + typed + BigEndian.bytes(crc32(typed))
    }

    /// The CRC-32 of ISO 3309 that PNG uses.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension C2PAWriter {
    /// Signs `file` (a PNG without a manifest) in place: a `caBX` chunk holding the manifest store goes right after
    /// `IHDR`, bound to the file by a `c2pa.hash.data` assertion (the SHA-256 of every byte but that chunk's).
    /// - Throws: `.corruptMedia` for a file that is not a whole PNG, `.unsupported` for one already signed,
    ///   `.writeFailed`; the file is left as it was on failure.
    public func sealPNG(_ file: URL, provenance: Provenance) throws(PhimError) {
        let subject = PhimError.Subject.file(file)
        let bytes = [UInt8](try InputFile.read(file, subject: subject, maxBytes: PNG.maxBytes))
        let chunks = try PNG.chunks(bytes, subject: subject)
        guard !chunks.contains(where: { $0.type == PNG.manifestChunk }) else {
            throw PhimError(.unsupported, "the file already holds a C2PA manifest", subject: subject)
        }
        let header = chunks[0]
        let start = header.offset + header.size
        let end = chunks[chunks.count - 1].offset + chunks[chunks.count - 1].size
        // The hash leaves out the manifest's chunk, so it is the hash of the file as it is now (less anything after IEND).
        var hasher = SHA256()
        hasher.update(data: bytes[0..<start])
        hasher.update(data: bytes[start..<end])
        let hash = Array(hasher.finalize())
        let manifest = ManifestBuilder(provenance: provenance, identity: identity)
        // The exclusion's length is in the store it measures: build until the two agree (the second build does).
        var length = 0
        var store: [UInt8] = []
        for _ in 0..<4 {
            store = try manifest.manifestStore(binding: .data(hash: hash, exclusionStart: start, exclusionLength: length))
            if store.count + 12 == length { break }
            length = store.count + 12
        }
        guard store.count + 12 == length else {
            throw PhimError(.operationFailed, "the manifest's size does not settle", subject: subject)
        }
        let signed = Array(bytes[0..<start]) + PNG.chunk(PNG.manifestChunk, store) + Array(bytes[start..<end])
        try OutputFile.write(Data(signed), to: file)
    }
}

extension C2PAVerifier {
    /// The manifest store of a PNG and the check of its data hash.
    func verifyPNG(_ url: URL, subject: PhimError.Subject) throws(PhimError) -> ManifestReport {
        let bytes = [UInt8](try InputFile.read(url, subject: subject, maxBytes: PNG.maxBytes))
        let chunks = try PNG.chunks(bytes, subject: subject)
        guard let chunk = chunks.first(where: { $0.type == PNG.manifestChunk }) else { return ManifestReport(state: .absent) }
        return try report { (report: inout ManifestReport) throws in
            try check(store: bytes[chunk.dataRange], subject: subject, into: &report) { assertion, report in
                guard assertion.label == HardBinding.dataLabel else { return false }
                let ranges = (assertion.cbor["exclusions"]?.items ?? []).compactMap { range -> Range<Int>? in
                    guard let start = range["start"]?.integer, let length = range["length"]?.integer, start >= 0, length >= 0,
                          start <= bytes.count, length <= bytes.count - start else { return nil }
                    return start..<(start + length)
                }.sorted { $0.lowerBound < $1.lowerBound }
                // The exclusions must cover the manifest's chunk, or the hash would hold the manifest itself.
                guard ranges.contains(where: { $0.lowerBound == chunk.offset && $0.count == chunk.size }) else {
                    report.failures.append("assertion.dataHash.mismatch")
                    return true
                }
                var hasher = SHA256()
                var position = 0
                for range in ranges where range.lowerBound >= position {
                    hasher.update(data: bytes[position..<range.lowerBound])
                    position = range.upperBound
                }
                hasher.update(data: bytes[position...])
                if Array(hasher.finalize()) == assertion.cbor["hash"]?.byteString {
                    report.successes.append("assertion.dataHash.match")
                } else {
                    report.failures.append("assertion.dataHash.mismatch")
                }
                return true
            }
        }
    }
}
