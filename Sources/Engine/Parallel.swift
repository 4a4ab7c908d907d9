#if canImport(Glibc)
import Glibc
#endif

/// The body of a parallel loop: `body(job, i)` for index `i`, where `job` points at the
/// caller's job struct (the loop's arguments). A C-convention function that captures nothing,
/// because handing a Swift closure to another thread allocates its context on every call, and
/// the training and solver steps must not allocate.
typealias ParallelBody = @convention(c) (UnsafeRawPointer, Int) -> Void
/// The body of a chunked element-wise loop: `body(job, start, end)`.
typealias ChunkBody = @convention(c) (UnsafeRawPointer, Int, Int) -> Void

/// Runs `body(&job, i)` for `i` in `0..<count`, split into `Parallel.workers` contiguous chunks
/// run at once on the engine's worker threads (the caller runs the first chunk). The element-wise
/// parts of the engine (im2col, normalisation, activations, optimiser updates) use it so that
/// they do not leave a core idle between GEMMs.
@inline(__always)
func parallelFor<Job>(_ count: Int, _ job: Job, _ body: ParallelBody) {
    withUnsafePointer(to: job) { p in
        let pool = WorkerPool.shared
        if pool.threads == 0 || count <= 1 {
            for i in 0..<count { body(UnsafeRawPointer(p), i) }
        } else {
            pool.run(count: count, job: UnsafeRawPointer(p), body: body)
        }
    }
}

/// Runs `body(&job, start, end)` over `0..<count` in chunks big enough to be worth a thread.
@inline(__always)
func parallelChunks<Job>(_ count: Int, _ job: Job, _ body: ChunkBody) {
    withUnsafePointer(to: job) { p in
        let chunked = ChunkedJob(inner: UnsafeRawPointer(p), count: count, body: body)
        let chunks = (count + ChunkedJob.size - 1) / ChunkedJob.size
        parallelFor(chunks, chunked) { raw, i in
            let c = raw.load(as: ChunkedJob.self)
            c.body(c.inner, i * ChunkedJob.size, min(c.count, (i + 1) * ChunkedJob.size))
        }
    }
}

private struct ChunkedJob {
    static let size = 1 << 15
    let inner: UnsafeRawPointer
    let count: Int
    let body: ChunkBody
}

public enum Parallel {
    /// Threads used for element-wise work (the caller included), from the CPU count, at most 8.
    public static var workers: Int { WorkerPool.shared.threads + 1 }
}

/// A fixed set of threads that run the chunks of one `parallelFor` at a time.
///
/// Unchecked Sendable: all mutable state is guarded by `mutex`; `job` points at the caller's job
/// struct on the caller's stack, valid only until `run` returns, which is after every worker has
/// finished with it. Loops do not nest (`run` is never called from inside a body).
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: max(0, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 8) - 1))

    let threads: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let caller = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var job: UnsafeRawPointer?
    private var body: ParallelBody?
    private var count = 0
    private var generation = 0
    private var pending = 0

    private init(threads: Int) {
        self.threads = threads
        pthread_mutex_init(mutex, nil)
        pthread_mutex_init(caller, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(done, nil)
        for index in 0..<threads {
            let context = Unmanaged.passRetained(WorkerStart(pool: self, index: index + 1)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.pool.work(index: start.index)
                return nil
            }, context)
            precondition(status == 0, "cannot start engine worker thread: \(status)")
            pthread_detach(thread)
        }
    }

    private final class WorkerStart {
        let pool: WorkerPool
        let index: Int
        init(pool: WorkerPool, index: Int) { self.pool = pool; self.index = index }
    }

    @inline(__always)
    private func chunk(_ index: Int) -> Range<Int> {
        let parts = threads + 1
        return count * index / parts..<count * (index + 1) / parts
    }

    func run(count: Int, job: UnsafeRawPointer, body: ParallelBody) {
        pthread_mutex_lock(caller)  // one loop at a time, whichever thread asks
        pthread_mutex_lock(mutex)
        self.job = job
        self.body = body
        self.count = count
        pending = threads
        generation &+= 1
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)

        for i in chunk(0) { body(job, i) }

        pthread_mutex_lock(mutex)
        while pending > 0 { pthread_cond_wait(done, mutex) }
        self.job = nil
        self.body = nil
        pthread_mutex_unlock(mutex)
        pthread_mutex_unlock(caller)
    }

    private func work(index: Int) {
        var seen = 0
        pthread_mutex_lock(mutex)
        while true {
            while generation == seen { pthread_cond_wait(wake, mutex) }
            seen = generation
            let (job, body, range) = (job!, body!, chunk(index))
            pthread_mutex_unlock(mutex)
            for i in range { body(job, i) }
            pthread_mutex_lock(mutex)
            pending -= 1
            if pending == 0 { pthread_cond_signal(done) }
        }
    }
}
