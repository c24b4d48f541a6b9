import Crypto
import Foundation
import PhimCore

/// Writes a signed C2PA manifest into an MP4, as c2pa-rs does: a top-level `uuid` box after `ftyp` holding the
/// JUMBF manifest store (one manifest: the `c2pa.actions.v2` and `c2pa.hash.bmff.v3` assertions, the
/// `c2pa.claim.v2` claim and its COSE signature), with the chunk offsets after it moved by the box's size.
///
/// The file is rewritten once: boxes are copied in order into a new file beside it (the movie header with its
/// offsets moved) while the BMFF hash is computed over them at their new offsets; then the manifest, whose size is
/// known in advance (the hash and the signature have fixed sizes), is written into the space left after `ftyp`,
/// and the new file replaces the old.
public struct C2PAWriter: Sendable {
    public let identity: SigningIdentity

    public init(identity: SigningIdentity) {
        self.identity = identity
    }

    /// Copy buffer size for media data.
    static let chunkSize = 1 << 20

    /// Signs `file` (an MP4 without a manifest) in place.
    /// - Throws: `.corruptMedia` for a file whose boxes do not parse or that has no `ftyp` first;
    ///   `.writeFailed`; the file is left as it was on failure.
    public func seal(_ file: URL, provenance: Provenance) throws(PhimError) {
        let subject = PhimError.Subject.file(file)
        let input: FileHandle
        do { input = try FileHandle(forReadingFrom: file) } catch {
            throw PhimError(.unreadableFile, "cannot open it to sign: \(error.localizedDescription)", subject: subject)
        }
        defer { try? input.close() }
        let fileSize: UInt64
        do { fileSize = try input.seekToEnd() } catch {
            throw PhimError(.unreadableFile, "cannot read it: \(error.localizedDescription)", subject: subject)
        }
        let boxes = try BMFF.topLevelBoxes(of: input, size: fileSize, subject: subject)
        guard let first = boxes.first, first.type == "ftyp" else {
            throw PhimError(.corruptMedia, "not an MP4 with 'ftyp' first", subject: subject)
        }
        guard !boxes.contains(where: \.isC2PA) else {
            throw PhimError(.unsupported, "the file already holds a C2PA manifest", subject: subject)
        }

        let manifest = ManifestBuilder(provenance: provenance, identity: identity)
        let boxSize = UInt64(try manifest.uuidBox(hash: [UInt8](repeating: 0, count: 32)).count)

        // A short name beside the file (the file's own name may already be as long as names get).
        let output = file.deletingLastPathComponent().appendingPathComponent(".phim-c2pa-\(UUID().uuidString.prefix(12)).part")
        guard FileManager.default.createFile(atPath: output.path, contents: nil),
              let writer = try? FileHandle(forWritingTo: output) else {
            throw PhimError(.writeFailed, "cannot create a file beside it to sign into", subject: subject)
        }
        // A second Ctrl-C (which does not wait for this) removes the half-signed copy too.
        let token = TemporaryFiles.shared.add(output)
        var committed = false
        defer {
            try? writer.close()
            if !committed { try? FileManager.default.removeItem(at: output) }
            TemporaryFiles.shared.remove(token)
        }
        do {
            var hasher = BMFFHasher()
            var position: UInt64 = 0
            func emit(_ bytes: some DataProtocol, hashed: Bool) throws {
                if hashed { hasher.add(bytes: bytes) }
                try writer.write(contentsOf: bytes)
                position += UInt64(bytes.count)
            }
            // ftyp, then room for the manifest, then every other box moved by the manifest's size.
            try emit(try BMFF.read(input, at: first.offset, count: Int(first.size), subject: subject), hashed: false)
            try emit([UInt8](repeating: 0, count: Int(boxSize)), hashed: false)
            for box in boxes.dropFirst() {
                let hashed = !box.isExcludedFromHash
                if hashed { hasher.beginBox(at: position) }
                if ["moov", "moof", "mfra"].contains(box.type) {
                    guard box.size <= BMFF.maxEditedBoxSize else {
                        throw PhimError(.limitExceeded, "the '\(box.type)' box is over 1 GiB", subject: subject)
                    }
                    var bytes = try BMFF.read(input, at: box.offset, count: Int(box.size), subject: subject)
                    try BMFF.shiftOffsets(in: &bytes, by: boxSize, subject: subject)
                    try emit(bytes, hashed: hashed)
                } else {
                    var offset = box.offset
                    let end = box.offset + box.size
                    while offset < end {
                        let count = Int(min(UInt64(Self.chunkSize), end - offset))
                        let bytes = try BMFF.read(input, at: offset, count: count, subject: subject)
                        guard bytes.count == count else { throw PhimError(.corruptMedia, "the file changed while it was signed", subject: subject) }
                        try emit(bytes, hashed: hashed)
                        offset += UInt64(count)
                    }
                }
            }
            let store = try manifest.uuidBox(hash: hasher.finish())
            guard UInt64(store.count) == boxSize else {
                throw PhimError(.operationFailed, "the manifest changed size between passes (\(boxSize) → \(store.count) bytes)", subject: subject)
            }
            try writer.seek(toOffset: first.size)
            try writer.write(contentsOf: store)
            try writer.synchronize()
        } catch let error as PhimError {
            throw error
        } catch {
            throw PhimError(.writeFailed, "writing the signed file failed: \(error.localizedDescription)", subject: subject)
        }
        guard rename(output.path, file.path) == 0 else {
            throw PhimError(.writeFailed, "cannot replace it with the signed file: \(String(cString: strerror(errno)))", subject: subject)
        }
        committed = true
    }
}

/// The manifest store for one output. Its labels and instance id are fixed when it is made, so that it is the same
/// size each time it is built (once to measure, once with the real hash).
struct ManifestBuilder {
    let provenance: Provenance
    let identity: SigningIdentity
    let label = "urn:c2pa:" + UUID().uuidString.lowercased()
    let instanceID = "xmp.iid:" + UUID().uuidString.lowercased()
    let ingredientInstanceID = "xmp.iid:" + UUID().uuidString.lowercased()

    static let actionsLabel = "c2pa.actions.v2"
    static let ingredientLabel = "c2pa.ingredient.v3"
    /// Phim's own assertion (C2PA custom labels are reverse domain names): the watermark's payload. Not a
    /// `c2pa.soft-binding`, whose algorithm must be one on C2PA's soft-binding list, which Phim's is not.
    static let watermarkLabel = "org.phim.watermark"
    static let watermarkAlgorithm = "phim.tile.1"
    /// Phim's assertion that the output is a face swap, naming the consent it was made under.
    static let faceSwapLabel = "org.phim.face-swap"

    /// The whole `uuid` box: C2PA's box type, version and flags, purpose `manifest`, no Merkle data, then the store.
    func uuidBox(hash: [UInt8]) throws(PhimError) -> [UInt8] {
        let store = try manifestStore(binding: .bmff(hash: hash))
        let payload = BMFF.c2paUUID + [0, 0, 0, 0] + Array("manifest".utf8) + [0] + BigEndian.bytes(UInt64(0)) + store
        return BigEndian.bytes(UInt32(8 + payload.count)) + Array("uuid".utf8) + payload
    }

    func manifestStore(binding: HardBinding) throws(PhimError) -> [UInt8] {
        var assertions: [(label: String, superbox: [UInt8])] = []
        // Ingredient assertions: the parent first, then the components; C2PA numbers repeated labels `__1`, `__2`…
        var references: [CBOR] = []
        for (index, ingredient) in ([provenance.parent].compactMap { $0 } + provenance.components).enumerated() {
            let label = index == 0 ? Self.ingredientLabel : "\(Self.ingredientLabel)__\(index)"
            let superbox = JUMBF.cborSuperbox(.cbor, label: label, ingredientAssertion(ingredient, instance: index))
            assertions.append((label, superbox))
            references.append(.object([
                "url": .text("self#jumbf=c2pa.assertions/\(label)"),
                "hash": .bytes(Array(SHA256.hash(data: JUMBF.hashedContents(of: superbox)))),
            ]))
        }
        let parentReference = provenance.parent == nil ? nil : references.first
        let componentReferences = Array(references.dropFirst(provenance.parent == nil ? 0 : 1))
        // Inputs to a model (the still `phim animate` starts from) are named by the action that made the video;
        // placed components by `c2pa.placed`.
        let inputs = zip(provenance.components, componentReferences).filter { $0.0.relationship == .inputTo }.map(\.1)
        let placed = zip(provenance.components, componentReferences).filter { $0.0.relationship != .inputTo }.map(\.1)
        let actions = JUMBF.cborSuperbox(.cbor, label: Self.actionsLabel,
                                         actionsAssertion(ingredient: parentReference, inputs: inputs, components: placed))
        let hash = JUMBF.cborSuperbox(.cbor, label: binding.label, binding.assertion)
        assertions += [(label: Self.actionsLabel, superbox: actions), (label: binding.label, superbox: hash)]
        if let payload = provenance.watermarkPayload {
            let watermark = JUMBF.cborSuperbox(.cbor, label: Self.watermarkLabel,
                                               .object(["algorithm": .text(Self.watermarkAlgorithm), "payload": .text(payload)]))
            assertions.append((Self.watermarkLabel, watermark))
        }
        if let swap = provenance.faceSwap {
            var consent: [String: CBOR] = ["alg": .text("sha256"), "hash": .bytes(Hex.bytes(swap.consentSHA256) ?? []),
                                           "purpose": .text(swap.purpose)]
            if let signer = swap.consentSigner { consent["signer"] = .text(signer) }
            let assertion = JUMBF.cborSuperbox(.cbor, label: Self.faceSwapLabel,
                                               .object(["method": .text(swap.method), "consent": .object(consent)]))
            assertions.append((Self.faceSwapLabel, assertion))
        }
        let assertionStore = JUMBF.superbox(.assertionStore, label: "c2pa.assertions", children: assertions.map(\.superbox))
        let claim = claimValue(assertions: assertions).encoded()
        let signature: [UInt8]
        do {
            signature = try COSESign1.sign(claim, key: identity.key, chain: identity.chain)
        } catch {
            throw PhimError(.operationFailed, "signing the manifest failed: \(error)")
        }
        let manifest = JUMBF.superbox(.manifest, label: label, children: [
            assertionStore,
            JUMBF.superbox(.claim, label: "c2pa.claim.v2", children: [JUMBF.box("cbor", claim)]),
            JUMBF.superbox(.signature, label: "c2pa.signature", children: [JUMBF.box("cbor", signature)]),
        ])
        // The ingredients' manifests come first, as they were written, each once (two clips cut from one Phim video
        // share its manifests); the active manifest is the last.
        var earlier: [[UInt8]] = []
        for ingredient in [provenance.parent].compactMap({ $0 }) + provenance.components {
            for box in ingredient.manifest?.manifestBoxes ?? [] where !earlier.contains(box) { earlier.append(box) }
        }
        return JUMBF.superbox(.manifestStore, label: "c2pa", children: earlier + [manifest])
    }

    /// `c2pa.created` with the source type (naming the model's input ingredients, if any); or, for a new version of a
    /// parent, `c2pa.opened` of it (naming its ingredient assertion) and `c2pa.transcoded` or `c2pa.edited`; then `c2pa.placed` naming
    /// the component ingredients, if any.
    func actionsAssertion(ingredient: CBOR? = nil, inputs: [CBOR] = [], components: [CBOR] = []) -> CBOR {
        let agent = CBOR.object(["name": .text(provenance.softwareName), "version": .text(provenance.softwareVersion)])
        var first: [String: CBOR] = ["action": .text(ingredient == nil ? "c2pa.created" : "c2pa.opened"), "softwareAgent": agent]
        if let sourceType = provenance.sourceType { first["digitalSourceType"] = .text(sourceType.iri) }
        if let ingredient { first["parameters"] = .object(["ingredients": .array([ingredient])]) }
        else if !inputs.isEmpty { first["parameters"] = .object(["ingredients": .array(inputs)]) }
        var actions = [CBOR.object(first)]
        if ingredient != nil {
            actions.append(.object(["action": .text(provenance.parentChange.rawValue), "softwareAgent": agent]))
        }
        if !components.isEmpty {
            actions.append(.object(["action": .text("c2pa.placed"), "softwareAgent": agent,
                                    "parameters": .object(["ingredients": .array(components)])]))
        }
        return .object(["actions": .array(actions)])
    }

    /// An ingredient (the parent or a component): its title, format and relationship, and, when it had a manifest, that manifest
    /// and its signature by hashed URI with the results of validating it.
    func ingredientAssertion(_ ingredient: Ingredient, instance: Int = 0) -> CBOR {
        var members: [String: CBOR] = [
            "dc:title": .text(ingredient.title),
            "dc:format": .text(ingredient.format),
            "relationship": .text(ingredient.relationship.rawValue),
            "instanceID": .text(ingredientInstanceID + (instance == 0 ? "" : "-\(instance)")),
        ]
        if let hash = ingredient.sha256 { members["metadata"] = .object(["org.phim.sha256": .bytes(hash)]) }
        if let manifest = ingredient.manifest, let label = manifest.activeManifestLabel,
           let manifestHash = manifest.activeManifestHash, let signatureHash = manifest.claimSignatureHash {
            members["activeManifest"] = .object([
                "url": .text("self#jumbf=/c2pa/\(label)"), "alg": .text("sha256"), "hash": .bytes(manifestHash),
            ])
            members["claimSignature"] = .object([
                "url": .text("self#jumbf=/c2pa/\(label)/c2pa.signature"), "alg": .text("sha256"), "hash": .bytes(signatureHash),
            ])
            func codes(_ list: [String]) -> CBOR {
                .array(list.map { .object(["code": .text($0), "url": .text("self#jumbf=/c2pa/\(label)")]) })
            }
            members["validationResults"] = .object(["activeManifest": .object([
                "success": codes(manifest.successes), "informational": .array([]), "failure": codes(manifest.failures),
            ])])
        }
        return .object(members)
    }

    func claimValue(assertions: [(label: String, superbox: [UInt8])]) -> CBOR {
        var members: [(CBOR, CBOR)] = [
            (.text("instanceID"), .text(instanceID)),
            (.text("claim_generator_info"), .object(["name": .text(provenance.softwareName), "version": .text(provenance.softwareVersion)])),
            (.text("signature"), .text("self#jumbf=/c2pa/\(label)/c2pa.signature")),
            (.text("created_assertions"), .array(assertions.map { assertion in
                .object(["url": .text("self#jumbf=c2pa.assertions/\(assertion.label)"),
                         "hash": .bytes(Array(SHA256.hash(data: JUMBF.hashedContents(of: assertion.superbox))))])
            })),
        ]
        if let title = provenance.title { members.append((.text("dc:title"), .text(title))) }
        members.append((.text("alg"), .text("sha256")))
        return .map(members)
    }
}

/// How a manifest is bound to the bytes of its file.
enum HardBinding {
    /// An MP4's: the hash of its boxes at their offsets, less the manifest's `uuid` box, `ftyp` and `mfra`.
    case bmff(hash: [UInt8])
    /// Any other file's: the hash of its bytes less one range, the one that holds the manifest.
    case data(hash: [UInt8], exclusionStart: Int, exclusionLength: Int)

    static let bmffLabel = "c2pa.hash.bmff.v3"
    static let dataLabel = "c2pa.hash.data"

    var label: String {
        switch self {
        case .bmff: Self.bmffLabel
        case .data: Self.dataLabel
        }
    }

    var assertion: CBOR {
        switch self {
        case .bmff(let hash):
            .object([
                "exclusions": .array([
                    .object(["xpath": .text("/uuid"), "data": .array([.object(["offset": .int(8), "value": .bytes(BMFF.c2paUUID)])])]),
                    .object(["xpath": .text("/ftyp")]),
                    .object(["xpath": .text("/mfra")]),
                ]),
                "alg": .text("sha256"),
                "hash": .bytes(hash),
                "name": .text("jumbf manifest"),
            ])
        case .data(let hash, let start, let length):
            .object([
                "exclusions": .array([.object(["start": .int(start), "length": .int(length)])]),
                "name": .text("jumbf manifest"),
                "alg": .text("sha256"),
                "hash": .bytes(hash),
                "pad": .bytes([]),
            ])
        }
    }
}
