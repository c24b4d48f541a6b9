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
        let authorityText = try readText(folder.appendingPathComponent("ca.pem"))
        do {
            let signer = try Certificate(pemEncoded: signerText)
            let key = try P256.Signing.PrivateKey(pemRepresentation: keyText)
            guard signer.publicKey == Certificate.PublicKey(key.publicKey) else {
                throw PhimError(.unreadableFile, "the signer key does not belong to signer.pem", subject: .file(folder))
            }
            return SigningIdentity(chain: [try der(signer)], key: key, authorityPEM: authorityText, signerPEM: signerText)
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.unreadableFile, "the signing identity does not parse: \(error)", subject: .file(folder))
        }
    }

    /// A signer certificate that expires within 30 days is replaced by a new one from the local CA.
    static func renewedIfNeeded(_ identity: SigningIdentity, in folder: URL) throws(PhimError) -> SigningIdentity {
        do {
            let signer = try Certificate(pemEncoded: identity.signerPEM)
            guard signer.notValidAfter < Date().addingTimeInterval(30 * 86_400) else { return identity }
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
        let signer = try Self.certify { try Certificate(pemEncoded: signerPEM) }
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
