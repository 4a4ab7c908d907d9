import Foundation
import Glibc

/// Who is at the other end of a Unix socket (SO_PEERCRED), and whether they may control the
/// daemon: root, the daemon's own user, and members of the daemon's group (primary or
/// supplementary, read from the peer process itself, so `usermod -aG` plus a new login counts).
struct PeerCredentials: Equatable {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t

    init?(socket: Int32) {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Glibc hides it behind _GNU_SOURCE).
        var credentials: (pid_t, uid_t, gid_t) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(pid_t, uid_t, gid_t)>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              length == MemoryLayout<(pid_t, uid_t, gid_t)>.size else { return nil }
        (pid, uid, gid) = credentials
    }

    func isAllowed(daemonUID: uid_t = geteuid(), daemonGID: gid_t = getegid()) -> Bool {
        uid == 0 || uid == daemonUID || gid == daemonGID || supplementaryGroups().contains(daemonGID)
    }

    /// The `Groups:` line of /proc/PID/status; empty if the peer is gone.
    func supplementaryGroups() -> [gid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") })
        else { return [] }
        return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { gid_t($0) }
    }
}
