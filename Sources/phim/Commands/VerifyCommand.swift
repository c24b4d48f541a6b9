import ArgumentParser
import Foundation
import PhimCore
import PhimMedia
import PhimProvenance
import PhimWatermark
import X509

/// `phim verify FILE [--json]`: is the file's C2PA manifest there, intact, and signed by someone trusted, and does
/// its picture carry Phim's invisible watermark?
///
/// Exit status: 0 when provenance is found and intact (a Trusted or Valid manifest, or, with the manifest stripped,
/// the watermark), 1 when it is found but broken (a tampered manifest, a bad signature, or a watermark that names
/// another manifest), 3 when there is none, 2 when the file cannot be read.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a video's or a picture's provenance: its C2PA manifest and its watermark.",
        discussion: """
            Exit status 0: provenance found and intact (a valid manifest, or the watermark where the manifest was \
            stripped); 1: found but broken (tampered, bad signature, a watermark naming another manifest); 3: none.
            """
    )

    @Argument(help: "The video or picture to check (an MP4 or a PNG for the manifest; any video or picture for the watermark).") var file: String
    @Option(help: "A PEM file of certificates to trust besides Phim's local CA (may be given more than once).")
    var trust: [String] = []
    @Flag(help: """
        Print one JSON document: {"c2pa": {"state", "codes", "actions", "signer"}, \
        "watermark": {"detected", "payload", "pValue"}}.
        """)
    var json = false
    @Option(help: ArgumentHelp("""
        Also search for N decoys, patterns Phim never embeds, and print their p-values: what this video gives a mark \
        it does not carry (a check of the p-value's calibration; about 5 ms each).
        """, valueName: "N"))
    var decoys = 0

    func validate() throws {
        guard (0...100_000).contains(decoys) else { throw ValidationError("--decoys must be between 0 and 100000") }
    }

    func run() throws {
        let verifier = C2PAVerifier.localAuthority(plus: try trustedPEMs(trust))
        let url = URL(fileURLWithPath: file)
        var report: ManifestReport
        var unreadable: PhimError?
        do throws(PhimError) {
            report = try verifier.verify(url)
        } catch {
            // Not an MP4 or a PNG (or a broken one): there is no manifest to read, but the picture may still carry the mark.
            report = ManifestReport(state: .absent)
            unreadable = error
        }
        // Reading the watermark decodes the whole video: a bar on a terminal (and nothing in logs, where the
        // verdict alone is wanted); Ctrl-C stops it.
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let bar = ProgressBar(label: "watermark")
        let watermark: WatermarkReading?
        do throws(PhimError) {
            watermark = try WatermarkDetector.read(url, decoys: decoys, progress: Console.shared.isTerminal ? bar.update : nil,
                                                   cancellation: cancellation)
            Console.shared.clear()
        } catch {
            Console.shared.clear()
            if error.code == .cancelled { throw error }
            if let unreadable { throw unreadable }
            watermark = nil
        }
        let match = watermark.map { MarkMatch($0, recorded: report.watermarkPayload, ingredients: report.ingredientWatermarkPayloads) }
        if let watermark, let match, watermark.detected, report.state != .absent, report.watermarkPayload != nil,
           match.manifest != true, !match.ingredient {
            report.failures.append("phim.watermark.mismatch")
        }
        if json {
            print(jsonDocument(report, watermark, match))
        } else {
            print("c2pa:        \(report.state.rawValue)" + (unreadable.map { " (\($0.message))" } ?? ""))
            for (action, sourceType) in report.actions {
                print("action:      \(action)" + (sourceType.map { " (\($0.split(separator: "/").last ?? ""))" } ?? ""))
            }
            for ingredient in report.ingredients {
                print("ingredient:  \(ingredient.title) (\(ingredient.relationship)" + (ingredient.manifest == nil ? ")" : ", with its manifest)"))
            }
            if let swap = report.faceSwap {
                print("face swap:   \(swap.method), under consent sha-256 \(swap.consentSHA256) for \(swap.purpose.quoted())"
                      + (swap.consentSigner.map { ", signed by \($0)" } ?? ""))
            }
            if let agent = report.softwareAgent, !agent.isEmpty { print("software:    \(agent)") }
            if let signer = report.signer { print("signer:      \(signer)") }
            if !report.failures.isEmpty { print("failed:      \(report.failures.joined(separator: ", "))") }
            if !report.successes.isEmpty { print("checked:     \(report.successes.joined(separator: ", "))") }
            print("watermark:   " + describe(watermark, match, recorded: report.watermarkPayload))
            if let values = watermark?.decoyPValues, !values.isEmpty {
                let below = [1e-2, 1e-3, 1e-4].map { level in "\(values.filter { $0 < level }.count) below \(level)" }
                print("decoys:      \(values.count) searched, smallest p = \(String(format: "%.2g", values.min()!)), "
                      + below.joined(separator: ", "))
            }
        }
        if report.failures.contains("phim.watermark.mismatch") { throw ExitCode(1) }
        switch report.state {
        case .trusted, .valid: return
        case .invalid: throw ExitCode(1)
        case .absent: if watermark?.detected != true { throw ExitCode(3) }
        }
    }

    private func describe(_ watermark: WatermarkReading?, _ match: MarkMatch?, recorded: String?) -> String {
        guard let watermark, let match else { return "not read (no video stream)" }
        let p = String(format: "p = %.2g", watermark.pValue)
        guard watermark.detected else { return "not found (\(p), \(watermark.frames) frames pooled)" }
        let read = watermark.payload.map { "detected, payload \($0) (\(p))" }
            ?? "detected (\(p)), its bits do not read back whole (CRC failed)"
        guard let recorded else { return read }
        if watermark.payload?.description == recorded {
            return read + ", matches the manifest" + (match.ingredient ? "; an ingredient's mark is there too" : "")
        }
        // A second mark under the one read (an earlier Phim video shown in this one), or bits that did not decode.
        var notes: [String] = []
        if match.manifest == true {
            notes.append("the manifest's mark is there (p = \(String(format: "%.2g", match.manifestPValue ?? 1)))")
        }
        if match.ingredient { notes.append("an ingredient's mark, recorded in its manifest, is there") }
        if notes.isEmpty { notes.append(watermark.payload == nil ? "the manifest's mark (\(recorded)) is not shown"
                                        : "names another manifest (\(recorded) recorded)") }
        return read + ", " + notes.joined(separator: "; ")
    }

    /// Whether the marks in the picture are the manifest's or its ingredients': the payload read, or, when the
    /// picture carries more than one mark (or the bits did not decode), each recorded payload tested for presence.
    struct MarkMatch {
        /// `nil` when the manifest records no payload.
        var manifest: Bool?
        var manifestPValue: Double?
        var ingredient: Bool

        init(_ reading: WatermarkReading, recorded: String?, ingredients: [String]) {
            let read = reading.payload?.description
            let recordedPayload = recorded.flatMap { WatermarkPayload(hex: $0) }
            let ingredientPayloads = ingredients.compactMap { WatermarkPayload(hex: $0) }
            let candidates = (recordedPayload.map { [$0] } ?? []) + ingredientPayloads
            let pValues = reading.presence(of: candidates)
            let threshold = WatermarkReading.threshold
            let manifestP = recordedPayload == nil ? nil : pValues[0]
            manifestPValue = manifestP
            manifest = recorded.map { read == $0 || (manifestP ?? 1) < threshold }
            let shown = pValues.dropFirst(recordedPayload == nil ? 0 : 1).contains { $0 < threshold }
            ingredient = shown || read.map(ingredients.contains) == true
        }
    }

    private func jsonDocument(_ report: ManifestReport, _ watermark: WatermarkReading?, _ match: MarkMatch?) -> String {
        func string(_ text: String?) -> Any { text.map { $0 as Any } ?? NSNull() }
        let c2pa: [String: Any] = [
            "state": report.state.rawValue,
            "codes": ["failure": report.failures, "success": report.successes],
            "actions": report.actions.map { ["action": $0.action, "digitalSourceType": string($0.sourceType)] },
            "signer": string(report.signer),
            "softwareAgent": string(report.softwareAgent),
            "ingredients": report.ingredients.map {
                ["title": $0.title, "relationship": $0.relationship, "manifest": string($0.manifest)] as [String: Any]
            },
        ]
        let mark: Any = watermark.flatMap { reading in match.map { (reading, $0) } }.map { reading, match -> [String: Any] in
            [
                "detected": reading.detected,
                "payload": string(reading.payload?.description),
                "bits": hex(reading.bits),
                "pValue": reading.pValue,
                "pilotAgreement": Double(reading.pilotAgreement) / Double(WatermarkReading.pilotCells),
                "framesPooled": reading.frames,
                "matchesManifest": match.manifest.map { $0 as Any } ?? NSNull(),
                "manifestMarkPValue": match.manifestPValue.map { $0 as Any } ?? NSNull(),
                "matchesIngredient": match.ingredient,
                "decoyPValues": reading.decoyPValues,
            ]
        } ?? NSNull()
        var c2paWithPayload = c2pa
        c2paWithPayload["watermarkPayload"] = string(report.watermarkPayload)
        c2paWithPayload["faceSwap"] = report.faceSwap.map { swap -> Any in
            ["method": swap.method, "consentSHA256": swap.consentSHA256, "purpose": swap.purpose,
             "consentSigner": string(swap.consentSigner)] as [String: Any]
        } ?? NSNull()
        let document: [String: Any] = ["c2pa": c2paWithPayload, "watermark": mark]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
