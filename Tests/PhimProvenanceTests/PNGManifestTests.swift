import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimProvenance

/// Phim's manifests in PNGs: a `caBX` chunk after `IHDR`, bound by a data hash; Phim's own verifier finds any
/// changed byte, and refuses what is not a whole PNG.
@Suite struct PNGManifestTests {
    let folder = TemporaryFolder("phim-png")

    /// A small real PNG from ffmpeg.
    func png(_ name: String) throws -> URL {
        let url = folder.file(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64", "-frames:v", "1", url.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return url
    }

    @Test func aSealedPNGVerifiesAndAnyChangedByteBreaksIt() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let authority = try #require(identity.authorityPEM)
        let verifier = C2PAVerifier(trustAnchors: try C2PAVerifier.certificates(pem: authority))
        let url = try png("a.png")
        let unsigned = try Data(contentsOf: url)
        #expect(try verifier.verify(url).state == .absent)
        try C2PAWriter(identity: identity).sealPNG(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia, title: "a.png"))
        let signed = [UInt8](try Data(contentsOf: url))
        let chunks = try PNG.chunks(signed, subject: .file(url))
        #expect(chunks.map(\.type).prefix(2) == ["IHDR", "caBX"])
        // Every chunk's CRC holds (a PNG reader would reject the file otherwise).
        for chunk in chunks {
            let crc = BigEndian.read(UInt32.self, signed, at: chunk.offset + 8 + chunk.length)
            #expect(PNG.crc32(Array(signed[(chunk.offset + 4)..<(chunk.offset + 8 + chunk.length)])) == crc, "\(chunk.type)")
        }
        let report = try verifier.verify(url)
        #expect(report.state == .trusted, "\(report.failures)")
        #expect(report.successes.contains("assertion.dataHash.match"))
        // The bytes outside the manifest are the original's.
        let manifest = chunks[1]
        #expect(Array(signed[..<manifest.offset]) + Array(signed[(manifest.offset + manifest.size)...]) == [UInt8](unsigned))

        // One changed byte in the image data, then bytes appended after IEND: each is found.
        let data = try #require(chunks.first { $0.type == "IDAT" })
        var changed = signed
        changed[data.dataRange.lowerBound + 5] ^= 0x01
        try Data(changed).write(to: url)
        #expect(try verifier.verify(url).failures.contains("assertion.dataHash.mismatch"))
        try Data(signed + [0, 1, 2]).write(to: url)
        #expect(try verifier.verify(url).failures.contains("assertion.dataHash.mismatch"))

        // A signed PNG is not signed twice.
        try Data(signed).write(to: url)
        #expect(throws: PhimError.self) {
            try C2PAWriter(identity: identity).sealPNG(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia))
        }
        #expect([UInt8](try Data(contentsOf: url)) == signed)
    }

    @Test func whatIsNotAWholePNGIsOneClearError() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let whole = [UInt8](try Data(contentsOf: try png("b.png")))
        let cases: [(String, [UInt8])] = [
            ("truncated.png", Array(whole.prefix(whole.count / 2))),
            ("no-ihdr.png", PNG.signature + PNG.chunk("IEND", [])),
            ("huge-chunk.png", PNG.signature + [0x7F, 0xFF, 0xFF, 0xFF] + Array("IHDR".utf8) + [0, 0, 0, 0]),
        ]
        for (name, bytes) in cases {
            let url = folder.file(name)
            try Data(bytes).write(to: url)
            do {
                try C2PAWriter(identity: identity).sealPNG(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia))
                Issue.record("\(name) was signed")
            } catch let error as PhimError {
                #expect(error.code == .corruptMedia && error.subject == PhimError.Subject.file(url), "\(name): \(error)")
            }
            #expect([UInt8](try Data(contentsOf: url)) == bytes, "\(name) was changed")
            #expect(throws: PhimError.self) { try C2PAVerifier.localAuthority().verify(url) }
        }
    }
}
