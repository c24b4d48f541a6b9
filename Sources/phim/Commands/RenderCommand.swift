import ArgumentParser

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Render a project file to an MP4.")
    @Argument(help: "The project file (JSON or YAML).") var project: String
    @Option(name: .shortAndLong, help: "The MP4 to write.") var output: String
    func run() async throws {}
}
