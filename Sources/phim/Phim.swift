import ArgumentParser
import Foundation
import PhimCore
import PhimProvenance

/// The `phim` command: thin subcommands over the libraries.
///
/// Exit status: 0 success, 1 failure while working, 2 bad usage or invalid input. Errors are one line on stderr.
@main
struct Phim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phim",
        abstract: "Phim, a local-first AI video studio.",
        version: PhimVersion.current,
        subcommands: [
            ProbeCommand.self,
            RenderCommand.self,
            MakeCommand.self,
            VoicesCommand.self,
            ModelCommand.self,
            VerifyCommand.self,
            LabelCommand.self,
            SwapCommand.self,
            IdentityCommand.self,
            DatasetCommand.self,
            TrainCommand.self,
            SampleCommand.self,
            AnimateCommand.self,
            EvalCommand.self,
            FacesCommand.self,
            ConsentCommand.self,
            DetectCommand.self,
        ]
    )

    /// Parses the arguments, runs the command and exits with Phim's status codes rather than
    /// ArgumentParser's (which uses 64 for usage errors).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitForParseError(error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            exitForRunError(error)
        }
        finish(0)
    }

    /// Exits with `status` after removing what is still registered as temporary: a speech engine's process and folder
    /// still starting in the background (Festival is warmed up on threads of their own), anything a failure left.
    private static func finish(_ status: Int32) -> Never {
        TemporaryFiles.shared.removeAll()
        Foundation.exit(status)
    }

    private static func exitForParseError(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version: ArgumentParser's text on stdout.
            print(fullMessage(for: error))
            finish(0)
        }
        Console.shared.error(message(for: error))
        finish(2)
    }

    private static func exitForRunError(_ error: any Error) -> Never {
        if let phimError = error as? PhimError {
            Console.shared.error(phimError.description)
            finish(phimError.isInvalidInput ? 2 : 1)
        }
        if let exit = error as? ExitCode { finish(exit.rawValue) }
        // ArgumentParser's own errors thrown while running (`--help`, `--version`, usage mistakes) keep its exit codes:
        // success, or a validation failure that Phim reports as bad usage.
        let code = exitCode(for: error)
        if code == .success || code == .validationFailure { exitForParseError(error) }
        Console.shared.error("\(error)")
        finish(1)
    }
}
