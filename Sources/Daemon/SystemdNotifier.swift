internal import CSystemd
import Glibc

/// The service manager's side channel, through libsystemd's `sd_notify`: READY=1, STATUS=,
/// WATCHDOG=1, RELOADING=1, STOPPING=1. Without `NOTIFY_SOCKET` (not under systemd) every call
/// does nothing, as libsystemd does.
public struct SystemdNotifier: Sendable {
    /// The interval systemd expects watchdog pings in (`WatchdogSec=`, passed as `WATCHDOG_USEC`);
    /// nil when the watchdog is off.
    public let watchdogInterval: Duration?

    public init() {
        var microseconds: UInt64 = 0
        watchdogInterval = sd_watchdog_enabled(0, &microseconds) > 0 ? .microseconds(microseconds) : nil
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    public func status(_ text: String) { send("STATUS=\(text)") }

    public func watchdog() { send("WATCHDOG=1") }

    public func reloading(status: String) {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=\(status)")
    }

    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    private func send(_ state: String) {
        // One line per assignment; a newline inside a STATUS text would start a bogus one.
        _ = sd_notify(0, state)
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}
