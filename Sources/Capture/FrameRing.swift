import Synchronization

/// The bounded hand-over between one producer (a capture thread or task) and one consumer
/// (inspection).
///
/// A camera cannot be paused, so `push` never waits: when inspection falls behind, the oldest
/// frame is dropped and counted, and inspection always sees the newest frames. A replay
/// folder can wait, so `send` suspends until there is room instead.
public final class FrameRing: AsyncSequence, Sendable {
    public typealias Element = Frame

    private struct State {
        var slots: [Frame?]
        var head = 0
        var count = 0
        var dropped: UInt64 = 0
        var finished = false
        var consumer: CheckedContinuation<Frame?, Never>?
        var producer: CheckedContinuation<Void, Never>?

        /// A queued frame, or `nil` when the sequence has ended; `.empty` means wait.
        mutating func poll(cancelled: Bool) -> Poll {
            if let frame = take() { return .ready(frame) }
            return finished || cancelled ? .ready(nil) : .empty
        }

        mutating func take() -> Frame? {
            guard count > 0 else { return nil }
            let frame = slots[head]
            slots[head] = nil
            head = (head + 1) % slots.count
            count -= 1
            return frame
        }
    }

    private enum Poll {
        case ready(Frame?)
        case empty
    }

    private let state: Mutex<State>
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity >= 1, "a frame ring needs at least one slot")
        self.capacity = capacity
        state = Mutex(State(slots: Array(repeating: nil, count: capacity)))
    }

    /// Frames dropped because the consumer fell behind.
    public var droppedCount: UInt64 { state.withLock { $0.dropped } }

    /// Frames waiting for the consumer.
    public var count: Int { state.withLock { $0.count } }

    /// Adds a frame without waiting, dropping the oldest one when full.
    public func push(_ frame: Frame) {
        let waiting: CheckedContinuation<Frame?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            if state.count == state.slots.count {
                _ = state.take()
                state.dropped += 1
            }
            state.slots[(state.head + state.count) % state.slots.count] = frame
            state.count += 1
            return nil
        }
        waiting?.resume(returning: frame)
    }

    /// Adds a frame, first waiting for room; returns at once if the ring is finished or the
    /// task is cancelled (the frame is then discarded).
    public func send(_ frame: Frame) async {
        while true {
            let hasRoom = state.withLock { $0.finished || $0.consumer != nil || $0.count < $0.slots.count }
            if hasRoom || Task.isCancelled { break }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.finished || state.count < state.slots.count { return true }
                        state.producer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                state.withLock { state in
                    let producer = state.producer
                    state.producer = nil
                    return producer
                }?.resume()
            }
        }
        if !Task.isCancelled { push(frame) }
    }

    /// Ends the sequence: the consumer gets the frames still queued, then `nil`.
    public func finish() {
        let (consumer, producer) = state.withLock { state in
            state.finished = true
            let waiting = (state.count == 0 ? state.consumer : nil, state.producer)
            state.consumer = nil
            state.producer = nil
            return waiting
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }

    /// The next frame; `nil` once finished and drained, or when the task is cancelled.
    public func next() async -> Frame? {
        if case .ready(let frame) = poll(cancelled: false) { return frame }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Frame?, Never>) in
                let outcome = state.withLock { state -> Poll in
                    let outcome = state.poll(cancelled: Task.isCancelled)
                    if case .empty = outcome { state.consumer = continuation }
                    return outcome
                }
                if case .ready(let frame) = outcome {
                    wakeProducer()
                    continuation.resume(returning: frame)
                }
            }
        } onCancel: {
            state.withLock { state in
                let consumer = state.consumer
                state.consumer = nil
                return consumer
            }?.resume(returning: nil)
        }
    }

    private func poll(cancelled: Bool) -> Poll {
        let outcome = state.withLock { $0.poll(cancelled: cancelled) }
        if case .ready = outcome { wakeProducer() }
        return outcome
    }

    private func wakeProducer() {
        state.withLock { state in
            let producer = state.producer
            state.producer = nil
            return producer
        }?.resume()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let ring: FrameRing
        public mutating func next() async -> Frame? { await ring.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(ring: self) }
}
