import Crypto
import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing
import X509
@testable import PhimProvenance

/// CBOR as RFC 8949 encodes it (its appendix A examples).
@Suite struct CBORTests {
    @Test func encodesTheRFCExamples() {
        let cases: [(CBOR, String)] = [
            (.int(0), "00"), (.int(23), "17"), (.int(24), "1818"), (.int(100), "1864"), (.int(1000), "1903e8"),
            (.int(1_000_000), "1a000f4240"), (.int(1_000_000_000_000), "1b000000e8d4a51000"), (.int(-1), "20"),
            (.int(-1000), "3903e7"), (.text(""), "60"), (.text("a"), "6161"), (.text("ü"), "62c3bc"),
            (.array([.int(1), .array([.int(2), .int(3)]), .array([.int(4), .int(5)])]), "8301820203820405"),
            (.object(["a": .int(1), "b": .array([.int(2), .int(3)])]), "a26161016162820203"),
            (.bytes([1, 2, 3, 4]), "4401020304"), (.tagged(18, .null), "d2f6"), (.bool(true), "f5"), (.bool(false), "f4"),
        ]
        for (value, hex) in cases {
            #expect(value.encoded().map { String(format: "%02x", $0) }.joined() == hex)
        }
    }
}

/// The signing identity: made once, with the extensions C2PA validators require, and kept private.
@Suite struct SigningIdentityTests {
    let folder = TemporaryFolder("phim-identity")

    @Test func aNewIdentityHasASignerCertificateC2PAAccepts() throws {
        let home = folder.file("config/phim/identity")
        let identity = try SigningIdentity.loadOrCreate(in: home)
        let signer = try Certificate(pemEncoded: identity.signerPEM)
        let authority = try Certificate(pemEncoded: try #require(identity.authorityPEM))
        #expect(signer.issuer == authority.subject)
        #expect(try signer.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try signer.extensions.keyUsage?.digitalSignature == true)
        #expect(try signer.extensions.keyUsage?.keyCertSign == false)
        #expect(try signer.extensions.extendedKeyUsage?.contains(.emailProtection) == true)
        #expect(try signer.extensions.subjectKeyIdentifier != nil)
        #expect(try signer.extensions.authorityKeyIdentifier?.keyIdentifier == authority.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(try authority.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        // The CA signed the signer's certificate.
        #expect(authority.publicKey.isValidSignature(signer.signature, for: signer))

        // Keys are the owner's alone; the folders too.
        func mode(_ url: URL) throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) }
        #expect(try mode(home) == 0o700)
        #expect(try mode(home.deletingLastPathComponent()) == 0o700)
        #expect(try mode(home.appendingPathComponent("signer.key")) == 0o600)
        #expect(try mode(home.appendingPathComponent("ca.key")) == 0o600)

        // A second use loads the same identity.
        #expect(try SigningIdentity.loadOrCreate(in: home).signerPEM == identity.signerPEM)
    }

    @Test func processesStartingTogetherAgreeOnOneIdentity() async throws {
        let home = folder.file("race/phim/identity")
        let signers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 { group.addTask { try SigningIdentity.loadOrCreate(in: home).signerPEM } }
            var all: [String] = []
            for try await signer in group { all.append(signer) }
            return all
        }
        #expect(Set(signers).count == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.deletingLastPathComponent().path)
        #expect(leftovers == ["identity"], "\(leftovers)")
    }

    @Test func aDamagedIdentityIsOneClearError() throws {
        let home = folder.file("damaged/phim/identity")
        _ = try SigningIdentity.loadOrCreate(in: home)
        try Data("not a key".utf8).write(to: home.appendingPathComponent("signer.key"))
        let error = #expect(throws: PhimError.self) { try SigningIdentity.loadOrCreate(in: home) }
        #expect(error?.code == .unreadableFile)
        #expect(error?.description.contains("identity") == true, "\(error?.description ?? "")")
    }

    @Test func theConfigurationFolderFollowsXDG() {
        #expect(SigningIdentity.folder(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/home/u"]).path == "/x/config/phim/identity")
        #expect(SigningIdentity.folder(environment: ["HOME": "/home/u"]).path == "/home/u/.config/phim/identity")
        #expect(SigningIdentity.folder(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/u"]).path == "/home/u/.config/phim/identity")
    }
}

/// COSE_Sign1 signatures verify with the signer's public key over the claim as stored.
@Suite struct COSETests {
    @Test func signatureVerifiesOverTheDetachedPayload() throws {
        let key = P256.Signing.PrivateKey()
        let payload = Array("a claim".utf8)
        let chain: [[UInt8]] = [[0x30, 0x03, 0x02, 0x01, 0x01]]
        let cose = try COSESign1.sign(payload, key: key, chain: chain)
        #expect(Array(cose.prefix(2)) == [0xd2, 0x84], "tag 18, an array of four")
        let protected = COSESign1.protectedHeader(chain: chain)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: cose.suffix(64))
        #expect(key.publicKey.isValidSignature(signature, for: COSESign1.toBeSigned(protected: protected, payload: payload)))
        #expect(!key.publicKey.isValidSignature(signature, for: COSESign1.toBeSigned(protected: protected, payload: Array("another".utf8))))
    }
}

/// `phim identity`: the identity is made on first use in `$XDG_CONFIG_HOME/phim/identity`, and `ca` prints the anchor.
@Suite struct IdentityCLITests {
    let folder = TemporaryFolder("phim-identity-cli")

    @Test func identityIsMadeOnFirstUseAndItsCAIsPrinted() throws {
        let environment = ["XDG_CONFIG_HOME": folder.url.path]
        let show = try CLIRunner.run(["identity", "show"], environment: environment)
        #expect(show.status == 0, "\(show.stderr)")
        let home = folder.file("phim/identity")
        #expect(show.stdout.contains("folder:      \(home.path)"), "\(show.stdout)")
        #expect(show.stdout.contains("CN=Phim signer"), "\(show.stdout)")
        let ca = try CLIRunner.run(["identity", "ca"], environment: environment)
        #expect(ca.status == 0)
        #expect(ca.stdout == (try String(contentsOf: home.appendingPathComponent("ca.pem"), encoding: .utf8)))
        #expect(ca.stdout.hasPrefix("-----BEGIN CERTIFICATE-----"))
        // The signer shown is the one in the folder, and stays so.
        let again = try CLIRunner.run(["identity", "show"], environment: environment)
        #expect(again.stdout == show.stdout)
    }

    @Test func anUnwritableConfigurationFolderIsOneLine() throws {
        let blocker = folder.file("file-not-folder")
        try Data("x".utf8).write(to: blocker)
        let result = try CLIRunner.run(["identity", "show"], environment: ["XDG_CONFIG_HOME": blocker.path])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("identity"), "\(result.stderr)")
    }
}
