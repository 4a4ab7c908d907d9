import Dispatch
import Glibc

/// Process signals as an async sequence: the signals are ignored for the default handler and
/// delivered by Dispatch, so a SIGTERM becomes an event the daemon drains on, not an exit.
public struct SignalStream: AsyncSequence, Sendable {
    public typealias Element = Int32
    private let stream: AsyncStream<Int32>

    public init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        let sources = signals.map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        let holder = SourceHolder(sources)
        continuation.onTermination = { _ in holder.cancel() }
    }

    public func makeAsyncIterator() -> AsyncStream<Int32>.AsyncIterator { stream.makeAsyncIterator() }

    /// Keeps the sources alive as long as the stream; cancels them when it ends.
    private final class SourceHolder: @unchecked Sendable {
        // Dispatch sources are thread-safe; `cancel` is the only call made on them here.
        private let sources: [DispatchSourceSignal]
        init(_ sources: [DispatchSourceSignal]) { self.sources = sources }
        func cancel() { for source in sources { source.cancel() } }
    }
}
