import Foundation

/// Takes journald's place at `/run/systemd/journal/socket` for the duration of a test, holding
/// the folder's flock as the Alerting tests do, so that suites binding it take turns.
final class JournalSocket {
    static let folder = "/run/systemd/journal"
    /// Released before the lock, so the next holder never loses its socket file to our unlink.
    private(set) var listener: DatagramListener!
    private let lock: Int32

    init() throws {
        mkdir("/run/systemd", 0o755)
        mkdir(Self.folder, 0o755)
        lock = open(Self.folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw TestFailure("open \(Self.folder): \(String(cString: strerror(errno)))") }
        flock(lock, LOCK_EX)
        guard !Self.isLive() else {
            close(lock)
            throw TestFailure("something (journald?) already listens at \(Self.folder)/socket")
        }
        do {
            listener = try DatagramListener(path: Self.folder + "/socket")
        } catch {
            close(lock)
            throw error
        }
    }

    deinit {
        listener = nil
        close(lock)
    }

    /// Nothing else answers at the journal path (a running journald would take the entries).
    static var available: Bool {
        mkdir("/run/systemd", 0o755)
        mkdir(folder, 0o755)
        return !isLive()
    }

    private static func isLive() -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(probe) }
        return DatagramListener.withAddress(folder + "/socket") { connect(probe, $0, $1) } == 0
    }
}
