import ArgumentParser
import Foundation
import PhimCore
import PhimProvenance
import X509

/// `phim verify FILE [--json]`: is the file's C2PA manifest there, intact, and signed by someone trusted?
///
/// Exit status: 0 when a manifest is found and intact (Trusted or Valid), 1 when one is found but broken, 3 when
/// there is none, 2 when the file cannot be read as an MP4.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a video's C2PA manifest: present, intact, and signed by a trusted signer.",
        discussion: "Exit status 0: found and intact; 1: found but broken (tampered, bad signature); 3: no manifest."
    )

    @Argument(help: "The MP4 to check.") var file: String
    @Option(help: "A PEM file of certificates to trust besides Phim's local CA (may be given more than once).")
    var trust: [String] = []
    @Flag(help: "Print one JSON document: {\"c2pa\": {\"state\", \"codes\", \"actions\", \"signer\"}, \"watermark\": null}.")
    var json = false

    func run() throws {
        var anchors: [Certificate] = []
        if let local = try? SigningIdentity.load(from: SigningIdentity.folder()), let pem = local.authorityPEM,
           let authority = try? Certificate(pemEncoded: pem) {
            anchors.append(authority)
        }
        for path in trust {
            let url = URL(fileURLWithPath: path)
            let data = try InputFile.read(url, subject: .option("trust"), written: path, maxBytes: 1 << 20)
            do throws(PhimError) {
                anchors += try C2PAVerifier.certificates(pem: String(decoding: data, as: UTF8.self))
            } catch {
                throw PhimError(.invalidInput, "\(path.quoted()) holds no PEM certificates that parse", subject: .option("trust"))
            }
        }
        let report = try C2PAVerifier(trustAnchors: anchors).verify(URL(fileURLWithPath: file))
        if json {
            print(jsonDocument(report))
        } else {
            print("c2pa:        \(report.state.rawValue)")
            for (action, sourceType) in report.actions {
                print("action:      \(action)" + (sourceType.map { " (\($0.split(separator: "/").last ?? ""))" } ?? ""))
            }
            if let agent = report.softwareAgent, !agent.isEmpty { print("software:    \(agent)") }
            if let signer = report.signer { print("signer:      \(signer)") }
            if !report.failures.isEmpty { print("failed:      \(report.failures.joined(separator: ", "))") }
            if !report.successes.isEmpty { print("checked:     \(report.successes.joined(separator: ", "))") }
        }
        switch report.state {
        case .trusted, .valid: return
        case .invalid: throw ExitCode(1)
        case .absent: throw ExitCode(3)
        }
    }

    private func jsonDocument(_ report: ManifestReport) -> String {
        func string(_ text: String?) -> Any { text.map { $0 as Any } ?? NSNull() }
        let c2pa: [String: Any] = [
            "state": report.state.rawValue,
            "codes": ["failure": report.failures, "success": report.successes],
            "actions": report.actions.map { ["action": $0.action, "digitalSourceType": string($0.sourceType)] },
            "signer": string(report.signer),
            "softwareAgent": string(report.softwareAgent),
        ]
        let document: [String: Any] = ["c2pa": c2pa, "watermark": NSNull()]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
