import CBLAS

/// Row-major single-precision GEMM through OpenBLAS: C = alpha·op(A)·op(B) + beta·C,
/// op(A) is M×K, op(B) is K×N, C is M×N. With `BLAS.threading == .workerPool` and more than one
/// GEMM thread, a large product is split into as many row or column blocks of C as there are
/// threads, each computed by a single-threaded OpenBLAS call on one engine worker.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let parts = BLAS.poolParts
    if parts > 1 && 2 * m * n * k >= BLAS.poolMinimumFLOPs {
        sgemm(parts: parts, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    } else {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// The GEMM as `parts` blocks of C run in parallel on the worker pool, each by one OpenBLAS call.
func sgemm(
    parts: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let job = GemmJob(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parts: parts)
    parallelFor(parts, job) { raw, i in raw.load(as: GemmJob.self).run(part: i) }
}

/// One GEMM split into `parts` blocks of C: column blocks when C is at least as wide as it is
/// tall (each part reads all of A and its columns of B), else row blocks.
private struct GemmJob {
    let transA, transB: Bool
    let m, n, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>
    let lda: Int
    let b: UnsafePointer<Float>
    let ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let parts: Int

    func run(part i: Int) {
        var a = a, b = b, c = c, m = m, n = n
        if n >= m {
            let n0 = self.n * i / parts, n1 = self.n * (i + 1) / parts
            b += transB ? n0 * ldb : n0
            c += n0
            n = n1 - n0
        } else {
            let m0 = self.m * i / parts, m1 = self.m * (i + 1) / parts
            a += transA ? m0 : m0 * lda
            c += m0 * ldc
            m = m1 - m0
        }
        guard m > 0 && n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// How the engine's GEMMs use several cores.
public enum BLAS {
    public enum Threading: Sendable {
        /// OpenBLAS's own threads (`openblas_set_num_threads`). After a call its worker threads keep
        /// polling for work (with `sched_yield`) for a while, so they can compete for the cores with
        /// the engine's worker pool, which runs the element-wise passes between GEMMs; and OpenBLAS
        /// 0.3.21 mallocs a job array per call.
        case openBLAS
        /// OpenBLAS on one thread; the engine splits each large GEMM over its own worker pool
        /// (the same threads as the element-wise passes), at 1–4 % more CPU for the duplicated
        /// packing of the shared operand (measured on the benchmark generator's shapes).
        case workerPool
    }

    /// `.openBLAS` by default (`rgictl` and `rgid` switch to `.workerPool` at start: faster and steadier
    /// on two cores, docs/RESULTS.md). Switching to `.workerPool` sets OpenBLAS to one thread and gives its
    /// thread count to the engine (at most `Parallel.workers`); switching back restores it. Code
    /// that calls OpenBLAS directly gets one thread while the engine splits the work itself.
    nonisolated(unsafe) public static var threading: Threading = .openBLAS {
        didSet {
            guard threading != oldValue else { return }
            if threading == .workerPool {
                poolThreads = Int(openblas_get_num_threads())
                openblas_set_num_threads(1)
            } else {
                openblas_set_num_threads(Int32(poolThreads))
            }
        }
    }
    nonisolated(unsafe) private static var poolThreads = 1

    /// Threads per GEMM (in either mode).
    public static var threads: Int {
        threading == .openBLAS ? Int(openblas_get_num_threads()) : min(poolThreads, Parallel.workers)
    }

    public static func setThreads(_ n: Int) {
        if threading == .openBLAS { openblas_set_num_threads(Int32(n)) } else { poolThreads = max(1, n) }
    }

    /// Blocks a GEMM is split into by the engine (1: OpenBLAS does the threading, or one thread).
    static var poolParts: Int { threading == .workerPool ? min(poolThreads, Parallel.workers) : 1 }
    /// Smaller products are not split: the hand-over would cost more than it saves.
    static let poolMinimumFLOPs = 1 << 22

    public static var configuration: String { String(cString: openblas_get_config()) }
}

/// A weight gradient, `grad[p, q] += P·Qᵀ` for row-major P `[p, k]` and Q `[q, k]` (the long
/// dimension k contiguous in both). With q > p and k long, OpenBLAS's sgemm (0.3.21, Cooperlake
/// kernels) is faster computing the transpose Q·Pᵀ `[q, p]`, so that one is computed into `scratch`
/// and added in transposed, an O(p·q) pass after an O(p·q·k) product. Measured at 1 thread on the
/// benchmark generator's transposed convolutions at batch 32 (whole backward pass): 64→32 (k =
/// 32768) 68 → 63 ms, 128→64 (k = 8192) 56 → 55 ms, but 256→128 (k = 2048) 50 → 53 ms, where the
/// add is relatively four times dearer; hence k ≥ 8192. `scratch` must hold p·q floats when
/// `WeightGradient.transposes` says so.
enum WeightGradient {
    static func transposes(p: Int, q: Int, k: Int) -> Bool { q > p && k >= 8192 }

    /// One chunk of the k dimension (`first` and `last` say which; one call with both true for all
    /// of it). `transposes` is asked for the chunk's k: a layer decides once, for the whole batch,
    /// whether to pass `scratch`, and passes nil when it does not want it.
    static func accumulate(p: Int, q: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           into grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?,
                           first: Bool = true, last: Bool = true) {
        guard let scratch else {
            sgemm(transA: false, transB: true, m: p, n: q, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: grad, ldc: q)
            return
        }
        sgemm(transA: false, transB: true, m: q, n: p, k: k, a: b, lda: ldb, b: a, ldb: lda,
              beta: first ? 0 : 1, c: scratch, ldc: p)
        if last { addTransposed(scratch, rows: q, columns: p, into: grad) }
    }
}

private struct TransposeJob {
    let src: UnsafePointer<Float>
    let dst: UnsafeMutablePointer<Float>
    let rows, columns: Int
}

/// `dst[j, i] += src[i, j]` for src `[rows, columns]`: 16 destination rows at a time, so each source
/// row is read one cache line at a time and each destination row written in order.
func addTransposed(_ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>) {
    parallelFor((columns + 15) / 16, TransposeJob(src: src, dst: dst, rows: rows, columns: columns)) { raw, block in
        let j = raw.load(as: TransposeJob.self)
        let c0 = block * 16, c1 = min(j.columns, c0 + 16)
        for r in 0..<j.rows {
            let line = j.src + r * j.columns
            for c in c0..<c1 { j.dst[c * j.rows + r] += line[c] }
        }
    }
}
