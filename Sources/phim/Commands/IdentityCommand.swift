import ArgumentParser
import Foundation
import PhimCore
import PhimProvenance

/// `phim identity …`: the certificate that signs every video's C2PA manifest.
struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Show the identity that signs Phim's C2PA manifests (made on first use).",
        subcommands: [IdentityAuthorityCommand.self, IdentityShowCommand.self]
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
