import Foundation
import PhimCore

/// A Festival voice installed on this machine.
public struct FestivalVoice: Sendable, Hashable {
    /// Its name, as Festival's `voice_NAME` function and `--voice festival:NAME` know it (`cmu_us_slt_arctic_hts`).
    public var name: String
    /// The language it speaks, as a BCP 47 tag, from the folder Festival keeps it in (`us` → `en-us`).
    public var language: String
    /// Its folder (`/usr/share/festival/voices/us/cmu_us_slt_arctic_hts`).
    public var folder: URL
    /// Whether it is an HTS voice (a statistical parametric voice run by hts_engine; the others are diphone or unit
    /// selection voices).
    public var isHTS: Bool

    public init(name: String, language: String, folder: URL, isHTS: Bool) {
        self.name = name
        self.language = language
        self.folder = folder
        self.isHTS = isHTS
    }
}

/// Where the Festival speech synthesis system is installed and which voices it has.
public struct FestivalInstallation: Sendable {
    /// The `festival` program.
    public var executable: URL
    /// Its voices, sorted by name.
    public var voices: [FestivalVoice]

    /// The voice Phim speaks English with by default: CMU's US English female Arctic voice "slt", an HTS voice.
    public static let defaultVoiceName = "cmu_us_slt_arctic_hts"
    /// How to install Festival and the default voice on Debian and Ubuntu.
    public static let installCommand = "apt install festival festvox-us-slt-hts"
    /// Festival's own licence, from its Debian copyright file.
    public static let licence = "X11-style free licence (University of Edinburgh)"

    public init(executable: URL, voices: [FestivalVoice]) {
        self.executable = executable
        self.voices = voices
    }

    /// Finds `festival` on the `PATH` and the voices in its `voices` folder (`…/share/festival/voices/LANGUAGE/NAME`,
    /// beside the program's `bin` folder, and `/usr/share/festival/voices`).
    /// - Parameters:
    ///   - environment: where `PATH` is read (the process's environment by default).
    /// - Returns: the installation, or `nil` when there is no `festival` program.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> FestivalInstallation? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let executable = path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("festival") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let executable = executable?.resolvingSymlinksInPath() else { return nil }
        let prefix = executable.deletingLastPathComponent().deletingLastPathComponent()
        var roots = [prefix.appendingPathComponent("share/festival/voices"), URL(fileURLWithPath: "/usr/share/festival/voices")]
        if roots[0].standardizedFileURL.path == roots[1].path { roots.removeLast() }
        var byName: [String: FestivalVoice] = [:]
        for root in roots {
            for voice in voices(in: root) where byName[voice.name] == nil { byName[voice.name] = voice }
        }
        return FestivalInstallation(executable: executable, voices: byName.values.sorted { $0.name < $1.name })
    }

    /// The voices in a `voices` folder: every `LANGUAGE/NAME` folder with a `festvox/NAME.scm` file.
    static func voices(in root: URL) -> [FestivalVoice] {
        let manager = FileManager.default
        var found: [FestivalVoice] = []
        for language in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] {
            let languageFolder = root.appendingPathComponent(language)
            for name in (try? manager.contentsOfDirectory(atPath: languageFolder.path)) ?? [] {
                // The name becomes a Scheme symbol in Festival's script: only names that cannot break out of one.
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { continue }
                let folder = languageFolder.appendingPathComponent(name)
                guard manager.fileExists(atPath: folder.appendingPathComponent("festvox/\(name).scm").path) else { continue }
                let hts = ((try? manager.contentsOfDirectory(atPath: folder.appendingPathComponent("hts").path)) ?? [])
                    .contains { $0.hasSuffix(".htsvoice") }
                found.append(FestivalVoice(name: name, language: languageTag(folder: language), folder: folder, isHTS: hts))
            }
        }
        return found
    }

    /// The BCP 47 tag for one of Festival's language folders (`us`, `english`, `spanish`…); other names are kept.
    static func languageTag(folder: String) -> String {
        let tags = ["us": "en-us", "english": "en", "british": "en-gb", "uk": "en-gb", "spanish": "es", "italian": "it",
                    "finnish": "fi", "russian": "ru", "czech": "cs", "welsh": "cy", "hindi": "hi", "marathi": "mr", "telugu": "te"]
        return tags[folder.lowercased()] ?? folder.lowercased()
    }

    /// The voice called `name` (a leading `voice_`, as in Festival's function names, is allowed).
    public func voice(named name: String) -> FestivalVoice? {
        let bare = name.hasPrefix("voice_") ? String(name.dropFirst("voice_".count)) : name
        return voices.first { $0.name == bare }
    }

    /// The voice for `language` when none is named: ``defaultVoiceName`` when it is installed and speaks the language,
    /// else the first installed voice that does.
    public func defaultVoice(language: String) -> FestivalVoice? {
        let speaking = voices.filter { Self.speaks($0, language) }
        return speaking.first { $0.name == Self.defaultVoiceName } ?? speaking.first
    }

    /// Whether `voice` speaks `language`: their primary subtags agree (`en-us` speaks `en` and `en-gb`).
    public static func speaks(_ voice: FestivalVoice, _ language: String) -> Bool {
        primarySubtag(voice.language) == primarySubtag(language)
    }

    static func primarySubtag(_ tag: String) -> String {
        tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
    }

    /// The licences of `voice`, from the `License:` fields of the copyright file of the Debian package that installed
    /// it (`EST-2003, EST-2000, BSD-3-clause (festvox-us-slt-hts)`), or where to look when that package is not found.
    public static func licence(of voice: FestivalVoice) -> String {
        let info = URL(fileURLWithPath: "/var/lib/dpkg/info")
        let lists = ((try? FileManager.default.contentsOfDirectory(atPath: info.path)) ?? [])
            .filter { $0.hasPrefix("festvox-") && $0.hasSuffix(".list") }.sorted()
        for list in lists {
            guard let files = try? String(contentsOf: info.appendingPathComponent(list), encoding: .utf8),
                  files.split(separator: "\n").contains(where: { $0 == voice.folder.path }) else { continue }
            let package = String(list.dropLast(".list".count).split(separator: ":")[0])
            let copyright = (try? String(contentsOfFile: "/usr/share/doc/\(package)/copyright", encoding: .utf8)) ?? ""
            var names: [String] = []
            for line in copyright.split(separator: "\n") where line.hasPrefix("License:") {
                let name = line.dropFirst("License:".count).trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, !names.contains(name) { names.append(name) }
            }
            return names.isEmpty ? "see /usr/share/doc/\(package)/copyright" : names.joined(separator: ", ") + " (\(package))"
        }
        return "see the copyright file of the package that installed \(voice.folder.path)"
    }

    /// The sample rate of each voice's speech, measured by having each say one word (Festival voices speak at the rate
    /// their recordings had: 32 000 Hz for the Arctic HTS voices, 16 000 Hz for the older diphone ones).
    /// - Parameters:
    ///   - timeout: seconds Festival may take for all of them.
    /// - Returns: samples per second by voice name.
    /// - Throws: `PhimError` `.operationFailed` when Festival fails or a voice does not load.
    /// - Complexity: one Festival run, about half a second per voice.
    public func sampleRates(timeout: Double = 120) throws(PhimError) -> [String: Int] {
        let failure = { (message: String) in PhimError(.operationFailed, "Festival " + message) }
        return try EngineProcess.withFolder(prefix: "phim-festival", failure: failure) { (process) throws(PhimError) -> [String: Int] in
            let script = process.file("rates.scm")
            do { try Data(FestivalScript.sampleRates(of: voices).utf8).write(to: script) } catch {
                throw failure("cannot be given its script: \(error.localizedDescription)")
            }
            let output = try process.run(executable, arguments: ["--script", script.path], input: "", timeout: timeout)
            var rates: [String: Int] = [:]
            var done = false
            for line in output.standardOutput.split(whereSeparator: \.isNewline) {
                let fields = line.split(separator: " ")
                if fields.count == 3, fields[0] == "phim-rate", let rate = Int(fields[2]) { rates[String(fields[1])] = rate }
                if line == FestivalScript.doneLine { done = true }
            }
            guard done else {
                throw failure("stopped before every voice had spoken" + (output.lastErrorLine.isEmpty ? "" : ": \(output.lastErrorLine)"))
            }
            return rates
        }
    }
}
