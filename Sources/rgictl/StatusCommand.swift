import ArgumentParser
import Daemon
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the running rgid daemon is doing.",
        discussion: "State, uptime, camera, each product's model, counts and latency, and the reports folder.")

    @OptionGroup var control: ControlOptions

    @Flag(help: "Print the status as JSON (the daemon's own answer).")
    var json = false

    func run() throws {
        let response = try control.send(ControlRequest(command: .status))
        guard let status = response.status else { throw ControlFailure(message: "the daemon sent no status") }
        if json {
            print(String(decoding: try ControlCoding.encode(status).dropLast(), as: UTF8.self))
        } else {
            print(StatusText.render(status))
        }
    }
}
