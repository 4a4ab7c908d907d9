import Glibc
import Synchronization

/// Set by task cancellation, polled by a capture thread between bounded waits.
final class StopFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }

    /// Sleeps for `duration`, waking early (in steps of at most 20 ms) once the flag is set.
    func sleep(_ duration: Duration) {
        let deadline = MonotonicClock.now() + MonotonicClock.nanoseconds(duration)
        while !isSet {
            let now = MonotonicClock.now()
            guard now < deadline else { return }
            let nap = min(deadline - now, 20_000_000)
            var request = timespec(tv_sec: 0, tv_nsec: Int(nap))
            nanosleep(&request, nil)
        }
    }
}
