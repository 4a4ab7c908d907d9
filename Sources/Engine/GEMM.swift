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
