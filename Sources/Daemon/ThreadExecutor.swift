import Dispatch
import Foundation
import Synchronization

/// A serial executor that runs its jobs on one dedicated thread. Inspection and report writing
/// block a core for a long time (solver, PNG encoding, fsync); on their own threads they cannot
/// starve the cooperative pool, which on two cores has only two threads for the control
/// socket, signals and the watchdog.
public final class ThreadExecutor: SerialExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let wake = DispatchSemaphore(value: 0)

    /// The thread lives as long as the process: executors are made once per stage.
    public init(name: String) {
        let thread = Thread { [self] in
            while true {
                wake.wait()
                guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                job.runSynchronously(on: asUnownedSerialExecutor())
            }
        }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.append(unowned) }
        wake.signal()
    }
}
