import ArgumentParser
import Foundation
import PhimCore
import PhimMake
@_spi(Benchmarks) import PhimMedia
import PhimProvenance
import PhimScript

/// The options of every command that writes a video: where, how fast, and the hidden benchmark hook.
struct VideoOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The MP4 to write.") var output: String?
    @Flag(help: "Quarter-size preview: half the width and height, fastest encoder preset.") var preview = false
    @Option(help: .hidden) var rawVideoCopy: String?
    /// Benchmarks only: no C2PA manifest, to measure what signing costs (with a warning on stderr).
    @Flag(help: .hidden) var benchmarkUnsigned = false

    /// The output as a file URL, when given.
    var outputURL: URL? { output.map { URL(fileURLWithPath: $0) } }

    /// The frame stages the options ask for (the benchmarks' raw-frame copy and unsigned output).
    var stages: [any FrameStage] {
        var stages: [any FrameStage] = rawVideoCopy.map { [RawVideoCopy(to: URL(fileURLWithPath: $0))] } ?? []
        if benchmarkUnsigned {
            FileHandle.standardError.write(Data("warning: --benchmark-unsigned: this video has no C2PA manifest (for benchmarks only)\n".utf8))
            stages.append(WithoutProvenanceForBenchmarks())
        }
        return stages
    }
}

/// The `--trust` PEM files' texts, each checked to hold certificates that parse.
func trustedPEMs(_ paths: [String]) throws -> [String] {
    try paths.map { path in
        let data = try InputFile.read(URL(fileURLWithPath: path), subject: .option("trust"), written: path, maxBytes: 1 << 20)
        let pem = String(decoding: data, as: UTF8.self)
        guard (try? C2PAVerifier.certificates(pem: pem)) != nil else {
            throw PhimError(.invalidInput, "\(path.quoted()) holds no PEM certificates that parse", subject: .option("trust"))
        }
        return pem
    }
}

extension Aspect: ExpressibleByArgument {}
extension ScriptStyle: ExpressibleByArgument {}

/// `--lang`: a language, or `auto` to detect it from the text.
enum LanguageChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, vi, en

    /// The language asked for; `nil` to detect it.
    var language: ScriptLanguage? { ScriptLanguage(rawValue: rawValue) }
}
