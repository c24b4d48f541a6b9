import Crypto
import Foundation
import PhimCore
import PhimProvenance

/// A person's recorded consent to have their face used: who, for what, until when, and their face's descriptor, so
/// that a swap can check that the face it puts into a video is the face of the person who agreed.
///
/// The file is JSON: `record` (the fields below) and `signature`, an ES256 signature of the record's canonical JSON
/// (keys sorted, no spaces) by the Phim identity that made it (``SigningIdentity``, the key that signs Phim's
/// manifests). Changing any field breaks the signature.
public struct ConsentRecord: Codable, Sendable, Hashable {
    /// `phim-consent-1`.
    public var format: String
    /// A random identifier (a UUID).
    public var id: String
    /// The person's name as they gave it.
    public var name: String
    /// What they agreed to (`a training video for the sales team`).
    public var purpose: String
    /// When the record was made (ISO 8601, UTC).
    public var created: String
    /// The last moment it is valid (ISO 8601, UTC), or `nil` for no end.
    public var expires: String?
    /// The SHA-256 of the photo the descriptor was taken from (hex).
    public var imageSHA256: String
    /// The person's 128-D face descriptor: 128 little-endian float32 values, base64.
    public var descriptor: String

    public static let currentFormat = "phim-consent-1"
    /// The longest name and purpose accepted, in characters.
    public static let maxTextLength = 500

    public init(name: String, purpose: String, created: Date, expires: Date?, imageSHA256: String, face: FaceDescriptor,
                id: String = UUID().uuidString.lowercased()) {
        format = Self.currentFormat
        self.id = id
        self.name = name
        self.purpose = purpose
        self.created = Self.timestamp(created)
        self.expires = expires.map(Self.timestamp)
        self.imageSHA256 = imageSHA256
        var bytes: [UInt8] = []
        for value in face.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        descriptor = Data(bytes).base64EncodedString()
    }

    /// The descriptor, or `nil` when the field does not hold 128 floats.
    public var faceDescriptor: FaceDescriptor? {
        guard let data = Data(base64Encoded: descriptor), data.count == 4 * FaceDescriptor.dimensions else { return nil }
        let values = (0..<FaceDescriptor.dimensions).map { i -> Float in
            let word = data[data.startIndex + 4 * i..<data.startIndex + 4 * i + 4].enumerated()
                .reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return Float(bitPattern: word)
        }
        guard values.allSatisfy(\.isFinite) else { return nil }
        return FaceDescriptor(values: values)
    }

    public var createdDate: Date? { Self.date(created) }
    public var expiryDate: Date? { expires.flatMap(Self.date) }

    /// The bytes the signature covers: the record as JSON with sorted keys.
    public func canonicalBytes() throws(PhimError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return [UInt8](try encoder.encode(self)) } catch { throw PhimError(wrapping: error, "encoding the consent record") }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }
}

/// A consent record and its signature: the file `phim consent create` writes.
public struct SignedConsent: Codable, Sendable {
    public var record: ConsentRecord
    public var signature: DetachedSignature

    /// The largest consent file read.
    public static let maxBytes = 64 << 10

    /// Signs `record` with `identity`.
    public init(signing record: ConsentRecord, with identity: SigningIdentity) throws(PhimError) {
        self.record = record
        signature = try identity.sign(try record.canonicalBytes())
    }

    /// The file's JSON, pretty-printed.
    public func encoded() throws(PhimError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) + Data("\n".utf8) } catch { throw PhimError(wrapping: error, "encoding the consent record") }
    }

    /// The SHA-256 of the file's bytes as written (hex), which a swap's manifest records.
    public static func fileHash(_ data: Data) -> String {
        Hex.string(SHA256.hash(data: data))
    }

    /// Reads a consent file.
    /// - Throws: `PhimError` `.invalidInput` about `subject` when the file is missing, too large, not JSON, or not a
    ///   consent record.
    public static func read(_ url: URL, subject: PhimError.Subject) throws(PhimError) -> (consent: SignedConsent, bytes: Data) {
        let data = try InputFile.read(url, subject: subject, written: url.displayPath, maxBytes: maxBytes)
        let consent: SignedConsent
        do { consent = try JSONDecoder().decode(SignedConsent.self, from: data) } catch {
            throw PhimError(.invalidInput, "\(url.displayPath.quoted()) is not a Phim consent record (phim consent create writes one)",
                            subject: subject)
        }
        guard consent.record.format == ConsentRecord.currentFormat else {
            throw PhimError(.invalidInput, "\(url.displayPath.quoted()) is a consent record of format \(consent.record.format.quoted()); this Phim reads \(ConsentRecord.currentFormat)",
                            subject: subject)
        }
        return (consent, data)
    }
}
