import ArgumentParser
import Daemon

/// Where `rgictl` finds the daemon: `--socket`, else the `control_socket` of `--config`, else
/// the packaged default.
struct ControlOptions: ParsableArguments {
    @Option(help: "The daemon's control socket (default: control_socket of --config, else /run/rgid/control.sock).")
    var socket: String?

    @Option(help: "Read the socket path from this rgid configuration file.")
    var config: String?

    func client() throws -> ControlClient {
        if let socket { return ControlClient(path: socket) }
        if let config { return ControlClient(path: try DaemonConfiguration.load(config).controlSocket) }
        return ControlClient(path: "/run/rgid/control.sock")
    }

    /// Sends the request; a refused request is an error exit with the daemon's reason.
    func send(_ request: ControlRequest) throws -> ControlResponse {
        let response = try client().send(request)
        guard response.ok else { throw ControlFailure(message: response.error ?? "request failed") }
        return response
    }
}

struct ControlFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
