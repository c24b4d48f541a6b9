import Crypto
import Foundation
import PhimCore
import SwiftASN1
import X509

/// Who signs the C2PA manifests: a P-256 key and its certificate chain.
///
/// On first use Phim makes a local identity under `$XDG_CONFIG_HOME/phim/identity` (else `~/.config/phim/identity`;
/// folders 0700, keys 0600): a certificate authority of its own and a signer certificate it issues, with the
/// extensions C2PA validators require of a signer (not a CA, `digitalSignature`, the e-mail protection purpose,
/// subject and authority key identifiers). The CA certificate is the trust anchor a reader adds to call the
/// manifests `Trusted`.
public struct SigningIdentity: Sendable {
    /// The signer's certificate and any intermediates, DER, leaf first (the trust anchor is left out).
    public let chain: [[UInt8]]
    let key: P256.Signing.PrivateKey
    /// The local CA's certificate (PEM) when Phim made this identity.
    public let authorityPEM: String?
    /// The signer's certificate (PEM).
    public let signerPEM: String

    /// The folder the local identity lives in.
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : nil }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return base.appendingPathComponent("phim/identity")
    }

    /// The local identity, loaded once per process (made on first use).
    public static func local() throws(PhimError) -> SigningIdentity {
        try cache.value { () throws(PhimError) in try loadOrCreate(in: folder()) }
    }

    private static let cache = OnceCache<SigningIdentity>()

    /// Loads the identity in `folder`, or makes one there if there is none. Safe when several processes start at
    /// once: each builds its own in a temporary folder and the first to move it into place wins.
    public static func loadOrCreate(in folder: URL) throws(PhimError) -> SigningIdentity {
        if let identity = try load(from: folder) { return try renewedIfNeeded(identity, in: folder) }
        let manager = FileManager.default
        let parent = folder.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".identity-\(UUID().uuidString)")
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PhimError(.writeFailed, "cannot create the signing identity's folder: \(error.localizedDescription)", subject: .file(parent))
        }
        defer { try? manager.removeItem(at: staging) }
        let authorityKey = P256.Signing.PrivateKey(), signerKey = P256.Signing.PrivateKey()
        let authority = try makeAuthority(key: authorityKey)
        let signer = try makeSigner(key: signerKey, authority: authority, authorityKey: authorityKey)
        try write(pem(authority), to: staging.appendingPathComponent("ca.pem"), mode: 0o644)
        try write(authorityKey.pemRepresentation + "\n", to: staging.appendingPathComponent("ca.key"), mode: 0o600)
        try write(pem(signer), to: staging.appendingPathComponent("signer.pem"), mode: 0o644)
        try write(signerKey.pemRepresentation + "\n", to: staging.appendingPathComponent("signer.key"), mode: 0o600)
        if rename(staging.path, folder.path) != 0 && errno != ENOTEMPTY && errno != EEXIST {
            throw PhimError(.writeFailed, "cannot move the new signing identity into place: \(String(cString: strerror(errno)))",
                            subject: .file(folder))
        }
        guard let identity = try load(from: folder) else {
            throw PhimError(.operationFailed, "the signing identity vanished after it was made", subject: .file(folder))
        }
        return identity
    }

    /// The identity in `folder`, or `nil` if there is none.
    public static func load(from folder: URL) throws(PhimError) -> SigningIdentity? {
        let signerURL = folder.appendingPathComponent("signer.pem")
        guard FileManager.default.fileExists(atPath: signerURL.path) else { return nil }
        let signerText = try readText(signerURL)
        let keyText = try readText(folder.appendingPathComponent("signer.key"))
        let authorityURL = folder.appendingPathComponent("ca.pem")
        let authorityText = FileManager.default.fileExists(atPath: authorityURL.path) ? try readText(authorityURL) : nil
        do {
            let chain = try PEMDocument.parseMultiple(pemString: signerText).map { try Certificate(pemDocument: $0) }
            guard let signer = chain.first else {
                throw PhimError(.unreadableFile, "signer.pem holds no certificate", subject: .file(folder))
            }
            let key = try P256.Signing.PrivateKey(pemRepresentation: keyText)
            guard signer.publicKey == Certificate.PublicKey(key.publicKey) else {
                throw PhimError(.unreadableFile, "the signer key does not belong to signer.pem", subject: .file(folder))
            }
            return SigningIdentity(chain: try chain.map { (certificate) throws(PhimError) in try der(certificate) }, key: key,
                                   authorityPEM: authorityText, signerPEM: signerText)
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.unreadableFile, "the signing identity does not parse: \(error)", subject: .file(folder))
        }
    }

    /// A signer certificate that expires within 30 days is replaced by a new one from the local CA.
    static func renewedIfNeeded(_ identity: SigningIdentity, in folder: URL) throws(PhimError) -> SigningIdentity {
        do {
            let signer = try Certificate(derEncoded: identity.chain[0])
            guard signer.notValidAfter < Date().addingTimeInterval(30 * 86_400),
                  FileManager.default.fileExists(atPath: folder.appendingPathComponent("ca.key").path) else { return identity }
            let authority = try Certificate(pemEncoded: try readText(folder.appendingPathComponent("ca.pem")))
            let authorityKey = try P256.Signing.PrivateKey(pemRepresentation: try readText(folder.appendingPathComponent("ca.key")))
            let renewed = try makeSigner(key: identity.key, authority: authority, authorityKey: authorityKey)
            let url = folder.appendingPathComponent("signer.pem")
            let staging = folder.appendingPathComponent(".signer-\(UUID().uuidString).pem")
            try write(pem(renewed), to: staging, mode: 0o644)
            guard rename(staging.path, url.path) == 0 else {
                throw PhimError(.writeFailed, "cannot renew the signer certificate", subject: .file(url))
            }
            return try load(from: folder) ?? identity
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.unreadableFile, "the signing identity does not parse: \(error)", subject: .file(folder))
        }
    }

    /// Installs a signer the user brings (their organisation's certificate, a CA's), in place of the local one:
    /// `chainPEM` holds the signer's certificate first, then any intermediates; `keyPEM` its P-256 private key.
    /// The certificate must meet C2PA's signer profile, checked here so that no manifest is signed that readers reject.
    /// - Throws: `.invalidInput` naming `chain` or `key` and what is wrong.
    public static func install(chainPEM: String, keyPEM: String, in folder: URL) throws(PhimError) -> SigningIdentity {
        let certificates: [Certificate]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: chainPEM).map { try Certificate(pemDocument: $0) }
        } catch {
            throw PhimError(.invalidInput, "no PEM certificates that parse", subject: .option("chain"))
        }
        guard let leaf = certificates.first else { throw PhimError(.invalidInput, "no certificates", subject: .option("chain")) }
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM) } catch {
            throw PhimError(.invalidInput, "not a P-256 private key in PEM (ES256 is the signature C2PA readers all accept)", subject: .option("key"))
        }
        guard leaf.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw PhimError(.invalidInput, "the key does not belong to the chain's first certificate", subject: .option("key"))
        }
        if let problem = signerProfileProblem(leaf) { throw PhimError(.invalidInput, problem, subject: .option("chain")) }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PhimError(.writeFailed, "cannot create it: \(error.localizedDescription)", subject: .file(folder))
        }
        let chainText = try certificates.map { (certificate) throws(PhimError) in try pem(certificate) }.joined()
        for (name, text, mode) in [("signer.key", keyPEM.hasSuffix("\n") ? keyPEM : keyPEM + "\n", 0o600), ("signer.pem", chainText, 0o644)] {
            let staging = folder.appendingPathComponent(".\(name)-\(UUID().uuidString.prefix(8))")
            try write(text, to: staging, mode: mode)
            guard rename(staging.path, folder.appendingPathComponent(name).path) == 0 else {
                throw PhimError(.writeFailed, "cannot put \(name) in place", subject: .file(folder))
            }
        }
        // A local CA that did not issue this signer is no longer its anchor.
        try? manager.removeItem(at: folder.appendingPathComponent("ca.pem"))
        try? manager.removeItem(at: folder.appendingPathComponent("ca.key"))
        guard let identity = try load(from: folder) else {
            throw PhimError(.operationFailed, "the installed identity does not load", subject: .file(folder))
        }
        return identity
    }

    /// What keeps `certificate` from signing C2PA manifests (c2pa-rs's signer profile), or nil.
    static func signerProfileProblem(_ certificate: Certificate) -> String? {
        guard certificate.version == .v3 else { return "the certificate is not X.509 version 3" }
        let now = Date()
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else { return "the certificate is not valid now" }
        guard let extensions = try? certificate.extensions else { return "the certificate's extensions do not parse" }
        if case .isCertificateAuthority = (try? extensions.basicConstraints) ?? .notCertificateAuthority {
            return "the certificate is a CA; C2PA needs an end-entity signer certificate"
        }
        guard let usage = try? extensions.keyUsage, usage.digitalSignature || usage.nonRepudiation, !usage.keyCertSign else {
            return "the certificate's key usage lacks digitalSignature"
        }
        let allowed: [ExtendedKeyUsage.Usage] = [
            .emailProtection, .init(oid: [1, 3, 6, 1, 5, 5, 7, 3, 36]), .init(oid: [1, 3, 6, 1, 4, 1, 311, 76, 59, 1, 9]),
            .init(oid: [1, 3, 6, 1, 4, 1, 62558, 2, 1]),
        ]
        guard let purposes = try? extensions.extendedKeyUsage, !purposes.contains(.any),
              purposes.contains(where: { allowed.contains($0) }) else {
            return "the certificate's extended key usage has none of C2PA's signing purposes (e.g. emailProtection, documentSigning)"
        }
        guard (try? extensions.authorityKeyIdentifier) != nil else { return "the certificate has no authority key identifier" }
        return nil
    }

    /// The signer certificate in words, for `phim identity show`.
    public struct Summary: Sendable {
        public var subject: String
        public var issuer: String
        public var notBefore: String
        public var notAfter: String
        /// SHA-256 of the certificate's DER, as colon-separated hex.
        public var fingerprint: String
    }

    public func summary() throws(PhimError) -> Summary {
        let signer = try Self.certify { try Certificate(derEncoded: chain[0]) }
        let formatter = ISO8601DateFormatter()
        return Summary(subject: String(describing: signer.subject), issuer: String(describing: signer.issuer),
                       notBefore: formatter.string(from: signer.notValidBefore), notAfter: formatter.string(from: signer.notValidAfter),
                       fingerprint: SHA256.hash(data: chain[0]).map { String(format: "%02X", $0) }.joined(separator: ":"))
    }

    // MARK: Certificates

    static func makeAuthority(key: P256.Signing.PrivateKey) throws(PhimError) -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try distinguishedName("Phim local CA (\(hostName()))")
        return try certify {
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: Date().addingTimeInterval(-3_600), notValidAfter: Date().addingTimeInterval(10 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: publicKey)
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        }
    }

    static func makeSigner(key: P256.Signing.PrivateKey, authority: Certificate,
                           authorityKey: P256.Signing.PrivateKey) throws(PhimError) -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let authorityKeyID = try certify { try authority.extensions.subjectKeyIdentifier?.keyIdentifier }
            ?? SubjectKeyIdentifier(hash: authority.publicKey).keyIdentifier
        let name = try distinguishedName("Phim signer (\(hostName()))")
        return try certify {
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: Date().addingTimeInterval(-3_600), notValidAfter: Date().addingTimeInterval(2 * 365 * 86_400),
                issuer: authority.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.emailProtection])
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                },
                issuerPrivateKey: Certificate.PrivateKey(authorityKey))
        }
    }

    static func distinguishedName(_ commonName: String) throws(PhimError) -> DistinguishedName {
        try certify {
            try DistinguishedName {
                CommonName(commonName)
                OrganizationName("Phim")
            }
        }
    }

    /// Runs certificate code, turning its errors into one `PhimError`.
    static func certify<T>(_ body: () throws -> T) throws(PhimError) -> T {
        do { return try body() } catch {
            throw PhimError(.operationFailed, "making the signing certificate failed: \(error)")
        }
    }

    static func der(_ certificate: Certificate) throws(PhimError) -> [UInt8] {
        try certify {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    static func pem(_ certificate: Certificate) throws(PhimError) -> String {
        try certify { try certificate.serializeAsPEM().pemString + "\n" }
    }

    static func hostName() -> String {
        String(ProcessInfo.processInfo.hostName.prefix(40))
    }

    // MARK: Files

    static func readText(_ url: URL) throws(PhimError) -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw PhimError(.unreadableFile, "cannot read it: \(error.localizedDescription)", subject: .file(url))
        }
    }

    static func write(_ text: String, to url: URL, mode: Int) throws(PhimError) {
        do {
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        } catch {
            throw PhimError(.writeFailed, "cannot write it: \(error.localizedDescription)", subject: .file(url))
        }
    }
}

/// A value computed once, on first use, by whichever thread asks first.
/// `@unchecked Sendable`: guarded by `lock`.
final class OnceCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    func value(_ make: () throws(PhimError) -> Value) throws(PhimError) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let stored { return stored }
        let made = try make()
        stored = made
        return made
    }
}
