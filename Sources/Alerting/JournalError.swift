/// `sd_journal_sendv` refused an entry. A journal that is not running at all is not an error
/// (libsystemd drops the entry silently), so this means a real fault: out of memory, a message
/// too large even for its memfd fallback.
public enum JournalError: Error, CustomStringConvertible, Equatable, Sendable {
    case sendFailed(messageID: String, reason: String)

    public var description: String {
        switch self {
        case .sendFailed(let messageID, let reason):
            return "cannot send journal entry MESSAGE_ID=\(messageID) to /run/systemd/journal/socket: \(reason)"
        }
    }
}
