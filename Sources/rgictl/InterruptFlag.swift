import Dispatch
import Foundation
import Synchronization

/// Turns the first Ctrl-C (SIGINT) into a flag the long-running command polls, so it can stop
/// cleanly; a second Ctrl-C ends the process at once.
final class InterruptFlag {
    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            if flag.raised.exchange(true, ordering: .relaxed) { exit(130) }
        }
        source.resume()
    }

    var isSet: Bool { flag.raised.load(ordering: .relaxed) }
}
