/// One request on the control socket, one JSON object per line:
/// `{"command":"status"}`, `{"command":"reload"}`, `{"command":"use","product":"brick"}`.
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        case status, reload, use
    }

    public var command: Command
    public var product: String?

    public init(command: Command, product: String? = nil) {
        self.command = command; self.product = product
    }
}
