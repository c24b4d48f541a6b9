import Crypto
import Foundation
import PhimCore

/// The ISO base media file format (MP4) at the level C2PA needs: the top-level boxes of a file, the chunk offsets
/// that move when a box is inserted before the media data, and the box-by-box hash that binds a manifest to the file.
enum BMFF {
    /// C2PA's `uuid` box type.
    static let c2paUUID: [UInt8] = [0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81]
    /// Boxes read into memory to be changed (`moov`, `moof`, `mfra`) must be smaller than this.
    static let maxEditedBoxSize: UInt64 = 1 << 30
    /// More top-level boxes than any real file has (a fragmented hour at one fragment a frame has ~200,000).
    static let maxTopLevelBoxes = 10_000_000

    /// A top-level box: where it is and what it is.
    struct Box: Equatable {
        var type: String
        var offset: UInt64
        var size: UInt64
        /// The `uuid` box's extended type.
        var userType: [UInt8]?

        var isC2PA: Bool { type == "uuid" && userType == BMFF.c2paUUID }
        /// Boxes the C2PA hash leaves out (`ftyp`, the manifest's own box, `mfra`).
        var isExcludedFromHash: Bool { type == "ftyp" || type == "mfra" || isC2PA }
    }

    /// The top-level boxes of an open file, in order.
    /// - Throws: `.corruptMedia` naming `subject` for sizes that run past the end or are too small.
    static func topLevelBoxes(of file: FileHandle, size fileSize: UInt64, subject: PhimError.Subject) throws(PhimError) -> [Box] {
        var boxes: [Box] = []
        var offset: UInt64 = 0
        while offset < fileSize {
            guard boxes.count < maxTopLevelBoxes else {
                throw PhimError(.limitExceeded, "more than \(maxTopLevelBoxes) top-level MP4 boxes", subject: subject)
            }
            let header = try read(file, at: offset, count: Int(min(32, fileSize - offset)), subject: subject)
            guard header.count >= 8 else { throw PhimError(.corruptMedia, "truncated MP4 box header at byte \(offset)", subject: subject) }
            let type = String(decoding: header[4..<8], as: UTF8.self)
            var size = UInt64(BigEndian.read(UInt32.self, header, at: 0))
            var headerSize: UInt64 = 8
            if size == 1 {
                guard header.count >= 16 else { throw PhimError(.corruptMedia, "truncated MP4 box header at byte \(offset)", subject: subject) }
                size = BigEndian.read(UInt64.self, header, at: 8)
                headerSize = 16
            } else if size == 0 {
                size = fileSize - offset
            }
            var userType: [UInt8]?
            if type == "uuid" {
                guard header.count >= Int(headerSize) + 16 else {
                    throw PhimError(.corruptMedia, "truncated uuid box at byte \(offset)", subject: subject)
                }
                userType = Array(header[Int(headerSize)..<Int(headerSize) + 16])
                headerSize += 16
            }
            guard size >= headerSize, size <= fileSize - offset else {
                throw PhimError(.corruptMedia, "the MP4 box '\(type.singleLine(limit: 8))' at byte \(offset) claims \(size) bytes, "
                                + "past the end of the file", subject: subject)
            }
            boxes.append(Box(type: type, offset: offset, size: size, userType: userType))
            offset += size
        }
        return boxes
    }

    /// Reads `count` bytes at `offset`.
    static func read(_ file: FileHandle, at offset: UInt64, count: Int, subject: PhimError.Subject) throws(PhimError) -> [UInt8] {
        do {
            try file.seek(toOffset: offset)
            return [UInt8](try file.read(upToCount: count) ?? Data())
        } catch {
            throw PhimError(.unreadableFile, "reading failed: \(error.localizedDescription)", subject: subject)
        }
    }

    // MARK: Moving chunk offsets

    /// Containers whose children may hold absolute file offsets.
    private static let containers: Set<String> = ["moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "mfra"]

    /// Adds `delta` to every absolute file offset in `box` (a whole `moov`, `moof` or `mfra`): chunk offsets
    /// (`stco`, `co64`), fragment base offsets (`tfhd` with a base offset) and fragment index entries (`tfra`).
    /// - Throws: `.corruptMedia` for boxes that do not parse; `.unsupported` when a 32-bit offset would overflow.
    static func shiftOffsets(in box: inout [UInt8], by delta: UInt64, subject: PhimError.Subject) throws(PhimError) {
        try shiftChildren(of: &box, range: 0..<box.count, by: delta, subject: subject)
    }

    private static func shiftChildren(of bytes: inout [UInt8], range: Range<Int>, by delta: UInt64,
                                      subject: PhimError.Subject) throws(PhimError) {
        // The box at `range`: its header, then its children (for containers) or its fields.
        guard range.count >= 8 else { throw corrupt(subject) }
        let type = String(decoding: bytes[range.lowerBound + 4..<range.lowerBound + 8], as: UTF8.self)
        let headerSize = BigEndian.read(UInt32.self, bytes, at: range.lowerBound) == 1 ? 16 : 8
        let body = range.lowerBound + headerSize..<range.upperBound
        guard body.lowerBound <= body.upperBound else { throw corrupt(subject) }
        switch type {
        case _ where containers.contains(type):
            var offset = body.lowerBound
            while offset + 8 <= body.upperBound {
                var size = Int(BigEndian.read(UInt32.self, bytes, at: offset))
                if size == 1 {
                    guard offset + 16 <= body.upperBound else { throw corrupt(subject) }
                    let large = BigEndian.read(UInt64.self, bytes, at: offset + 8)
                    guard large <= UInt64(body.upperBound - offset) else { throw corrupt(subject) }
                    size = Int(large)
                } else if size == 0 {
                    size = body.upperBound - offset
                }
                guard size >= 8, offset + size <= body.upperBound else { throw corrupt(subject) }
                try shiftChildren(of: &bytes, range: offset..<offset + size, by: delta, subject: subject)
                offset += size
            }
        case "stco", "co64":
            let wide = type == "co64"
            guard body.count >= 8 else { throw corrupt(subject) }
            let count = Int(BigEndian.read(UInt32.self, bytes, at: body.lowerBound + 4))
            let width = wide ? 8 : 4
            guard count <= (body.count - 8) / width else { throw corrupt(subject) }
            for index in 0..<count {
                let at = body.lowerBound + 8 + index * width
                if wide {
                    BigEndian.write(BigEndian.read(UInt64.self, bytes, at: at) &+ delta, into: &bytes, at: at)
                } else {
                    let moved = UInt64(BigEndian.read(UInt32.self, bytes, at: at)) + delta
                    guard moved <= UInt64(UInt32.max) else {
                        throw PhimError(.unsupported, "a 32-bit chunk offset would pass 4 GiB once the manifest is inserted",
                                        subject: subject)
                    }
                    BigEndian.write(UInt32(moved), into: &bytes, at: at)
                }
            }
        case "tfhd":
            guard body.count >= 8 else { throw corrupt(subject) }
            let flags = BigEndian.read(UInt32.self, bytes, at: body.lowerBound) & 0x00ff_ffff
            if flags & 1 != 0 {
                guard body.count >= 16 else { throw corrupt(subject) }
                let at = body.lowerBound + 8
                BigEndian.write(BigEndian.read(UInt64.self, bytes, at: at) &+ delta, into: &bytes, at: at)
            }
        case "tfra":
            guard body.count >= 12 else { throw corrupt(subject) }
            let wide = bytes[body.lowerBound] == 1
            let sizes = BigEndian.read(UInt32.self, bytes, at: body.lowerBound + 8)
            let numbers = Int((sizes >> 4) & 3) + Int((sizes >> 2) & 3) + Int(sizes & 3) + 3
            guard body.count >= 16 else { throw corrupt(subject) }
            let count = Int(BigEndian.read(UInt32.self, bytes, at: body.lowerBound + 12))
            let entrySize = (wide ? 16 : 8) + numbers
            guard count <= (body.count - 16) / entrySize else { throw corrupt(subject) }
            for index in 0..<count {
                let entry = body.lowerBound + 16 + index * entrySize
                if wide {
                    let at = entry + 8
                    BigEndian.write(BigEndian.read(UInt64.self, bytes, at: at) &+ delta, into: &bytes, at: at)
                } else {
                    let at = entry + 4
                    let moved = UInt64(BigEndian.read(UInt32.self, bytes, at: at)) + delta
                    guard moved <= UInt64(UInt32.max) else { throw corrupt(subject) }
                    BigEndian.write(UInt32(moved), into: &bytes, at: at)
                }
            }
        default:
            break
        }
    }

    private static func corrupt(_ subject: PhimError.Subject) -> PhimError {
        PhimError(.corruptMedia, "an MP4 box inside the movie header does not parse", subject: subject)
    }
}

/// The C2PA BMFF hash (`c2pa.hash.bmff.v2`/`v3` without Merkle trees): SHA-256 over every top-level box the
/// exclusions do not name, each preceded by its offset in the file as a 64-bit big-endian number.
struct BMFFHasher {
    private var hash = SHA256()

    /// Adds a box that starts at `offset` in the finished file; call `add(bytes:)` with all its bytes next.
    mutating func beginBox(at offset: UInt64) { hash.update(data: BigEndian.bytes(offset)) }

    mutating func add(bytes: some DataProtocol) { hash.update(data: bytes) }

    func finish() -> [UInt8] { Array(hash.finalize()) }
}
