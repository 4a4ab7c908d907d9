import ArgumentParser
import Daemon

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make rgid re-read its products and reload their models (like SIGHUP).",
        discussion: "Exits 1 when the daemon refused, e.g. because the configuration no longer validates.")

    @OptionGroup var control: ControlOptions

    func run() throws {
        let response = try control.send(ControlRequest(command: .reload))
        print(response.message ?? "reloaded")
    }
}
