/// Exponential delays between reconnect attempts, so an unplugged camera is retried quickly
/// at first and then without flooding the log or the USB bus.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var next: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        next = initial
    }

    /// The delay to wait now; the one after doubles, up to `maximum`.
    mutating func advance() -> Duration {
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }

    mutating func reset() { next = initial }
}
