import ArgumentParser
import Foundation
import PhimCore
import PhimSpeech

/// `phim voices [--json]`: every speech engine and voice installed, with its language, sample rate and licence.
struct VoicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voices",
        abstract: "List the speech engines and voices installed, with language, sample rate and licence.",
        discussion: """
        The VOICE column is what 'phim make --voice' takes. Festival's voice speaks English by default when it is \
        installed (\(FestivalInstallation.installCommand)); espeak-ng speaks Vietnamese and every other language. \
        Piper's voices (\(PiperInstallation.installCommand)) speak only when asked for: --voice piper:NAME, or \
        --voice piper:PATH.onnx for any Piper model file.
        """)

    @Flag(help: "Print one JSON document.") var json = false

    /// One row of the list.
    struct Row: Codable, Equatable {
        var engine: String
        /// The value of `--voice` that picks it.
        var voice: String
        var language: String
        /// Samples per second, or nil when it could not be measured.
        var sampleRate: Int?
        var licence: String
        /// The language it speaks by default when `--voice` is left out, if any.
        var defaultFor: String?
    }

    func run() async throws {
        let rows = Self.rows(warn: { Console.shared.warning($0) })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print(Self.table(rows))
    }

    /// Festival's voices (when it is installed), then Piper's, then espeak-ng's.
    static func rows(warn: (String) -> Void) -> [Row] {
        var rows: [Row] = []
        if let festival = FestivalInstallation.find() {
            var rates: [String: Int] = [:]
            do { rates = try festival.sampleRates() } catch {
                warn("warning: the sample rates of Festival's voices are unknown: \(error.description)")
            }
            let englishDefault = festival.voice(named: FestivalInstallation.defaultVoiceName)?.name
            for voice in festival.voices {
                rows.append(Row(engine: VoiceSelection.Engine.festival.rawValue, voice: "festival:\(voice.name)", language: voice.language,
                                sampleRate: rates[voice.name],
                                licence: "Festival: \(FestivalInstallation.licence); voice: \(FestivalInstallation.licence(of: voice))",
                                defaultFor: voice.name == englishDefault ? "en" : nil))
            }
            if festival.voices.isEmpty { warn("warning: Festival has no voices installed: \(FestivalInstallation.installCommand)") }
        } else {
            warn("warning: Festival is not installed, so espeak-ng speaks English too: \(FestivalInstallation.installCommand)")
        }
        if let piper = PiperInstallation.find() {
            for voice in piper.voices {
                let declared = voice.packageLicence.map { "\($0), as \(voice.package ?? "its package") declares" } ?? "undeclared"
                rows.append(Row(engine: VoiceSelection.Engine.piper.rawValue, voice: "piper:\(voice.name)", language: voice.language,
                                sampleRate: voice.sampleRate, licence: "Piper: \(PiperInstallation.licence); voice: \(declared)",
                                defaultFor: nil))
            }
        }
        let festivalSpeaksEnglish = rows.contains { $0.defaultFor == "en" }
        let espeakRate = EspeakSynthesizer.sampleRate
        for voice in EspeakSynthesizer.voices() {
            let defaultFor = voice.name == "vi" || (voice.name == "en" && !festivalSpeaksEnglish) ? voice.name : nil
            rows.append(Row(engine: VoiceSelection.Engine.espeak.rawValue, voice: voice.name, language: voice.language,
                            sampleRate: espeakRate, licence: "GPL-3+", defaultFor: defaultFor))
        }
        return rows
    }

    /// The rows as aligned columns under a header (the last column, the licence, is not padded).
    static func table(_ rows: [Row]) -> String {
        let header = ["ENGINE", "VOICE", "LANGUAGE", "RATE", "DEFAULT FOR", "LICENCE"]
        let cells = rows.map { row in
            [row.engine, row.voice, row.language, row.sampleRate.map { "\($0) Hz" } ?? "?", row.defaultFor ?? "-", row.licence]
        }
        let widths = header.indices.dropLast().map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        return ([header] + cells).map { line in
            line.enumerated().map { column, text in
                column < widths.count ? text.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0) : text
            }.joined()
        }.joined(separator: "\n")
    }
}
