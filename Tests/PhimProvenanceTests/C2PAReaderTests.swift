import Foundation
import PhimCore
import PhimMedia
import PhimSpeech
import PhimTesting
import PhimWatermark
import Testing
@testable import PhimProvenance

/// c2pa-rs, the C2PA reference implementation (PyPI's c2pa-python, installed by `make test` into `.build/c2pa-venv`).
enum ReferenceReader {
    static let python = SampleMedia.packageRoot.appendingPathComponent(".build/c2pa-venv/bin/python")
    static let isAvailable = FileManager.default.isExecutableFile(atPath: python.path)
        && (try? run(["-c", "import c2pa"]).status) == 0

    /// What c2pa-rs says of one file, with `anchor` (PEM) as the only trust anchor.
    struct Verdict: Decodable {
        var state: String?
        var failures: [String]
        var successes: [String]
        var actions: [String]
        var sourceTypes: [String]
        var agents: [String]
        var ingredients: [IngredientVerdict]
        var manifestCount: Int
        var error: String?
    }

    struct IngredientVerdict: Decodable {
        var title: String
        var relationship: String
        var activeManifest: String?
        var failures: [String]
    }

    static let script = #"""
    import json, sys
    from c2pa import Reader, Settings, Context, C2paError
    anchor = open(sys.argv[1]).read()
    context = Context(Settings.from_dict({"version": 1, "trust": {"trust_anchors": anchor}, "verify": {"verify_trust": True}}))
    for path in sys.argv[2:]:
        out = {"state": None, "failures": [], "successes": [], "actions": [], "sourceTypes": [], "agents": [], "ingredients": [],
               "manifestCount": 0, "error": None}
        try:
            with open(path, "rb") as f, Reader("image/png" if path.endswith(".png") else "video/mp4", f, context=context) as reader:
                out["state"] = reader.get_validation_state()
                results = (reader.get_validation_results() or {}).get("activeManifest", {})
                out["failures"] = [r["code"] for r in results.get("failure", [])]
                out["successes"] = [r["code"] for r in results.get("success", [])]
                store = json.loads(reader.json())
                manifest = store["manifests"][store["active_manifest"]]
                out["manifestCount"] = len(store["manifests"])
                for ingredient in manifest.get("ingredients", []):
                    results = ingredient.get("validation_results", {}).get("activeManifest", {})
                    out["ingredients"].append({"title": ingredient.get("title", ""), "relationship": ingredient.get("relationship", ""),
                        "activeManifest": ingredient.get("active_manifest"), "failures": [r["code"] for r in results.get("failure", [])]})
                for assertion in manifest.get("assertions", []):
                    if assertion["label"].startswith("c2pa.actions"):
                        for action in assertion["data"]["actions"]:
                            out["actions"].append(action["action"])
                            out["sourceTypes"].append(action.get("digitalSourceType", ""))
                            agent = action.get("softwareAgent", "")
                            out["agents"].append(agent if isinstance(agent, str) else agent.get("name", "") + " " + agent.get("version", ""))
        except Exception as e:
            out["error"] = type(e).__name__ + ": " + str(e)
        print(json.dumps(out))
    """#

    static func verdicts(_ files: [URL], anchor: String) throws -> [Verdict] {
        let anchorFile = FileManager.default.temporaryDirectory.appendingPathComponent("phim-anchor-\(UUID().uuidString).pem")
        try Data(anchor.utf8).write(to: anchorFile)
        defer { try? FileManager.default.removeItem(at: anchorFile) }
        let result = try run(["-c", script, anchorFile.path] + files.map(\.path))
        try #require(result.status == 0, "c2pa-python failed: \(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(Verdict.self, from: Data($0.utf8)) }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}

/// Phim's manifests as the reference implementation reads them: trusted with Phim's CA as the anchor, bound to
/// every byte of the file, in every MP4 layout; the video itself unchanged.
@Suite(.enabled(if: ReferenceReader.isAvailable, "needs c2pa-python in .build/c2pa-venv (make c2pa-reader)"))
struct C2PAReaderTests {
    let folder = TemporaryFolder("phim-c2pa")

    /// An MP4 made by ffmpeg's own muxer with `options` (a layout), 1 s of test pattern, with or without a tone.
    func ffmpegMP4(_ name: String, sound: Bool, options: [String]) throws -> URL {
        let url = folder.file(name)
        var arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=1"]
        if sound { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"] }
        arguments += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10"] + options + [url.path]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return url
    }

    /// ffmpeg's per-frame checksums of every stream: equal when the media decode the same.
    func frameChecksums(_ url: URL) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-i", url.path, "-map", "0", "-f", "framemd5", "-"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    @Test func everyLayoutIsTrustedAndDecodesAsBefore() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let layouts: [(String, Bool, [String])] = [
            ("faststart.mp4", true, ["-movflags", "+faststart"]),
            ("moov-last.mp4", true, []),
            ("silent.mp4", false, ["-movflags", "+faststart"]),
            // Fragments with absolute base offsets in tfhd, and an mfra index.
            ("fragmented.mp4", true, ["-movflags", "+frag_keyframe+empty_moov", "-frag_duration", "200000"]),
        ]
        var sealed: [URL] = []
        for (name, sound, options) in layouts {
            let url = try ffmpegMP4(name, sound: sound, options: options)
            let before = try frameChecksums(url)
            try C2PAWriter(identity: identity).seal(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia, title: name))
            #expect(try frameChecksums(url) == before, "\(name) decodes differently once signed")
            #expect(before.count >= 25)
            sealed.append(url)
        }
        let anchor = try #require(identity.authorityPEM)
        let verdicts = try ReferenceReader.verdicts(sealed, anchor: anchor)
        for (url, verdict) in zip(sealed, verdicts) {
            let name = url.lastPathComponent
            #expect(verdict.error == nil, "\(name): \(verdict.error ?? "")")
            #expect(verdict.state == "Trusted", "\(name): \(verdict.state ?? "none"), failures \(verdict.failures)")
            #expect(verdict.failures.isEmpty, "\(name): \(verdict.failures)")
            #expect(verdict.successes.contains("assertion.bmffHash.match"), "\(name): \(verdict.successes)")
            #expect(verdict.actions == ["c2pa.created"], "\(name)")
            #expect(verdict.sourceTypes == [DigitalSourceType.trainedAlgorithmicMedia.iri], "\(name)")
            #expect(verdict.agents == ["Phim \(PhimVersion.current)"], "\(name)")
        }
    }

    /// A PNG signed by Phim (a `caBX` chunk and a data hash) is trusted by c2pa-rs, bound to its bytes, and decodes as
    /// before.
    @Test func aSignedPNGIsTrustedAndItsPixelsAreUnchanged() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let url = folder.file("still.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1", url.path]
        try process.run()
        process.waitUntilExit()
        let before = try frameChecksums(url)
        try C2PAWriter(identity: identity).sealPNG(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia, title: "still.png"))
        #expect(try frameChecksums(url) == before)
        let anchor = try #require(identity.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([url], anchor: anchor).first)
        #expect(verdict.error == nil, "\(verdict.error ?? "")")
        #expect(verdict.state == "Trusted" && verdict.failures.isEmpty, "\(verdict.state ?? "none"): \(verdict.failures)")
        #expect(verdict.successes.contains("assertion.dataHash.match"), "\(verdict.successes)")
        #expect(verdict.actions == ["c2pa.created"] && verdict.sourceTypes == [DigitalSourceType.trainedAlgorithmicMedia.iri])
    }

    /// Rewrites an MP4's 32-bit chunk offsets (`stco`) as 64-bit ones (`co64`), as a file over 4 GiB has them.
    static let toCO64 = #"""
import struct, sys
data = open(sys.argv[1], "rb").read()
def boxes(buf, start, end):
    out = []; i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", buf[i:i+8]); out.append((i, size, kind)); i += size
    return out
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
def convert(buf, start, end):
    """Returns the bytes of buf[start:end] (a list of boxes) with every stco turned into co64."""
    out = b""
    for offset, size, kind in boxes(buf, start, end):
        if kind in CONTAINERS:
            inner = convert(buf, offset + 8, offset + size)
            out += struct.pack(">I4s", 8 + len(inner), kind) + inner
        elif kind == b"stco":
            count = struct.unpack(">I", buf[offset+12:offset+16])[0]
            entries = struct.unpack(">%dI" % count, buf[offset+16:offset+16+4*count])
            body = buf[offset+8:offset+12] + struct.pack(">I", count) + b"".join(struct.pack(">Q", e) for e in entries)
            out += struct.pack(">I4s", 8 + len(body), b"co64") + body
        else:
            out += buf[offset:offset+size]
    return out
top = boxes(data, 0, len(data))
moov = [b for b in top if b[2] == b"moov"][0]
mdat = [b for b in top if b[2] == b"mdat"][0]
new_moov = convert(data, moov[0], moov[0] + moov[1])
delta = len(new_moov) - moov[1] if moov[0] < mdat[0] else 0
def shift(buf, start, end):
    out = b""
    for offset, size, kind in boxes(buf, start, end):
        if kind in CONTAINERS:
            inner = shift(buf, offset + 8, offset + size); out += struct.pack(">I4s", 8 + len(inner), kind) + inner
        elif kind == b"co64":
            count = struct.unpack(">I", buf[offset+12:offset+16])[0]
            entries = struct.unpack(">%dQ" % count, buf[offset+16:offset+16+8*count])
            out += buf[offset:offset+16] + b"".join(struct.pack(">Q", e + delta) for e in entries)
        else:
            out += buf[offset:offset+size]
    return out
new_moov = shift(new_moov, 0, len(new_moov))
result = b"".join(new_moov if b == moov else data[b[0]:b[0]+b[1]] for b in top)
open(sys.argv[2], "wb").write(result)
print("co64" if b"co64" in new_moov else "none", delta)
"""#

    @Test func sixtyFourBitChunkOffsetsAreMovedToo() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let original = try ffmpegMP4("small.mp4", sound: true, options: ["-movflags", "+faststart"])
        let wide = folder.file("wide.mp4")
        let converted = try ReferenceReader.run(["-c", Self.toCO64, original.path, wide.path])
        try #require(converted.status == 0 && converted.stdout.hasPrefix("co64"), "\(converted.stderr)")
        let before = try frameChecksums(original)
        #expect(try frameChecksums(wide) == before, "the conversion itself changed the media")
        try C2PAWriter(identity: identity).seal(wide, provenance: Provenance(sourceType: .composite))
        let data = try Data(contentsOf: wide)
        #expect(data.range(of: Data("co64".utf8)) != nil && data.range(of: Data("stco".utf8)) == nil)
        #expect(try frameChecksums(wide) == before, "co64 offsets were not moved with the media")
        let anchor = try #require(identity.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([wide], anchor: anchor).first)
        #expect(verdict.state == "Trusted" && verdict.failures.isEmpty, "\(verdict.state ?? "none") \(verdict.failures)")
    }

    /// A certificate the user brings signs every video from then on; c2pa-rs trusts it through the user's own CA.
    @Test func aCertificateBroughtByTheUserSigns() throws {
        let theirs = folder.file("theirs")
        let foreign = try SigningIdentity.loadOrCreate(in: theirs)
        let environment = ["XDG_CONFIG_HOME": folder.file("config").path]
        func importing(_ chain: String, _ key: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["identity", "import", "--chain", theirs.appendingPathComponent(chain).path,
                               "--key", theirs.appendingPathComponent(key).path], environment: environment)
        }
        // A CA certificate, or a key that is not the certificate's: refused in one line, naming the option.
        let authority = try importing("ca.pem", "ca.key")
        #expect(authority.status == 2 && authority.stderr.contains("--chain") && authority.stderr.contains("CA"), "\(authority.stderr)")
        let mismatched = try importing("signer.pem", "ca.key")
        #expect(mismatched.status == 2 && mismatched.stderr.contains("--key"), "\(mismatched.stderr)")
        let imported = try importing("signer.pem", "signer.key")
        try #require(imported.status == 0, "\(imported.stderr)")

        let project = folder.file("p.json")
        try Data(#"{"width": 96, "height": 64, "clips": [{"duration": 1, "layers": [{"type": "title", "text": "Hi"}]}]}"#.utf8).write(to: project)
        let output = folder.file("theirs.mp4")
        let render = try CLIRunner.run(["render", project.path, "-o", output.path], environment: environment)
        try #require(render.status == 0, "\(render.stderr)")
        let anchor = try #require(foreign.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([output], anchor: anchor).first)
        #expect(verdict.state == "Trusted" && verdict.failures.isEmpty, "\(verdict.state ?? "none") \(verdict.failures)")
        // phim verify knows no local CA now; with the user's CA given it trusts the file.
        try Data(anchor.utf8).write(to: folder.file("their-ca.pem"))
        let verified = try CLIRunner.run(["verify", output.path, "--trust", folder.file("their-ca.pem").path], environment: environment)
        #expect(verified.status == 0 && verified.stdout.contains("Trusted"), "\(verified.stdout)")
    }

    @Test func changingTheMediaBreaksTheSeal() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let url = try ffmpegMP4("tampered.mp4", sound: true, options: ["-movflags", "+faststart"])
        try C2PAWriter(identity: identity).seal(url, provenance: Provenance(sourceType: .composite))
        // Flip two bytes in the middle of the media data.
        var bytes = [UInt8](try Data(contentsOf: url))
        let handle = try FileHandle(forReadingFrom: url)
        let boxes = try BMFF.topLevelBoxes(of: handle, size: UInt64(bytes.count), subject: .file(url))
        try handle.close()
        #expect(boxes.map(\.type).prefix(2) == ["ftyp", "uuid"] && boxes[1].isC2PA)
        let mdat = try #require(boxes.first { $0.type == "mdat" })
        let middle = Int(mdat.offset + mdat.size / 2)
        bytes[middle] ^= 0xff
        bytes[middle + 1] ^= 0xff
        try Data(bytes).write(to: url)
        let anchor = try #require(identity.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([url], anchor: anchor).first)
        #expect(verdict.state == "Invalid", "\(verdict.state ?? "none")")
        #expect(verdict.failures.contains("assertion.bmffHash.mismatch"), "\(verdict.failures)")
    }

    /// A model's input (the still `phim animate` starts from) is an `inputTo` ingredient that the `c2pa.created`
    /// action names: c2pa-rs reads it Trusted, with the ingredient's relationship as written.
    @Test func aModelsInputIsNamedByTheCreatedAction() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let still = folder.file("still.png")
        try Data(repeating: 7, count: 100).write(to: still)
        var input = try Ingredient.component(file: still)
        input.relationship = .inputTo
        let url = try ffmpegMP4("animated.mp4", sound: false, options: ["-movflags", "+faststart"])
        try C2PAWriter(identity: identity).seal(url, provenance: Provenance(sourceType: .trainedAlgorithmicMedia, components: [input]))
        let anchor = try #require(identity.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([url], anchor: anchor).first)
        #expect(verdict.state == "Trusted", "\(verdict.failures) \(verdict.error ?? "")")
        #expect(verdict.actions == ["c2pa.created"])
        #expect(verdict.sourceTypes == [DigitalSourceType.trainedAlgorithmicMedia.iri])
        #expect(verdict.ingredients.map(\.relationship) == ["inputTo"] && verdict.ingredients.first?.title == "still.png")
    }

    @Test func anotherAnchorIsNotTrusted() throws {
        let identity = try SigningIdentity.loadOrCreate(in: folder.file("identity"))
        let stranger = try SigningIdentity.loadOrCreate(in: folder.file("stranger"))
        let url = try ffmpegMP4("untrusted.mp4", sound: false, options: [])
        try C2PAWriter(identity: identity).seal(url, provenance: Provenance(sourceType: .composite))
        let anchor = try #require(stranger.authorityPEM)
        let verdict = try #require(try ReferenceReader.verdicts([url], anchor: anchor).first)
        #expect(verdict.state == "Valid", "signed correctly, by a CA the reader does not trust: \(verdict.state ?? "none")")
        #expect(verdict.failures.contains("signingCredential.untrusted"), "\(verdict.failures)")
    }

    /// What `phim render` and `phim make` write is signed with the local identity and says how it was made.
    @Test func rendersAndMakesCarryTheirSourceTypes() throws {
        let colours = folder.file("colours.json")
        try Data(#"{"width": 160, "height": 90, "clips": [{"duration": 1, "layers": [{"type": "title", "text": "Hi"}]}]}"#.utf8).write(to: colours)
        let picture = folder.file("picture.json")
        let image = try SampleMedia.url("messi5.jpg")
        try Data(#"{"width": 160, "height": 90, "clips": [{"duration": 1, "layers": [{"type": "image", "path": "\#(image.path)"}]}]}"#.utf8).write(to: picture)
        let article = folder.file("article.md")
        try Data("# Bees\n\nBees pollinate crops. Farms need them.\n".utf8).write(to: article)
        // espeak-ng learns nothing from data (algorithmicMedia); Festival's HTS voice is a model trained on recorded
        // speech (trainedAlgorithmicMedia), when it is installed.
        let festival = ["/usr/bin/festival", "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts"]
            .allSatisfy { FileManager.default.fileExists(atPath: $0) }
        // Piper's voices are neural networks (trainedAlgorithmicMedia), when make voices installed Piper.
        let piper = PiperInstallation.find()?.voices.contains { $0.name == "en_US-joe-medium" } ?? false
        let make = ["make", article.path, "--duration", "3", "--music", "none"]
        var runs = [(["render", colours.path], "colours.mp4"), (["render", picture.path], "picture.mp4"),
                    (make + ["--voice", "en-us"], "made.mp4")]
        var expected: [DigitalSourceType] = [.digitalCreation, .composite, .algorithmicMedia]
        if festival {
            runs.append((make + ["--voice", "festival"], "made-festival.mp4"))
            expected.append(.trainedAlgorithmicMedia)
        }
        if piper {
            runs.append((make + ["--voice", "piper:en_US-joe-medium"], "made-piper.mp4"))
            expected.append(.trainedAlgorithmicMedia)
        }
        let outputs = runs.map { folder.file($0.1) }
        for (arguments, output) in zip(runs.map(\.0), outputs) {
            let result = try CLIRunner.run(arguments + ["--preview", "-o", output.path])
            try #require(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let anchor = try #require(try SigningIdentity.local().authorityPEM)
        let verdicts = try ReferenceReader.verdicts(outputs, anchor: anchor)
        for (index, verdict) in verdicts.enumerated() {
            #expect(verdict.state == "Trusted", "\(outputs[index].lastPathComponent): \(verdict.state ?? "none") \(verdict.failures) \(verdict.error ?? "")")
            #expect(verdict.actions.first == "c2pa.created" && verdict.sourceTypes.first == expected[index].iri,
                    "\(outputs[index].lastPathComponent)")
        }
        // The picture the render placed is an ingredient (componentOf, with its file's hash), named by c2pa.placed.
        #expect(verdicts[0].ingredients.isEmpty && verdicts[0].actions == ["c2pa.created"])
        #expect(verdicts[1].actions == ["c2pa.created", "c2pa.placed"])
        #expect(verdicts[1].ingredients.map(\.title) == ["messi5.jpg"] && verdicts[1].ingredients.first?.relationship == "componentOf")
        let verified = try CLIRunner.run(["verify", outputs[1].path])
        #expect(verified.status == 0 && verified.stdout.contains("ingredient:  messi5.jpg (componentOf)"), "\(verified.stdout)")
    }
}

/// `phim verify` against manifests written by Phim and by the reference implementation, intact and tampered.
@Suite(.enabled(if: ReferenceReader.isAvailable, "needs c2pa-python in .build/c2pa-venv (make c2pa-reader)"))
struct VerifyCLITests {
    let folder = TemporaryFolder("phim-verify")

    /// Signs `source` into `destination` with c2pa-rs, using the identity in `identity` (its signer key and chain);
    /// with `watermarkPayload`, the manifest also carries Phim's watermark assertion naming that payload.
    func signWithReference(_ source: URL, _ destination: URL, identity: URL, watermarkPayload: String? = nil) throws {
        let script = #"""
        import sys
        from c2pa import Builder, Signer, C2paSignerInfo, C2paSigningAlg, Settings, Context
        folder, src, dst, payload = sys.argv[1:5]
        context = Context(Settings.from_dict({"version": 1, "builder": {"thumbnail": {"enabled": False}}}))
        manifest = {"claim_generator_info": [{"name": "reference", "version": "1"}], "title": "ref.mp4", "format": "video/mp4",
          "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{"action": "c2pa.created",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}]}
        if payload:
            manifest["assertions"].append({"label": "org.phim.watermark", "data": {"algorithm": "phim.tile.1", "payload": payload}})
        info = C2paSignerInfo(C2paSigningAlg.ES256, open(folder + "/signer.pem", "rb").read(), open(folder + "/signer.key", "rb").read(), None)
        with Builder.from_json(manifest, context=context) as builder:
            builder.sign_file(src, dst, Signer.from_info(info))
        """#
        let result = try ReferenceReader.run(["-c", script, identity.path, source.path, destination.path, watermarkPayload ?? ""])
        try #require(result.status == 0, "c2pa-python could not sign: \(result.stderr)")
    }

    @Test func verifyReadsPhimsAndTheReferencesManifests() throws {
        let environment = ["XDG_CONFIG_HOME": folder.file("config").path]
        let project = folder.file("p.json")
        try Data(#"{"width": 160, "height": 90, "clips": [{"duration": 1, "layers": [{"type": "title", "text": "Hi"}]}]}"#.utf8).write(to: project)
        let ours = folder.file("ours.mp4")
        let render = try CLIRunner.run(["render", project.path, "-o", ours.path], environment: environment)
        try #require(render.status == 0, "\(render.stderr)")

        // Phim's own output: trusted by the local CA, with its action and source type.
        let verified = try CLIRunner.run(["verify", ours.path, "--json"], environment: environment)
        #expect(verified.status == 0, "\(verified.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        let c2pa = try #require(document["c2pa"] as? [String: Any])
        #expect(c2pa["state"] as? String == "Trusted")
        let actions = try #require(c2pa["actions"] as? [[String: Any]])
        #expect(actions.first?["digitalSourceType"] as? String == DigitalSourceType.digitalCreation.iri)
        let codes = try #require(c2pa["codes"] as? [String: [String]])
        #expect(codes["failure"] == [] && codes["success"]?.contains("assertion.bmffHash.match") == true)

        // Without the local CA (another configuration folder) the same file is valid but not trusted.
        let elsewhere = try CLIRunner.run(["verify", ours.path], environment: ["XDG_CONFIG_HOME": folder.file("other").path])
        #expect(elsewhere.status == 0 && elsewhere.stdout.contains("c2pa:        Valid"), "\(elsewhere.stdout)")
        // …and trusted again with the CA given as --trust.
        let ca = try CLIRunner.run(["identity", "ca"], environment: environment)
        let anchor = folder.file("ca.pem")
        try Data(ca.stdout.utf8).write(to: anchor)
        let withTrust = try CLIRunner.run(["verify", ours.path, "--trust", anchor.path], environment: ["XDG_CONFIG_HOME": folder.file("other").path])
        #expect(withTrust.stdout.contains("c2pa:        Trusted"), "\(withTrust.stdout)")

        // A manifest written by c2pa-rs with the same signer (its padding, salts and exclusions): trusted too.
        let plain = folder.file("plain.mp4")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:duration=1",
                            "-c:v", "libx264", "-pix_fmt", "yuv420p", plain.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        let absent = try CLIRunner.run(["verify", plain.path], environment: environment)
        #expect(absent.status == 3 && absent.stdout.contains("Absent"), "\(absent.stdout)")
        let reference = folder.file("reference.mp4")
        try signWithReference(plain, reference, identity: folder.file("config/phim/identity"))
        let theirs = try CLIRunner.run(["verify", reference.path], environment: environment)
        #expect(theirs.status == 0 && theirs.stdout.contains("c2pa:        Trusted"), "\(theirs.stdout) \(theirs.stderr)")
        #expect(theirs.stdout.contains("digitalCapture"))

        // Tampered media: found but broken, exit 1, and the failing check named.
        for url in [ours, reference] {
            var bytes = [UInt8](try Data(contentsOf: url))
            let mdat = try #require(Data(bytes).range(of: Data("mdat".utf8))).upperBound
            bytes[mdat + 40] ^= 0xff
            bytes[mdat + 41] ^= 0xff
            try Data(bytes).write(to: url)
            let broken = try CLIRunner.run(["verify", url.path], environment: environment)
            #expect(broken.status == 1, "\(url.lastPathComponent): \(broken.stdout)")
            #expect(broken.stdout.contains("Invalid") && broken.stdout.contains("assertion.bmffHash.mismatch"), "\(broken.stdout)")
        }

        // Not an MP4 at all: exit 2, one line.
        let text = try CLIRunner.run(["verify", project.path], environment: environment)
        #expect(text.status == 2 && text.stderr.split(separator: "\n").count == 1 && text.stderr.contains("not an MP4"), "\(text.stderr)")
    }

    /// Runs ffmpeg on `input` with `arguments`, writing `output`.
    func ffmpeg(_ input: URL, _ arguments: [String], _ output: URL) throws {
        try #require(try FFmpegTool.run(["-i", input.path] + arguments + [output.path]) == 0, "ffmpeg \(arguments)")
    }

    func verdict(_ url: URL, _ environment: [String: String]) throws -> (status: Int32, c2pa: [String: Any], watermark: [String: Any]) {
        let result = try CLIRunner.run(["verify", url.path, "--json"], environment: environment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                    "\(result.stdout) \(result.stderr)")
        let c2pa = try #require(document["c2pa"] as? [String: Any])
        let watermark = try #require(document["watermark"] as? [String: Any])
        return (result.status, c2pa, watermark)
    }

    /// The watermark is what is left when a re-encode drops the manifest; a manifest that names another watermark
    /// than the picture carries is broken.
    @Test(.enabled(if: SampleMedia.isAvailable("vtest.avi"), "needs opencv-doc's vtest.avi (make media)"))
    func verifyReadsTheWatermarkWhereTheManifestIsGone() throws {
        let environment = ["XDG_CONFIG_HOME": folder.file("config").path]
        let project = folder.file("street.json")
        let video = try SampleMedia.url("vtest.avi")
        try Data(#"{"width": 320, "height": 240, "clips": [{"duration": 3, "layers": [{"type": "video", "path": "\#(video.path)"}]}]}"#.utf8)
            .write(to: project)
        let ours = folder.file("street.mp4")
        let render = try CLIRunner.run(["render", project.path, "-o", ours.path], environment: environment)
        try #require(render.status == 0, "\(render.stderr)")

        let original = try verdict(ours, environment)
        #expect(original.status == 0)
        let payload = try #require(original.c2pa["watermarkPayload"] as? String)
        #expect(original.watermark["detected"] as? Bool == true)
        #expect(original.watermark["payload"] as? String == payload)
        #expect(original.watermark["matchesManifest"] as? Bool == true)
        #expect((original.watermark["pValue"] as? Double ?? 1) < 1e-6)

        // Re-encoded into another container: no manifest, the watermark names the same payload, exit 0.
        let copy = folder.file("street-copy.mkv")
        try ffmpeg(ours, ["-c:v", "libx264", "-crf", "28"], copy)
        let stripped = try verdict(copy, environment)
        #expect(stripped.status == 0)
        #expect(stripped.c2pa["state"] as? String == "Absent")
        #expect(stripped.watermark["detected"] as? Bool == true && stripped.watermark["payload"] as? String == payload,
                "\(stripped.watermark)")
        let text = try CLIRunner.run(["verify", copy.path], environment: environment)
        #expect(text.stdout.contains("watermark:   detected, payload \(payload)"), "\(text.stdout)")

        // The re-encoded copy signed again with a manifest that names another watermark: broken, exit 1.
        let reencoded = folder.file("street-copy.mp4")
        try ffmpeg(ours, ["-c:v", "libx264", "-crf", "23"], reencoded)
        let transplanted = folder.file("transplanted.mp4")
        try signWithReference(reencoded, transplanted, identity: folder.file("config/phim/identity"),
                              watermarkPayload: "0123456789abcdef")
        let wrong = try verdict(transplanted, environment)
        #expect(wrong.status == 1, "\(wrong)")
        #expect(wrong.c2pa["watermarkPayload"] as? String == "0123456789abcdef")
        #expect((wrong.c2pa["codes"] as? [String: [String]])?["failure"]?.contains("phim.watermark.mismatch") == true)
        #expect(wrong.watermark["matchesManifest"] as? Bool == false)

        // Video Phim never made: no manifest, no watermark, exit 3.
        let plain = folder.file("plain.mp4")
        try ffmpeg(video, ["-t", "3", "-vf", "scale=320:240", "-c:v", "libx264"], plain)
        let none = try verdict(plain, environment)
        #expect(none.status == 3)
        #expect(none.watermark["detected"] as? Bool == false && none.watermark["payload"] is NSNull)
    }

    /// `phim label`: a video made elsewhere (any container) gets the watermark and a manifest naming it as parent;
    /// a Phim video's own manifest is carried along, and its watermark kept.
    @Test(.enabled(if: SampleMedia.isAvailable("vtest.avi"), "needs opencv-doc's vtest.avi (make media)"))
    func labelGivesAVideoMadeElsewhereProvenance() throws {
        let environment = ["XDG_CONFIG_HOME": folder.file("config").path]
        let video = try SampleMedia.url("vtest.avi")
        // Made elsewhere: Matroska with Vorbis sound (which MP4 cannot hold: it is re-encoded as AAC).
        let camera = folder.file("camera.mkv")
        let tone = folder.file("tone.wav")
        _ = try WAVWriter.tone(to: tone, seconds: 3, frequency: 440, amplitude: 0.3)
        try #require(try FFmpegTool.run(["-i", video.path, "-i", tone.path, "-t", "3", "-vf", "scale=320:240",
                                          "-c:v", "libx264", "-c:a", "libvorbis", camera.path]) == 0)
        let labelled = folder.file("camera-labelled.mp4")
        let result = try CLIRunner.run(["label", camera.path, "-o", labelled.path, "--source-type", "digitalCapture"],
                                       environment: environment)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("watermark"))
        let info = try MediaProbe.probe(labelled)
        #expect(info.video.first?.width == 320 && info.audio.first?.codec == "aac")
        #expect(abs((info.duration ?? 0) - 3) < 0.2)

        // A Phim render, then that render re-encoded (its manifest gone, its watermark not).
        let project = folder.file("street.json")
        try Data(#"{"width": 320, "height": 240, "clips": [{"duration": 2, "layers": [{"type": "video", "path": "\#(video.path)"}]}]}"#.utf8)
            .write(to: project)
        let ours = folder.file("street.mp4")
        try #require(try CLIRunner.run(["render", project.path, "-o", ours.path], environment: environment).status == 0)
        let original = try verdict(ours, environment)
        let payload = try #require(original.c2pa["watermarkPayload"] as? String)
        let relabelled = folder.file("street-labelled.mp4")
        try #require(try CLIRunner.run(["label", ours.path, "-o", relabelled.path], environment: environment).status == 0)
        let stripped = folder.file("street-stripped.mp4")
        try ffmpeg(ours, ["-c:v", "libx264", "-crf", "23"], stripped)
        let restored = folder.file("street-restored.mp4")
        try #require(try CLIRunner.run(["label", stripped.path, "-o", restored.path], environment: environment).status == 0)

        // A render that places the Phim render and a copy of it: two components, their manifest copied in once.
        let copy = folder.file("street-twin.mp4")
        try FileManager.default.copyItem(at: ours, to: copy)
        let reuse = folder.file("reuse.json")
        try Data(#"{"width": 320, "height": 240, "clips": [{"duration": 1, "layers": [{"type": "video", "path": "\#(ours.path)"}]}, {"duration": 1, "layers": [{"type": "video", "path": "\#(copy.path)", "cutFrom": 1}]}, {"duration": 1, "layers": [{"type": "title", "text": "End"}]}]}"#.utf8)
            .write(to: reuse)
        let reused = folder.file("reused.mp4")
        try #require(try CLIRunner.run(["render", reuse.path, "-o", reused.path], environment: environment).status == 0)

        let anchor = try #require(try String(contentsOf: folder.file("config/phim/identity/ca.pem"), encoding: .utf8))
        let placed = try #require(try ReferenceReader.verdicts([reused], anchor: anchor).first)
        #expect(placed.state == "Trusted", "\(placed.failures) \(placed.error ?? "")")
        #expect(placed.manifestCount == 2, "the component's manifest once, then the render's own")
        #expect(placed.ingredients.map(\.relationship) == ["componentOf", "componentOf"])
        #expect(placed.ingredients.allSatisfy { $0.activeManifest != nil && $0.failures.isEmpty }, "\(placed.ingredients)")
        // The render shows the earlier render's mark beside its own: whichever the reader finds, provenance is intact.
        let placedReport = try verdict(reused, environment)
        #expect(placedReport.status == 0, "\(placedReport.watermark)")
        // Where the two marks' bits differ they cancel, and the bits may read as neither; each is still shown present.
        #expect(placedReport.watermark["matchesManifest"] as? Bool == true, "\(placedReport.watermark)")
        #expect(placedReport.watermark["matchesIngredient"] as? Bool == true, "\(placedReport.watermark)")
        #expect((placedReport.watermark["manifestMarkPValue"] as? Double ?? 1) < WatermarkReading.threshold)
        #expect((placedReport.c2pa["codes"] as? [String: [String]])?["success"]?.contains("ingredient.manifest.validated") == true)

        let verdicts = try ReferenceReader.verdicts([labelled, relabelled, restored], anchor: anchor)
        for (index, verdict) in verdicts.enumerated() {
            #expect(verdict.state == "Trusted", "\(index): \(verdict.failures) \(verdict.error ?? "")")
            #expect(verdict.actions == ["c2pa.opened", "c2pa.transcoded"], "\(index)")
            #expect(verdict.ingredients.count == 1 && verdict.ingredients.first?.relationship == "parentOf", "\(index)")
        }
        #expect(verdicts[0].sourceTypes.first == DigitalSourceType.digitalCapture.iri)
        #expect(verdicts[0].ingredients.first?.title == "camera.mkv" && verdicts[0].ingredients.first?.activeManifest == nil)
        #expect(verdicts[0].manifestCount == 1)
        // The render's manifest travels with the labelled copy, named by the ingredient, and validated.
        #expect(verdicts[1].manifestCount == 2)
        #expect(verdicts[1].ingredients.first?.activeManifest != nil && verdicts[1].ingredients.first?.failures == [])

        // phim verify: the ingredient's manifest found by hash; the watermarks.
        let fresh = try verdict(labelled, environment)
        #expect(fresh.status == 0 && fresh.watermark["matchesManifest"] as? Bool == true)
        let kept = try verdict(restored, environment)
        #expect(kept.status == 0)
        #expect(kept.c2pa["watermarkPayload"] as? String == payload, "the stripped render's watermark is kept")
        #expect(kept.watermark["payload"] as? String == payload)
        let carried = try verdict(relabelled, environment)
        #expect((carried.c2pa["codes"] as? [String: [String]])?["success"]?.contains("ingredient.manifest.validated") == true)
    }

    /// Bad input to `phim label`: one line naming the file, exit 2, nothing left at the output.
    @Test func labelRefusesWhatItCannotLabel() throws {
        let text = folder.file("notes.txt")
        try Data("not a video".utf8).write(to: text)
        let picture = try SampleMedia.url("messi5.jpg")
        let out = folder.file("out.mp4")
        let cases: [(arguments: [String], mentions: String)] = [
            (["label", text.path, "-o", out.path], "notes.txt"),
            (["label", folder.file("missing.mp4").path, "-o", out.path], "missing.mp4"),
            (["label", picture.path, "-o", out.path], "messi5.jpg"),
            (["label", text.path, "-o", folder.file("no/such/folder/out.mp4").path], "folder"),
            (["label", text.path, "-o", text.path], "notes.txt"),
        ]
        for (arguments, mentions) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mentions), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        #expect(try String(contentsOf: text, encoding: .utf8) == "not a video")
    }
}
