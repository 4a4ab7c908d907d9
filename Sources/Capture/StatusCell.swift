import Synchronization

/// The status a capture thread updates and any task may read.
final class StatusCell: Sendable {
    private let value = Mutex(SourceStatus())

    var snapshot: SourceStatus { value.withLock { $0 } }

    func update(_ change: (inout SourceStatus) -> Void) {
        value.withLock { change(&$0) }
    }
}
