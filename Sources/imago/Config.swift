import ArgumentParser
import Foundation
import ImagoConfig

/// `imago config`: check a configuration file, or print a commented example of one.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a configuration file (imago.toml) or print a commented example.",
        subcommands: [CheckFile.self, Example.self])

    /// `imago config check [PATH]`: reads the file as `imago --config PATH` would and says what is wrong.
    struct CheckFile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a configuration file; exits 1 with the line and key of the first problem.")

        @Argument(help: ArgumentHelp("The file (default: $XDG_CONFIG_HOME/imago/imago.toml).", valueName: "path"))
        var path: String?

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            guard let path = path ?? ImagoSettings.defaultPath(environment: environment) else {
                throw ValidationError("no path given and neither $XDG_CONFIG_HOME nor $HOME is set")
            }
            do {
                let settings = try ImagoSettings(contentsOfFile: path)
                print("\(path): valid (\(settings.streams.count) stream keys, \(settings.sources.count) pulled sources)")
            } catch {
                FileHandle.standardError.write(Data("\(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `imago config example`: every setting with its documentation and default, ready to edit.
    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a commented example configuration with every setting at its default.")

        func run() {
            print(ImagoSettings.exampleText, terminator: "")
        }
    }
}
