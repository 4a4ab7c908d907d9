import Synchronization

/// Tells the watchdog whether inspection is alive: idle (waiting for a frame) or busy with a
/// frame since a known time. A frame busy for longer than the hang timeout means the solver is
/// stuck, and the watchdog pings stop so that systemd restarts the daemon.
public final class InspectionHeartbeat: Sendable {
    private let busySince = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    func begin() { busySince.withLock { $0 = .now } }

    func end() { busySince.withLock { $0 = nil } }

    /// How long the current frame has been in inspection; nil when idle.
    public var busyFor: Duration? {
        busySince.withLock { $0.map { ContinuousClock.now - $0 } }
    }
}
