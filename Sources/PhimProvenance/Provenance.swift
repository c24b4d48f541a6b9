import Crypto
import PhimCore
import Foundation

/// How a video came to be, in the IPTC digital source type vocabulary that C2PA's `c2pa.created` action carries.
public enum DigitalSourceType: String, Sendable, CaseIterable {
    /// Recorded by a camera or microphone (what a user may declare for footage they `phim label`).
    case digitalCapture
    /// Recorded from a screen.
    case screenCapture
    /// Made by software from the user's own media (a `phim render` of their clips and pictures).
    case composite
    /// Drawn by software without media or models (colours, gradients and text only).
    case digitalCreation
    /// Made by algorithms that learned nothing from data (the extractive script writer, espeak-ng).
    case algorithmicMedia
    /// Made by a model trained on data (an LLM's script, a neural voice, a GAN's frames).
    case trainedAlgorithmicMedia
    /// The user's media combined with what a trained model made (a face swap, generated layers).
    case compositeWithTrainedAlgorithmicMedia

    /// The IPTC term's IRI.
    public var iri: String { "http://cv.iptc.org/newscodes/digitalsourcetype/" + rawValue }
}

/// What went into an output, as the pipeline that made it saw it. The one place that turns this into a source type.
public struct MadeFrom: Sendable, Equatable {
    /// The user's own pictures, videos or sound.
    public var userMedia: Bool
    /// Content made by algorithms that learned nothing from data (a generated script, espeak-ng's voice).
    public var algorithmicContent: Bool
    /// Content made by trained models (an LLM's script, a neural voice, a GAN, a face swap).
    public var trainedModels: Bool

    public init(userMedia: Bool = false, algorithmicContent: Bool = false, trainedModels: Bool = false) {
        self.userMedia = userMedia
        self.algorithmicContent = algorithmicContent
        self.trainedModels = trainedModels
    }

    public var sourceType: DigitalSourceType {
        if trainedModels { return userMedia ? .compositeWithTrainedAlgorithmicMedia : .trainedAlgorithmicMedia }
        if algorithmicContent { return .algorithmicMedia }
        return userMedia ? .composite : .digitalCreation
    }
}

/// A file an output was made from, as its manifest names it (a `c2pa.ingredient.v3` assertion).
public struct Ingredient: Sendable {
    /// How the ingredient relates to the output: `parentOf` for the one file it is a new version of.
    public enum Relationship: String, Sendable { case parentOf, componentOf, inputTo }

    /// The ingredient's file name.
    public var title: String
    /// Its media type (`video/mp4`…).
    public var format: String
    public var relationship: Relationship
    /// The ingredient's own C2PA manifest as verified, when it had one: its manifests are copied into the output's
    /// manifest store, and the ingredient assertion names the active one by hash with its validation results.
    public var manifest: ManifestReport?
    /// SHA-256 of the ingredient's file, recorded in the assertion's metadata (`org.phim.sha256`).
    public var sha256: [UInt8]?

    public init(title: String, format: String, relationship: Relationship, manifest: ManifestReport? = nil,
                sha256: [UInt8]? = nil) {
        self.title = title
        self.format = format
        self.relationship = relationship
        self.manifest = manifest
        self.sha256 = sha256
    }

    /// A file a render placed in its output (`componentOf`), with the file's SHA-256 and, when it is an MP4 that
    /// carries a C2PA manifest (a video Phim or another C2PA tool made), that manifest as `verifier` found it, broken
    /// or not: its manifests go into the output's store and the ingredient names the active one.
    /// - Throws: `PhimError` naming the file when it cannot be read.
    public static func component(file: URL, verifier: C2PAVerifier = .localAuthority()) throws(PhimError) -> Ingredient {
        let subject = PhimError.Subject.file(file)
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: file) } catch {
            throw PhimError(.unreadableFile, "cannot open it: \(error.localizedDescription)", subject: subject)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch {
            throw PhimError(.unreadableFile, "cannot read it: \(error.localizedDescription)", subject: subject)
        }
        let format = format(ofFileNamed: file.lastPathComponent)
        let manifest = ["video/mp4", "video/quicktime", "audio/mp4"].contains(format) ? verifier.carriedManifest(file) : nil
        return Ingredient(title: file.lastPathComponent, format: format, relationship: .componentOf, manifest: manifest,
                          sha256: Array(hasher.finalize()))
    }

    /// The media type for a file name's extension.
    public static func format(ofFileNamed name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "mp4", "m4v": return "video/mp4"
        case "mov": return "video/quicktime"
        case "mkv": return "video/x-matroska"
        case "webm": return "video/webm"
        case "avi": return "video/x-msvideo"
        case "gif": return "image/gif"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "webp": return "image/webp"
        case "wav": return "audio/wav"
        case "mp3": return "audio/mpeg"
        case "m4a", "aac": return "audio/mp4"
        case "ogg", "oga": return "audio/ogg"
        case "flac": return "audio/flac"
        default: return "application/octet-stream"
        }
    }
}

/// What a manifest says about one output: how it was made, by which software, under what title.
public struct Provenance: Sendable {
    /// The IPTC source type of the first action; `nil` when nobody knows it (`phim label` of a video made elsewhere,
    /// unless the user says).
    public var sourceType: DigitalSourceType?
    /// The software agent, e.g. `Phim 0.1.0`.
    public var softwareName: String
    public var softwareVersion: String
    /// The manifest's `dc:title`: usually the output's file name.
    public var title: String?
    /// The 64 bits of the invisible watermark in the frames, as 16 hex digits (the `org.phim.watermark` assertion),
    /// so that a watermark read from a copy whose manifest was stripped names this manifest.
    public var watermarkPayload: String?
    /// The file this output is a new version of (`phim label`'s input, a swap's target): the first action is then
    /// `c2pa.opened` of it, followed by ``parentChange``, instead of `c2pa.created`.
    public var parent: Ingredient?
    /// What was done to the parent: re-encoded only (`c2pa.transcoded`), or its picture changed (`c2pa.edited`).
    public var parentChange: ParentChange

    public enum ParentChange: String, Sendable {
        case transcoded = "c2pa.transcoded"
        case edited = "c2pa.edited"
    }
    /// Files the output shows or plays (a render's pictures, clips and sounds): each a `componentOf` ingredient,
    /// named by a `c2pa.placed` action.
    public var components: [Ingredient]
    /// Set when the output puts one person's face on another's (the `org.phim.face-swap` assertion).
    public var faceSwap: FaceSwapRecord?

    public init(sourceType: DigitalSourceType?, softwareName: String = "Phim", softwareVersion: String = PhimVersion.current,
                title: String? = nil, watermarkPayload: String? = nil, parent: Ingredient? = nil, components: [Ingredient] = [],
                parentChange: ParentChange = .transcoded, faceSwap: FaceSwapRecord? = nil) {
        self.faceSwap = faceSwap
        self.parentChange = parentChange
        self.parent = parent
        self.components = components
        self.sourceType = sourceType
        self.softwareName = softwareName
        self.softwareVersion = softwareVersion
        self.title = title
        self.watermarkPayload = watermarkPayload
    }
}

/// What a face swap's manifest says about it: how the face was made and the consent that allowed it, named by the
/// SHA-256 of the consent file, so that anyone holding the file can show which consent a video was made under
/// (the record itself, with the person's name and face descriptor, stays with whoever made the video).
public struct FaceSwapRecord: Sendable, Equatable {
    /// `classical` (warped and blended, no training) or `trained`.
    public var method: String
    /// The SHA-256 of the consent file, 64 hex digits.
    public var consentSHA256: String
    /// The purpose the consent was given for.
    public var purpose: String
    /// The subject of the certificate that signed the consent.
    public var consentSigner: String?

    public init(method: String, consentSHA256: String, purpose: String, consentSigner: String? = nil) {
        self.method = method
        self.consentSHA256 = consentSHA256
        self.purpose = purpose
        self.consentSigner = consentSigner
    }
}

/// Phim's version, as `phim --version` prints it and manifests name it.
public enum PhimVersion {
    public static let current = "0.1.0"
}
