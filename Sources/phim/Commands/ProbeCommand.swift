import ArgumentParser

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Describe a media file.")
    @Argument(help: "The media file.") var file: String
    @Flag(help: "Print one JSON document.") var json = false
    func run() async throws {}
}
