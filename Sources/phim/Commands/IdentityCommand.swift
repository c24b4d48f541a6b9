import ArgumentParser
import Foundation
import PhimCore
import PhimProvenance

/// `phim identity …`: the certificate that signs every video's C2PA manifest.
struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Show the identity that signs Phim's C2PA manifests (made on first use).",
        subcommands: [IdentityAuthorityCommand.self, IdentityShowCommand.self, IdentityImportCommand.self]
    )
}

/// `phim identity ca`: the local CA certificate, for C2PA readers to trust.
struct IdentityAuthorityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Print the local CA certificate (PEM): the trust anchor that makes Phim's manifests read as Trusted."
    )

    func run() throws {
        let identity = try SigningIdentity.local()
        guard let authority = identity.authorityPEM else {
            throw PhimError(.invalidInput, "this identity has no local CA", subject: .file(SigningIdentity.folder()))
        }
        print(authority, terminator: authority.hasSuffix("\n") ? "" : "\n")
    }
}

/// `phim identity show`: who signs, until when, and where the files are.
struct IdentityShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Describe the signer certificate: subject, issuer, validity, fingerprint and folder."
    )

    func run() throws {
        let identity = try SigningIdentity.local()
        let summary = try identity.summary()
        print("signer:      \(summary.subject)")
        print("issuer:      \(summary.issuer)")
        print("valid:       \(summary.notBefore) to \(summary.notAfter)")
        print("sha-256:     \(summary.fingerprint)")
        print("folder:      \(SigningIdentity.folder().path)")
    }
}

/// `phim identity import --chain CHAIN.pem --key KEY.pem`: sign with a certificate of your own.
struct IdentityImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Sign with your own certificate: a PEM chain (signer first) and its P-256 key, checked against C2PA's signer profile."
    )

    @Option(help: "PEM certificates: the signer's first, then any intermediates.") var chain: String
    @Option(help: "The signer's P-256 private key (PEM).") var key: String

    func run() throws {
        let chainText = try InputFile.read(URL(fileURLWithPath: chain), subject: .option("chain"), written: chain, maxBytes: 1 << 20)
        let keyText = try InputFile.read(URL(fileURLWithPath: key), subject: .option("key"), written: key, maxBytes: 1 << 20)
        let identity = try SigningIdentity.install(chainPEM: String(decoding: chainText, as: UTF8.self),
                                                   keyPEM: String(decoding: keyText, as: UTF8.self), in: SigningIdentity.folder())
        let summary = try identity.summary()
        print("signer:      \(summary.subject)")
        print("issuer:      \(summary.issuer)")
        print("folder:      \(SigningIdentity.folder().path)")
    }
}
