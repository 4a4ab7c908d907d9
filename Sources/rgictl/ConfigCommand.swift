import ArgumentParser
import Daemon

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with rgid configuration files.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate an rgid configuration file (exit 1 and file:line: field: reason if not).",
            discussion: "Checks syntax, types, ranges and unknown keys; model bundles are checked when rgid loads them.")

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            let configuration = try DaemonConfiguration.load(file)
            let products = configuration.products.map(\.name).joined(separator: ", ")
            print("\(file): OK (active product \(configuration.product); products: \(products))")
        }
    }
}
