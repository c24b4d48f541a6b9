import Foundation
import PhimCore
import PhimFace
import PhimMedia
import PhimProvenance
import PhimTesting
import Testing

/// Consent records: signed with the local identity, bound to a face, refused when changed, expired, untrusted or
/// someone else's.
@Suite struct ConsentTests {
    static let faces = Result { () throws -> (collins: FaceDescriptor, messi: FaceDescriptor) in
        let analyzer = try FaceAnalyzer()
        let collins = try ImageLoader.load(try SampleMedia.url("astronaut.png"))
        let messi = try ImageLoader.load(try SampleMedia.url("messi5.jpg"))
        return (try ConsentFace.only(in: collins, analyzer: analyzer, subject: .option("image"), written: "astronaut.png"),
                try #require(try analyzer.findFaces(in: messi).first?.descriptor))
    }

    func record(expires: Date? = nil, in folder: TemporaryFolder) throws -> URL {
        let record = ConsentRecord(name: "Eileen Collins", purpose: "Phim's tests", created: Date(), expires: expires,
                                   imageSHA256: String(repeating: "0", count: 64), face: try Self.faces.get().collins)
        let url = folder.file("consent.json")
        try OutputFile.write(try SignedConsent(signing: record, with: try SigningIdentity.local()).encoded(), to: url)
        return url
    }

    @Test func aRecordApprovesItsOwnPersonOnly() throws {
        let folder = TemporaryFolder()
        let url = try record(in: folder)
        let faces = try Self.faces.get()
        let approval = try ConsentCheck().approve(url, for: [faces.collins])
        #expect(approval.record.name == "Eileen Collins")
        #expect(approval.distance < 0.1)
        #expect(approval.fileHash == SignedConsent.fileHash(try Data(contentsOf: url)))
        #expect {
            _ = try ConsentCheck().approve(url, for: [faces.messi])
        } throws: { "\($0)".contains("not theirs") && "\($0)".hasPrefix("--consent:") }
    }

    @Test func aChangedRecordIsRefused() throws {
        let folder = TemporaryFolder()
        let url = try record(in: folder)
        let text = try String(contentsOf: url, encoding: .utf8)
        for (from, to) in [("Eileen Collins", "Someone Else"), ("Phim's tests", "anything at all")] {
            try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
            #expect {
                _ = try ConsentCheck().approve(url, for: [try Self.faces.get().collins])
            } throws: { "\($0)".contains("does not match its contents") }
        }
    }

    @Test func anExpiredRecordIsRefused() throws {
        let folder = TemporaryFolder()
        let url = try record(expires: Date().addingTimeInterval(3600), in: folder)
        let collins = try Self.faces.get().collins
        _ = try ConsentCheck().approve(url, for: [collins])
        #expect {
            _ = try ConsentCheck(now: Date().addingTimeInterval(7200)).approve(url, for: [collins])
        } throws: { "\($0)".contains("expired on") }
    }

    @Test func aRecordFromAnUntrustedSignerIsRefused() throws {
        let folder = TemporaryFolder()
        let url = try record(in: folder)
        #expect {
            _ = try ConsentCheck().approve(url, for: [try Self.faces.get().collins], verifier: C2PAVerifier(trustAnchors: []))
        } throws: { "\($0)".contains("does not trust") }
    }

    @Test func aFileThatIsNotARecordIsNamed() throws {
        let folder = TemporaryFolder()
        let url = folder.file("consent.json")
        for bad in ["", "{}", "[1,2]", "{\"record\": 3}", String(repeating: "x", count: 70_000)] {
            try Data(bad.utf8).write(to: url)
            #expect(throws: PhimError.self) { _ = try ConsentCheck().approve(url, for: [try Self.faces.get().collins]) }
        }
        #expect {
            _ = try ConsentCheck().approve(folder.file("missing.json"), for: [try Self.faces.get().collins])
        } throws: { ($0 as? PhimError)?.isInvalidInput == true }
    }

    @Test func theDescriptorSurvivesTheFile() throws {
        let collins = try Self.faces.get().collins
        let record = ConsentRecord(name: "a", purpose: "b", created: Date(), expires: nil, imageSHA256: "", face: collins)
        #expect(record.faceDescriptor == collins)
    }
}
