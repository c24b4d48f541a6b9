import Crypto
import Foundation
import PhimCore
import X509

/// An ES256 signature over bytes kept elsewhere (a consent record's JSON), with the signer's certificate chain: the
/// same key and chain that sign Phim's C2PA manifests.
public struct DetachedSignature: Codable, Sendable, Hashable {
    /// Always `ES256` (ECDSA P-256 with SHA-256).
    public var algorithm: String
    /// The signer's certificate and any intermediates, DER in base64, leaf first.
    public var chain: [String]
    /// The signature's raw r‖s (64 bytes), base64.
    public var value: String

    public static let es256 = "ES256"
}

/// What checking a ``DetachedSignature`` found.
public struct SignatureCheck: Sendable {
    /// The signature is the leaf key's signature of the bytes.
    public var matches: Bool
    /// The leaf chains up to one of the verifier's trust anchors.
    public var trusted: Bool
    /// The leaf certificate is within its validity period now.
    public var current: Bool
    /// The leaf's subject (`CN=…`), when the chain parses.
    public var signer: String?
}

extension SigningIdentity {
    /// Signs `bytes` with this identity's key.
    public func sign(_ bytes: [UInt8]) throws(PhimError) -> DetachedSignature {
        do {
            let signature = try key.signature(for: bytes)
            return DetachedSignature(algorithm: DetachedSignature.es256, chain: chain.map { Data($0).base64EncodedString() },
                                     value: signature.rawRepresentation.base64EncodedString())
        } catch {
            throw PhimError(wrapping: error, "signing")
        }
    }
}

extension C2PAVerifier {
    /// Checks `signature` over `bytes`: the signature against the leaf's key, the leaf's dates, and its chain up to
    /// ``trustAnchors``.
    public func check(_ signature: DetachedSignature, over bytes: [UInt8], at now: Date = Date()) -> SignatureCheck {
        var result = SignatureCheck(matches: false, trusted: false, current: false, signer: nil)
        let chain = signature.chain.compactMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
        guard signature.algorithm == DetachedSignature.es256, chain.count == signature.chain.count,
              let leafBytes = chain.first, let leaf = try? Certificate(derEncoded: leafBytes) else { return result }
        result.signer = String(describing: leaf.subject)
        result.current = leaf.notValidBefore <= now && now <= leaf.notValidAfter
        if let key = P256.Signing.PublicKey(leaf.publicKey), let raw = Data(base64Encoded: signature.value),
           let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: raw) {
            result.matches = key.isValidSignature(ecdsa, for: bytes)
        }
        result.trusted = chainIsTrusted(leaf: leaf, intermediates: chain.dropFirst().compactMap { try? Certificate(derEncoded: $0) })
        return result
    }

    /// Whether `leaf` chains through `intermediates` to one of ``trustAnchors``.
    func chainIsTrusted(leaf: Certificate, intermediates: [Certificate]) -> Bool {
        var issued = leaf
        for _ in 0...intermediates.count {
            if trustAnchors.contains(where: { $0.subject == issued.issuer && $0.publicKey.isValidSignature(issued.signature, for: issued) }) {
                return true
            }
            guard let next = intermediates.first(where: { $0.subject == issued.issuer && $0.publicKey.isValidSignature(issued.signature, for: issued) }) else {
                return false
            }
            issued = next
        }
        return false
    }
}
