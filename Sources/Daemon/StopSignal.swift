import Synchronization

/// A one-way latch that tasks wait on: set once (SIGTERM, the end of a replay), and every
/// waiter, present or future, resumes.
public final class StopSignal: Sendable {
    private struct State {
        var reason: String?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var reason: String? { state.withLock { $0.reason } }

    /// The first reason wins.
    public func set(_ reason: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.reason != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
