import CBLAS

/// Row-major single-precision GEMM through OpenBLAS: C = alpha·op(A)·op(B) + beta·C,
/// op(A) is M×K, op(B) is K×N, C is M×N.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// OpenBLAS's thread pool: the engine uses it for every GEMM.
public enum BLAS {
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
    }
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var configuration: String { String(cString: openblas_get_config()) }
}

/// A weight gradient, `grad[p, q] += P·Qᵀ` for row-major P `[p, k]` and Q `[q, k]` (the long
/// dimension k contiguous in both). With q > p and k long, OpenBLAS's sgemm (0.3.21, measured on
/// its Cooperlake kernels at 1 thread) is 10–20 % faster computing the transpose Q·Pᵀ `[q, p]` than
/// P·Qᵀ, so that one is computed into `scratch` and added in transposed: an O(p·q) pass after an
/// O(p·q·k) product. `scratch` must hold p·q floats when `WeightGradient.transposes` says so.
enum WeightGradient {
    static func transposes(p: Int, q: Int, k: Int) -> Bool { q > p && k >= 2048 }

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
