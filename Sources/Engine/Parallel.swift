import Dispatch

/// Runs `body(i)` for `i` in `0..<count` on the engine's worker threads. The element-wise parts of
/// the engine (im2col, normalisation, activations) use it so that they do not leave one of the
/// cores idle between GEMMs. Work is split into at most `Parallel.workers` contiguous chunks.
@inline(__always)
func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    let workers = min(Parallel.workers, count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let task = DisjointWork(body: body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = count * w / workers, hi = count * (w + 1) / workers
            for i in lo..<hi { task.body(i) }
        }
    }
}

/// Carries a loop body into the worker threads. Unchecked because the bodies capture raw buffer
/// pointers: every caller of `parallelFor` writes only memory that belongs to its own index, and
/// `concurrentPerform` returns only after all workers finish, so no write races and none outlives
/// the call.
private struct DisjointWork: @unchecked Sendable {
    let body: (Int) -> Void
}

public enum Parallel {
    /// Threads used for element-wise work; set once at start-up (from the CPU count by default).
    nonisolated(unsafe) public static var workers: Int = max(1, min(System.cpuCount, 8))
}

enum System {
    static var cpuCount: Int {
        #if os(Linux)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
