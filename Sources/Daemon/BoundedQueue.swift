import Synchronization

/// A bounded single-consumer queue whose producer never waits: `offer` refuses an element when
/// the queue is full, so a slow consumer (a disk) can never hold up the producer (inspection).
public final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<Element?, Never>?
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity >= 1, "a queue needs room for one element")
        self.capacity = capacity
    }

    public var count: Int { state.withLock { $0.items.count } }

    /// Adds `element` unless the queue is full or finished; returns whether it was taken.
    public func offer(_ element: Element) -> Bool {
        let outcome: (taken: Bool, waiting: CheckedContinuation<Element?, Never>?) = state.withLock { state in
            guard !state.finished else { return (false, nil) }
            if let consumer = state.consumer {
                state.consumer = nil
                return (true, consumer)
            }
            guard state.items.count < capacity else { return (false, nil) }
            state.items.append(element)
            return (true, nil)
        }
        outcome.waiting?.resume(returning: element)
        return outcome.taken
    }

    /// No more elements: the consumer gets those queued, then nil.
    public func finish() {
        let waiting = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.items.isEmpty ? state.consumer : nil
        }
        waiting?.resume(returning: nil)
    }

    /// The next element, waiting for one; nil once finished and drained. Deliberately deaf to
    /// cancellation: the consumer drains what was accepted, so nothing accepted is lost.
    public func next() async -> Element? {
        await withCheckedContinuation { continuation in
            let ready: Element?? = state.withLock { state in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                if state.finished { return .some(nil) }
                state.consumer = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
