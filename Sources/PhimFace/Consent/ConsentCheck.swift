import Foundation
import PhimCore
import PhimProvenance

/// Whether a consent record allows a face to be used: signed by a trusted Phim identity and unchanged since, current,
/// and made for the person whose face it is.
public struct ConsentCheck: Sendable {
    /// The largest descriptor distance at which the face counts as the consenting person's.
    public var samePersonDistance: Double
    public var now: Date

    public init(samePersonDistance: Double = FaceDescriptor.samePersonDistance, now: Date = Date()) {
        self.samePersonDistance = samePersonDistance
        self.now = now
    }

    /// What a passed check found.
    public struct Approval: Sendable {
        public var record: ConsentRecord
        /// The SHA-256 of the consent file (hex).
        public var fileHash: String
        /// The descriptor distance between the face used and the consenting face.
        public var distance: Double
        public var signer: String?
    }

    /// Checks the record in `file` for the faces in `faces` (each must be the consenting person's).
    /// - Throws: `PhimError` `.invalidInput` about `subject`, saying why the consent does not hold.
    public func approve(_ file: URL, for faces: [FaceDescriptor], verifier: C2PAVerifier = .localAuthority(),
                        subject: PhimError.Subject = .option("consent")) throws(PhimError) -> Approval {
        let (consent, bytes) = try SignedConsent.read(file, subject: subject)
        let record = consent.record
        let who = record.name.quoted()
        let check = verifier.check(consent.signature, over: try record.canonicalBytes(), at: now)
        guard check.matches else {
            throw PhimError(.invalidInput, "the consent record's signature does not match its contents: it was changed after signing, or forged",
                            subject: subject)
        }
        guard check.trusted else {
            throw PhimError(.invalidInput, "the consent record of \(who) is signed by \(check.signer ?? "an unknown signer"), whom this machine does not trust",
                            subject: subject)
        }
        guard let created = record.createdDate, created <= now.addingTimeInterval(300) else {
            throw PhimError(.invalidInput, "the consent record of \(who) has no valid creation time", subject: subject)
        }
        if let expires = record.expires {
            guard let expiry = record.expiryDate else {
                throw PhimError(.invalidInput, "the consent record of \(who) has an unreadable expiry \(expires.quoted())", subject: subject)
            }
            guard now <= expiry else {
                throw PhimError(.invalidInput, "the consent record of \(who) expired on \(expires)", subject: subject)
            }
        }
        guard let consenting = record.faceDescriptor else {
            throw PhimError(.invalidInput, "the consent record of \(who) holds no valid face descriptor", subject: subject)
        }
        guard !faces.isEmpty else {
            throw PhimError(.invalidInput, "no face to check the consent record of \(who) against", subject: subject)
        }
        let distance = faces.map { consenting.distance(to: $0) }.max() ?? .infinity
        guard distance <= samePersonDistance else {
            throw PhimError(.invalidInput, "the consent record is for \(who), and the source face is not theirs (descriptor distance \(String(format: "%.2f", distance)); the same person is within \(samePersonDistance))",
                            subject: subject)
        }
        return Approval(record: record, fileHash: SignedConsent.fileHash(bytes), distance: distance, signer: check.signer)
    }
}
