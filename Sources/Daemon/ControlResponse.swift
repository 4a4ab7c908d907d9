/// The answer to one request, one JSON object per line: `ok`, and either `error` or the
/// `status` after the request (every command answers with the status it left behind).
public struct ControlResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    /// A human-readable outcome, e.g. "product grass active, model grass-2026…".
    public var message: String?
    public var status: DaemonStatus?

    public static func failure(_ error: String) -> ControlResponse {
        ControlResponse(ok: false, error: error, message: nil, status: nil)
    }

    public static func success(_ message: String?, status: DaemonStatus) -> ControlResponse {
        ControlResponse(ok: true, error: nil, message: message, status: status)
    }
}
