import ArgumentParser
import Daemon

struct ProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product",
        abstract: "Switch the product the line inspects.",
        subcommands: [Use.self])

    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "use",
            abstract: "Inspect frames as product NAME from now on (until rgid restarts).")

        @OptionGroup var control: ControlOptions

        @Argument(help: "A product of the daemon's configuration.")
        var name: String

        func run() throws {
            let response = try control.send(ControlRequest(command: .use, product: name))
            print(response.message ?? "product \(name) active")
        }
    }
}
