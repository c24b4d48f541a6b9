import ArgumentParser
import Foundation
import PhimCore
import PhimFace
import PhimMedia
import PhimProvenance

/// `phim faces FILE`: who is in a picture or video, numbered for `--target-face`, with a contact sheet.
struct FacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "List the people in a picture or video, numbered, and draw their faces on a contact sheet (PNG).",
        discussion: """
            Faces are found with dlib's HOG detector (or its CNN detector, --detector cnn) every --interval seconds, \
            described by dlib's ResNet face descriptor and grouped by person. Person 1 is the one seen most. A swap's \
            --target-face takes these numbers.
            """
    )

    @Argument(help: "A picture or a video.") var input: String
    @Option(help: "The contact sheet to write (PNG).") var sheet: String?
    @Option(help: "Seconds between the video frames looked at.") var interval = 0.5
    @Option(help: "hog (fast) or cnn (finds more turned and small faces; slow on a CPU).") var detector: FaceDetector.Kind = .hog
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        guard interval.isFinite, interval >= 0.04, interval <= 3600 else {
            throw PhimError(.invalidInput, "must be 0.04...3600 seconds, not \(interval)", subject: .option("interval"))
        }
        let sheetURL = sheet.map { URL(fileURLWithPath: $0) }
        if let sheetURL { _ = try OutputFile.checkDestination(sheetURL) }
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        let bar = ProgressBar(label: "faces")
        let scanner = FaceScanner(analyzer: try FaceAnalyzer(detector: detector), interval: interval,
                                  progress: bar.update, cancellation: cancellation)
        let url = URL(fileURLWithPath: input)
        let scan = try await runBlocking(named: "phim-faces", cancellation: cancellation) { () throws(PhimError) in
            try scanner.scan(url)
        }
        Console.shared.keepStatus()
        if let sheetURL { try scan.writeContactSheet(to: sheetURL) }
        if json {
            struct Row: Encodable {
                var number, appearances: Int
                var firstSeen, lastSeen, bestTime: Double
                var box: [Double]
                var pose: String
            }
            struct Output: Encodable {
                var file: String
                var framesScanned: Int
                var people: [Row]
                var sheet: String?
            }
            let rows = scan.identities.map { identity in
                let r = identity.bestFace.box.rect
                return Row(number: identity.number, appearances: identity.appearances, firstSeen: identity.firstSeen,
                           lastSeen: identity.lastSeen, bestTime: identity.bestTime, box: [r.x, r.y, r.width, r.height],
                           pose: identity.bestFace.box.pose.rawValue)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(Output(file: input, framesScanned: scan.framesScanned, people: rows, sheet: sheet))
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(input): \(scan.identities.count) \(scan.identities.count == 1 ? "person" : "people") in \(scan.framesScanned) frames looked at")
        for identity in scan.identities {
            let r = identity.bestFace.box.rect
            print(String(format: "  %d  seen %d× from %.1f s to %.1f s; largest face %.0f px at %.1f s",
                         identity.number, identity.appearances, identity.firstSeen, identity.lastSeen,
                         max(r.width, r.height), identity.bestTime))
        }
        if let sheet { Console.shared.line("wrote \(sheet)") }
    }
}

extension FaceDetector.Kind: ExpressibleByArgument {}

/// `phim consent …`: the signed records without which `phim swap` will not use a face.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Make and check the signed consent records that face swapping requires.",
        subcommands: [ConsentCreateCommand.self, ConsentShowCommand.self]
    )
}

/// `phim consent create --name N --image FACE --purpose P [--expires DATE] -o FILE`.
struct ConsentCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Record a person's consent to the use of their face, bound to their face and signed with Phim's identity.",
        discussion: """
            The photo must show the person's face alone (one face, frontal, at least 60 pixels between the eyes is \
            best). The record holds their name, the purpose, the dates, the photo's SHA-256 and their face's 128-D \
            descriptor, signed with the key that signs Phim's C2PA manifests (phim identity show). A swap checks that \
            its source face is this person's.
            """
    )

    @Option(help: "The person's name.") var name: String
    @Option(help: "A photo of the person's face.") var image: String
    @Option(help: "What they agreed to.") var purpose: String
    @Option(help: "The last day the consent holds (YYYY-MM-DD, through the end of that day UTC, or an ISO 8601 time).")
    var expires: String?
    @Option(name: .shortAndLong, help: "The consent record to write (JSON).") var output: String

    func run() throws {
        let name = try Self.text(self.name, option: "name")
        let purpose = try Self.text(self.purpose, option: "purpose")
        let expiry = try expires.map { text throws(PhimError) in try Self.expiry(text) }
        if let expiry, expiry < Date() {
            throw PhimError(.invalidInput, "\(expires!.quoted()) is in the past", subject: .option("expires"))
        }
        let destination = URL(fileURLWithPath: output)
        _ = try OutputFile.checkDestination(destination)
        let imageURL = URL(fileURLWithPath: image)
        let bytes = try InputFile.read(imageURL, subject: .option("image"), written: image, maxBytes: 64 << 20)
        let picture: PixelBuffer
        do { picture = try ImageLoader.load(imageURL) } catch { throw error.about(.option("image")) }
        let face = try ConsentFace.only(in: picture, analyzer: try FaceAnalyzer(), subject: .option("image"), written: image)
        let record = ConsentRecord(name: name, purpose: purpose, created: Date(), expires: expiry,
                                   imageSHA256: SignedConsent.fileHash(bytes), face: face)
        let signed = try SignedConsent(signing: record, with: try SigningIdentity.local())
        try OutputFile.write(try signed.encoded(), to: destination)
        Console.shared.line("wrote \(output): consent of \(name.quoted()) for \(purpose.quoted())\(expires.map { ", until \($0)" } ?? "")")
    }

    /// `text` checked: not empty, no control characters, at most ``ConsentRecord/maxTextLength`` characters.
    static func text(_ text: String, option: String) throws(PhimError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw PhimError(.invalidInput, "must not be empty", subject: .option(option)) }
        guard trimmed.count <= ConsentRecord.maxTextLength else {
            throw PhimError(.invalidInput, "has \(trimmed.count) characters; at most \(ConsentRecord.maxTextLength)", subject: .option(option))
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{FFFD}" }) else {
            throw PhimError(.invalidInput, "holds control characters or bytes that are not UTF-8", subject: .option(option))
        }
        return trimmed
    }

    /// The end of the day `YYYY-MM-DD` (UTC), or an ISO 8601 time.
    static func expiry(_ text: String) throws(PhimError) -> Date {
        if let time = ISO8601DateFormatter().date(from: text) { return time }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(identifier: "UTC")
        guard text.count == 10, let start = day.date(from: text) else {
            throw PhimError(.invalidInput, "\(text.quoted()) is not a date (YYYY-MM-DD) or an ISO 8601 time", subject: .option("expires"))
        }
        return start.addingTimeInterval(86_400 - 1)
    }
}

/// `phim consent show FILE`: what a record says, and whether it holds.
struct ConsentShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a consent record and check its signature, signer and dates."
    )

    @Argument(help: "A consent record (JSON).") var file: String
    @Option(help: "A PEM file of certificates to trust besides this machine's Phim CA (may be given more than once).")
    var trust: [String] = []

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let (consent, _) = try SignedConsent.read(url, subject: .file(file))
        let record = consent.record
        let check = C2PAVerifier.localAuthority(plus: try trustedPEMs(trust)).check(consent.signature, over: try record.canonicalBytes())
        let expired = record.expiryDate.map { $0 < Date() } ?? false
        print("name:      \(record.name)")
        print("purpose:   \(record.purpose)")
        print("created:   \(record.created)")
        print("expires:   \(record.expires ?? "never")\(expired ? " (expired)" : "")")
        print("photo:     sha-256 \(record.imageSHA256)")
        print("signer:    \(check.signer ?? "unknown")")
        let problem: String? = !check.matches ? "INVALID: the signature does not match the record"
            : !check.trusted ? "untrusted signer" : expired ? "expired" : record.faceDescriptor == nil ? "INVALID: no face descriptor" : nil
        print("status:    \(problem ?? "valid")")
        if let problem {
            throw PhimError(.invalidInput, "the consent record does not hold: \(problem)", subject: .file(URL(fileURLWithPath: file)))
        }
    }
}
