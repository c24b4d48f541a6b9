import Crypto
import Foundation

/// COSE_Sign1 (RFC 9052) as C2PA signs a claim: ES256, the certificate chain (`x5chain`) in the protected header,
/// the claim detached (the signature covers it, the structure does not carry it).
enum COSESign1 {
    static let tag: UInt64 = 18
    static let es256 = -7
    static let x5chain = 33

    /// The protected header: algorithm and certificate chain (leaf first; one certificate as a byte string).
    static func protectedHeader(chain: [[UInt8]]) -> [UInt8] {
        let certificates: CBOR = chain.count == 1 ? .bytes(chain[0]) : .array(chain.map { .bytes($0) })
        return CBOR.map([(.int(1), .int(es256)), (.int(x5chain), certificates)]).encoded()
    }

    /// What is signed: `["Signature1", protected, h'', payload]`.
    static func toBeSigned(protected: [UInt8], payload: [UInt8]) -> [UInt8] {
        CBOR.array([.text("Signature1"), .bytes(protected), .bytes([]), .bytes(payload)]).encoded()
    }

    /// The tagged COSE_Sign1 over `payload` (detached).
    static func sign(_ payload: [UInt8], key: P256.Signing.PrivateKey, chain: [[UInt8]]) throws -> [UInt8] {
        let protected = protectedHeader(chain: chain)
        let signature = try key.signature(for: toBeSigned(protected: protected, payload: payload)).rawRepresentation
        return structure(protected: protected, signature: Array(signature)).encoded()
    }

    /// The structure with a given signature (64 bytes for ES256: `r ‖ s`).
    static func structure(protected: [UInt8], signature: [UInt8]) -> CBOR {
        .tagged(tag, .array([.bytes(protected), .map([]), .null, .bytes(signature)]))
    }
}
