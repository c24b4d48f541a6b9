import Crypto
import Foundation
import PhimCore
import SwiftASN1
import X509

/// What `phim verify` found in a file's C2PA manifest.
public struct ManifestReport: Sendable {
    /// C2PA's validation states, plus `absent` for a file with no manifest.
    public enum State: String, Sendable {
        case trusted = "Trusted", valid = "Valid", invalid = "Invalid", absent = "Absent"
    }

    public var state: State
    /// C2PA status codes: what was checked and how it came out (`assertion.bmffHash.match`,
    /// `claimSignature.mismatch`…), failures first.
    public var failures: [String] = []
    public var successes: [String] = []
    /// The actions, each with its IPTC source type when it has one.
    public var actions: [(action: String, sourceType: String?)] = []
    public var softwareAgent: String?
    /// The signer certificate's subject.
    public var signer: String?
    /// The watermark payload the manifest records (16 hex digits), if any.
    public var watermarkPayload: String?
    /// The watermark payloads that the ingredients' own manifests record (and their ingredients', down the tree),
    /// each manifest reached by a hashed URI that matched: a render that shows an earlier Phim video carries that
    /// video's mark beside its own, and a reader may find either.
    public var ingredientWatermarkPayloads: [String] = []
    /// What the manifest says of a face swap, when the file is one.
    public var faceSwap: FaceSwapRecord?
    /// The ingredients the active manifest names: title, relationship, and the label of the ingredient's own
    /// manifest in this store when it has one.
    public var ingredients: [(title: String, relationship: String, manifest: String?)] = []
    /// The active manifest's label (`urn:c2pa:…`).
    public var activeManifestLabel: String?
    /// Every manifest of the store, as written, for copying into a manifest that names this file as its parent.
    public var manifestBoxes: [[UInt8]] = []
    /// SHA-256 of the active manifest's superbox contents and of its signature's, as C2PA's hashed URIs hash them.
    var activeManifestHash: [UInt8]?
    var claimSignatureHash: [UInt8]?

    public init(state: State, failures: [String] = []) {
        self.state = state
        self.failures = failures
    }
}

/// Reads and checks the C2PA manifest of an MP4: the manifest store in the `uuid` box, the active manifest's
/// assertions against the claim's hashes, the claim against its COSE signature, the file against the BMFF hash,
/// and the signer against the trust anchors (Phim's local CA by default).
public struct C2PAVerifier {
    public var trustAnchors: [Certificate]

    public init(trustAnchors: [Certificate]) {
        self.trustAnchors = trustAnchors
    }

    /// A verifier that trusts Phim's local CA (when this machine has one) and the certificates in `pems` (PEM texts;
    /// any that do not parse are left out).
    public static func localAuthority(plus pems: [String] = []) -> C2PAVerifier {
        var anchors: [Certificate] = []
        if let local = try? SigningIdentity.load(from: SigningIdentity.folder()), let pem = local.authorityPEM,
           let authority = try? Certificate(pemEncoded: pem) {
            anchors.append(authority)
        }
        for pem in pems { anchors += (try? certificates(pem: pem)) ?? [] }
        return C2PAVerifier(trustAnchors: anchors)
    }

    /// The certificates in a PEM text (one or more `CERTIFICATE` blocks).
    public static func certificates(pem: String) throws(PhimError) -> [Certificate] {
        do {
            let certificates = try PEMDocument.parseMultiple(pemString: pem).map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw PhimError(.invalidInput, "no PEM certificates") }
            return certificates
        } catch {
            throw PhimError(.invalidInput, "no PEM certificates that parse")
        }
    }

    /// The manifest store a file carries, as verified (broken or not), for a new manifest to copy as an ingredient's;
    /// `nil` when the file is not an MP4, cannot be read, or has no manifest.
    public func carriedManifest(_ url: URL) -> ManifestReport? {
        guard let report = try? verify(url), report.state != .absent, !report.manifestBoxes.isEmpty else { return nil }
        return report
    }

    /// - Throws: `PhimError` when the file cannot be read or is not an MP4 at all; a manifest that is damaged is a
    ///   report with state `invalid`, not an error.
    public func verify(_ url: URL) throws(PhimError) -> ManifestReport {
        let subject = PhimError.Subject.file(url)
        let size = UInt64(try InputFile.check(url, subject: subject))
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw PhimError(.unreadableFile, "cannot open it: \(error.localizedDescription)", subject: subject)
        }
        defer { try? handle.close() }
        if size >= 8, PNG.isPNG(try BMFF.read(handle, at: 0, count: 8, subject: subject)) {
            return try verifyPNG(url, subject: subject)
        }
        guard size >= 8, try BMFF.read(handle, at: 4, count: 4, subject: subject) == Array("ftyp".utf8) else {
            throw PhimError(.unsupported, "not an MP4 or a PNG (it starts with neither an 'ftyp' box nor PNG's signature)", subject: subject)
        }
        let boxes = try BMFF.topLevelBoxes(of: handle, size: size, subject: subject)
        guard boxes.first?.type == "ftyp" else {
            throw PhimError(.unsupported, "not an MP4 ('ftyp' is not its first box)", subject: subject)
        }
        guard let box = boxes.first(where: \.isC2PA) else { return ManifestReport(state: .absent) }
        guard box.size <= 64 << 20 else {
            return ManifestReport(state: .invalid, failures: ["manifest.tooLarge"])
        }
        let bytes = try BMFF.read(handle, at: box.offset, count: Int(box.size), subject: subject)
        return try report { (report: inout ManifestReport) throws in
            // uuid box: header (8), extended type (16), version and flags (4), purpose, merkle offset, then JUMBF.
            var index = 8 + 16 + 4
            guard let end = bytes[index...].firstIndex(of: 0), String(decoding: bytes[index..<end], as: UTF8.self) == "manifest" else {
                throw ManifestDamage(code: "manifest.unsupportedPurpose")
            }
            index = end + 1 + 8
            guard index < bytes.count else { throw ManifestDamage(code: "claim.missing") }
            try check(store: bytes[index...], subject: subject, into: &report) { assertion, report in
                guard assertion.label.hasPrefix("c2pa.hash.bmff") else { return false }
                try checkBMFFHash(assertion.cbor, boxes: boxes, file: handle, subject: subject, into: &report)
                return true
            }
        }
    }

    /// A report from `body`'s checks: its state from what they found (a manifest that does not parse is `invalid`).
    func report(_ body: (inout ManifestReport) throws -> Void) throws(PhimError) -> ManifestReport {
        var report = ManifestReport(state: .invalid)
        do {
            try body(&report)
        } catch let error as ManifestDamage {
            report.failures.append(error.code)
        } catch let error as PhimError {
            throw error
        } catch {
            report.failures.append("manifest.malformed")
        }
        if report.failures.isEmpty {
            report.state = report.successes.contains("signingCredential.trusted") ? .trusted : .valid
        } else {
            report.state = .invalid
        }
        return report
    }

    /// An MP4's bytes against its BMFF hash.
    private func checkBMFFHash(_ hashAssertion: CBOR, boxes: [BMFF.Box], file: FileHandle, subject: PhimError.Subject,
                               into report: inout ManifestReport) throws {
        guard let expected = hashAssertion["hash"]?.byteString else { throw ManifestDamage(code: "assertion.bmffHash.missing") }
        let excluded = Set((hashAssertion["exclusions"]?.items ?? []).compactMap { $0["xpath"]?.text })
        var hasher = BMFFHasher()
        for box in boxes {
            if box.isC2PA || (box.type != "uuid" && excluded.contains("/" + box.type)) { continue }
            hasher.beginBox(at: box.offset)
            var offset = box.offset
            while offset < box.offset + box.size {
                let count = Int(min(UInt64(C2PAWriter.chunkSize), box.offset + box.size - offset))
                hasher.add(bytes: try BMFF.read(file, at: offset, count: count, subject: subject))
                offset += UInt64(count)
            }
        }
        if hasher.finish() == expected {
            report.successes.append("assertion.bmffHash.match")
        } else {
            report.failures.append("assertion.bmffHash.mismatch")
        }
    }

    /// A C2PA status code for a manifest that cannot be read as one.
    struct ManifestDamage: Error { var code: String }

    /// Checks the manifest store `bytes`: its active manifest's assertions, signature and signer, and (through
    /// `binding`, called with each assertion until it returns `true`) its hard binding to the file.
    func check(store bytes: ArraySlice<UInt8>, subject: PhimError.Subject, into report: inout ManifestReport,
               binding: (_ assertion: (label: String, cbor: CBOR), _ report: inout ManifestReport) throws -> Bool) throws {
        let store = try JUMBFNode.parse(bytes)
        guard store.type == "c2pa", let manifest = store.children.last(where: { $0.type == "c2ma" }),
              let assertions = manifest.children.first(where: { $0.type == "c2as" }),
              let claimNode = manifest.children.first(where: { $0.type == "c2cl" }),
              let claimBytes = claimNode.content["cbor"],
              let signatureNode = manifest.children.first(where: { $0.type == "c2cs" }),
              let signatureBytes = signatureNode.content["cbor"] else {
            throw ManifestDamage(code: "claim.missing")
        }
        report.activeManifestLabel = manifest.label
        report.manifestBoxes = store.children.filter { $0.type == "c2ma" }.map { Array($0.whole) }
        report.activeManifestHash = Array(SHA256.hash(data: manifest.hashedContents))
        report.claimSignatureHash = Array(SHA256.hash(data: signatureNode.hashedContents))
        let claim = try CBOR.decode(claimBytes)

        // Every assertion the claim names, by hash.
        let references = (claim["created_assertions"]?.items ?? []) + (claim["gathered_assertions"]?.items ?? [])
            + (claim["assertions"]?.items ?? [])
        for reference in references {
            guard let url = reference["url"]?.text, let hash = reference["hash"]?.byteString,
                  let label = url.split(separator: "/").last.map(String.init),
                  let node = assertions.children.first(where: { $0.label == label }) else {
                report.failures.append("assertion.missing")
                continue
            }
            if Array(SHA256.hash(data: node.hashedContents)) == hash {
                report.successes.append("assertion.hashedURI.match")
            } else {
                report.failures.append("assertion.hashedURI.mismatch")
            }
        }

        // The signature over the claim.
        let cose = try CBOR.decode(signatureBytes)
        guard case .tagged(COSESign1.tag, let structure) = cose, let parts = structure.items, parts.count == 4,
              let protectedBytes = parts[0].byteString, let signature = parts[3].byteString else {
            throw ManifestDamage(code: "claimSignature.missing")
        }
        let protected = try CBOR.decode(protectedBytes)
        let chain: [[UInt8]]
        switch protected[intKey: COSESign1.x5chain] ?? parts[1][intKey: COSESign1.x5chain] {
        case .bytes(let one): chain = [one]
        case .array(let many): chain = many.compactMap(\.byteString)
        default: throw ManifestDamage(code: "signingCredential.invalid")
        }
        guard protected[intKey: 1]?.integer == COSESign1.es256, let leafBytes = chain.first,
              let leaf = try? Certificate(derEncoded: leafBytes),
              let key = P256.Signing.PublicKey(leaf.publicKey),
              let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
            throw ManifestDamage(code: "algorithm.unsupported")
        }
        report.signer = String(describing: leaf.subject)
        if key.isValidSignature(ecdsa, for: COSESign1.toBeSigned(protected: protectedBytes, payload: Array(claimBytes))) {
            report.successes.append("claimSignature.validated")
        } else {
            report.failures.append("claimSignature.mismatch")
        }
        let now = Date()
        if leaf.notValidBefore > now || leaf.notValidAfter < now { report.failures.append("signingCredential.expired") }

        // The signer's chain up to a trust anchor.
        let trusted = chainIsTrusted(leaf: leaf, intermediates: chain.dropFirst().compactMap { try? Certificate(derEncoded: $0) })
        report.successes.append(trusted ? "signingCredential.trusted" : "signingCredential.untrusted")

        // The file's bytes against the hard binding.
        var bound = false
        for node in assertions.children where node.label?.hasPrefix("c2pa.hash.") == true {
            guard let label = node.label, let bytes = node.content["cbor"] else { continue }
            let assertion = try CBOR.decode(bytes)
            guard assertion["alg"]?.text ?? claim["alg"]?.text ?? "sha256" == "sha256" else {
                throw ManifestDamage(code: "algorithm.unsupported")
            }
            if try binding((label, assertion), &report) {
                bound = true
                break
            }
        }
        guard bound else { throw ManifestDamage(code: "claim.hardBindings.missing") }

        // What the manifest says.
        if let actionsNode = assertions.children.first(where: { $0.label?.hasPrefix("c2pa.actions") == true }),
           let actionsBytes = actionsNode.content["cbor"], let actions = try? CBOR.decode(actionsBytes) {
            for action in actions["actions"]?.items ?? [] {
                report.actions.append((action["action"]?.text ?? "?", action["digitalSourceType"]?.text))
                if report.softwareAgent == nil {
                    report.softwareAgent = action["softwareAgent"]?.text
                        ?? [action["softwareAgent"]?["name"]?.text, action["softwareAgent"]?["version"]?.text].compactMap { $0 }.joined(separator: " ")
                }
            }
        }
        // Ingredients: each one's manifest, when it names one, must be in this store with the hash it gives.
        for node in assertions.children where node.label?.hasPrefix("c2pa.ingredient") == true {
            guard let bytes = node.content["cbor"], let ingredient = try? CBOR.decode(bytes) else { continue }
            let reference = Self.manifestReference(of: ingredient, in: store)
            switch reference {
            case .some(.found(_, _, let matches)):
                report.successes.append(matches ? "ingredient.manifest.validated" : "ingredient.manifest.mismatch")
            case .some(.missing): report.failures.append("ingredient.manifest.missing")
            case nil: break
            }
            report.ingredients.append((ingredient["dc:title"]?.text ?? "?", ingredient["relationship"]?.text ?? "?", reference?.label))
        }
        if report.successes.contains("ingredient.manifest.mismatch") {
            report.successes.removeAll { $0 == "ingredient.manifest.mismatch" }
            report.failures.append("ingredient.manifest.mismatch")
        }
        report.watermarkPayload = Self.watermarkPayload(in: assertions)
        report.faceSwap = Self.faceSwap(in: assertions)
        var reached: Set<String> = []
        func ingredientPayloads(_ assertions: JUMBFNode, depth: Int) {
            guard depth < 16 else { return }
            for node in assertions.children where node.label?.hasPrefix("c2pa.ingredient") == true {
                guard let bytes = node.content["cbor"], let ingredient = try? CBOR.decode(bytes),
                      case .found(let label, let target, true)? = Self.manifestReference(of: ingredient, in: store),
                      reached.insert(label).inserted,
                      let inner = target.children.first(where: { $0.type == "c2as" }) else { continue }
                if let payload = Self.watermarkPayload(in: inner) { report.ingredientWatermarkPayloads.append(payload) }
                ingredientPayloads(inner, depth: depth + 1)
            }
        }
        ingredientPayloads(assertions, depth: 0)
    }

    /// Where an ingredient assertion's manifest reference (`activeManifest`, or v2's `c2pa_manifest`) leads in the
    /// store: the manifest with that label and whether its hash is the one given, or nothing with that label.
    private enum ManifestReference {
        case found(label: String, manifest: JUMBFNode, hashMatches: Bool)
        case missing(label: String?)

        var label: String? {
            switch self {
            case .found(let label, _, _): label
            case .missing(let label): label
            }
        }
    }

    /// `nil` when the ingredient names no manifest.
    private static func manifestReference(of ingredient: CBOR, in store: JUMBFNode) -> ManifestReference? {
        guard let reference = ingredient["activeManifest"] ?? ingredient["c2pa_manifest"],
              let url = reference["url"]?.text, let hash = reference["hash"]?.byteString else { return nil }
        let label = url.components(separatedBy: "/c2pa/").last.map { String($0.prefix { $0 != "/" }) }
        guard let label, let target = store.children.first(where: { $0.type == "c2ma" && $0.label == label }) else {
            return .missing(label: label)
        }
        return .found(label: label, manifest: target, hashMatches: Array(SHA256.hash(data: target.hashedContents)) == hash)
    }

    /// The face swap an assertion store's `org.phim.face-swap` assertion records.
    private static func faceSwap(in assertions: JUMBFNode) -> FaceSwapRecord? {
        guard let node = assertions.children.first(where: { $0.label == ManifestBuilder.faceSwapLabel }),
              let bytes = node.content["cbor"], let value = try? CBOR.decode(bytes),
              let method = value["method"]?.text, let consent = value["consent"],
              let hash = consent["hash"]?.byteString, hash.count == 32 else { return nil }
        return FaceSwapRecord(method: method, consentSHA256: Hex.string(hash), purpose: consent["purpose"]?.text ?? "",
                              consentSigner: consent["signer"]?.text)
    }

    /// The payload an assertion store's `org.phim.watermark` assertion records (16 hex digits, lower case).
    private static func watermarkPayload(in assertions: JUMBFNode) -> String? {
        guard let node = assertions.children.first(where: { $0.label == ManifestBuilder.watermarkLabel }),
              let bytes = node.content["cbor"], let value = try? CBOR.decode(bytes),
              let payload = value["payload"]?.text, payload.count == 16, payload.allSatisfy(\.isHexDigit) else { return nil }
        return payload.lowercased()
    }
}

/// A JUMBF superbox as read from a file: its content type (the first four bytes of its type UUID), label, content
/// boxes by type and child superboxes.
struct JUMBFNode {
    var type: String
    var label: String?
    var content: [String: ArraySlice<UInt8>] = [:]
    var children: [JUMBFNode] = []
    /// The superbox without its 8-byte header: what C2PA's hashed URIs hash.
    var hashedContents: ArraySlice<UInt8>
    /// The whole superbox, header included.
    var whole: ArraySlice<UInt8>

    static let maxDepth = 16

    /// Parses the superbox at the start of `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>, depth: Int = 0) throws(C2PAVerifier.ManifestDamage) -> JUMBFNode {
        let boxes = try boxList(bytes)
        guard let first = boxes.first, first.type == "jumb" else { throw .init(code: "manifest.malformed") }
        return try superbox(first.payload, whole: bytes[bytes.startIndex..<first.payload.endIndex], depth: depth)
    }

    static func superbox(_ payload: ArraySlice<UInt8>, whole: ArraySlice<UInt8>, depth: Int) throws(C2PAVerifier.ManifestDamage) -> JUMBFNode {
        guard depth < maxDepth else { throw .init(code: "manifest.malformed") }
        let boxes = try boxList(payload)
        guard let description = boxes.first, description.type == "jumd", description.payload.count >= 17 else {
            throw .init(code: "manifest.malformed")
        }
        let d = description.payload
        let type = String(decoding: d[d.startIndex..<d.startIndex + 4], as: UTF8.self)
        let toggles = d[d.startIndex + 16]
        var label: String?
        if toggles & 0x02 != 0 {
            let start = d.startIndex + 17
            guard let end = d[start...].firstIndex(of: 0) else { throw .init(code: "manifest.malformed") }
            label = String(decoding: d[start..<end], as: UTF8.self)
        }
        var node = JUMBFNode(type: type, label: label, hashedContents: whole.dropFirst(8), whole: whole)
        for box in boxes.dropFirst() {
            if box.type == "jumb" {
                node.children.append(try superbox(box.payload, whole: box.whole, depth: depth + 1))
            } else if node.content[box.type] == nil {
                node.content[box.type] = box.payload
            }
        }
        return node
    }

    /// The boxes that fill `bytes`, each with its payload and whole extent.
    static func boxList(_ bytes: ArraySlice<UInt8>) throws(C2PAVerifier.ManifestDamage)
        -> [(type: String, payload: ArraySlice<UInt8>, whole: ArraySlice<UInt8>)] {
        var boxes: [(type: String, payload: ArraySlice<UInt8>, whole: ArraySlice<UInt8>)] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 8 else { throw .init(code: "manifest.malformed") }
            var size = Int(BigEndian.read(UInt32.self, bytes, at: index - bytes.startIndex))
            var header = 8
            if size == 1 {
                guard bytes.endIndex - index >= 16 else { throw .init(code: "manifest.malformed") }
                let large = BigEndian.read(UInt64.self, bytes, at: index - bytes.startIndex + 8)
                guard large <= UInt64(bytes.endIndex - index) else { throw .init(code: "manifest.malformed") }
                size = Int(large)
                header = 16
            } else if size == 0 {
                size = bytes.endIndex - index
            }
            guard size >= header, size <= bytes.endIndex - index else { throw .init(code: "manifest.malformed") }
            let type = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            boxes.append((type, bytes[index + header..<index + size], bytes[index..<index + size]))
            index += size
        }
        return boxes
    }
}
