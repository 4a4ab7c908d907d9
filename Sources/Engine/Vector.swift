#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Explicitly vectorised loops over Float runs, for the passes whose reductions the compiler may
/// not vectorise itself (it keeps the order of floating-point additions): sixteen lanes, two
/// accumulators, a scalar tail. No `addProduct`: without FMA in the target (baseline x86-64) it
/// becomes a call to `fmaf` per lane.

typealias Lanes = SIMD16<Float>

@inline(__always) func loadLanes(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

@inline(__always) func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
}

/// Σ p[i].
@inline(__always) func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = Lanes(), b = Lanes(), i = 0
    while i &+ 32 <= n { a += loadLanes(p + i); b += loadLanes(p + (i &+ 16)); i &+= 32 }
    if i &+ 16 <= n { a += loadLanes(p + i); i &+= 16 }
    var s = (a + b).sum()
    while i < n { s += p[i]; i &+= 1 }
    return s
}

/// Σ (p[i] − mean)².
@inline(__always) func vectorSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var a = Lanes(), b = Lanes(), i = 0
    let m = Lanes(repeating: mean)
    while i &+ 32 <= n {
        let d = loadLanes(p + i) - m, e = loadLanes(p + (i &+ 16)) - m
        a += d * d; b += e * e; i &+= 32
    }
    if i &+ 16 <= n { let d = loadLanes(p + i) - m; a += d * d; i &+= 16 }
    var s = (a + b).sum()
    while i < n { let d = p[i] - mean; s += d * d; i &+= 1 }
    return s
}

/// (Σ y[i], Σ y[i]·(x[i] − mean)).
@inline(__always) func vectorSumAndCentredDot(_ y: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                                              mean: Float) -> (Float, Float) {
    var s = Lanes(), d = Lanes(), i = 0
    let m = Lanes(repeating: mean)
    while i &+ 16 <= n {
        let v = loadLanes(y + i)
        s += v; d += v * (loadLanes(x + i) - m); i &+= 16
    }
    var ss = s.sum(), dd = d.sum()
    while i < n { ss += y[i]; dd += y[i] * (x[i] - mean); i &+= 1 }
    return (ss, dd)
}

/// (Σ dz[i], Σ dz[i]·(x[i] − mean)) for dz[i] = dy[i] where y[i] > 0, slope·dy[i] elsewhere: the
/// same sums through a leaky ReLU's derivative (y its output).
@inline(__always) func vectorSumAndCentredDot(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, slope: Float,
                                              _ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> (Float, Float) {
    var i = 0
    var ss: Float = 0, dd: Float = 0
    #if arch(x86_64)
    let zero = _mm_setzero_ps(), k = _mm_set1_ps(slope), m = _mm_set1_ps(mean)
    var s0 = zero, s1 = zero, d0 = zero, d1 = zero
    @inline(__always) func dz(_ i: Int) -> __m128 {
        let g = _mm_loadu_ps(dy + i), positive = _mm_cmpgt_ps(_mm_loadu_ps(y + i), zero)
        return _mm_or_ps(_mm_and_ps(positive, g), _mm_andnot_ps(positive, _mm_mul_ps(k, g)))
    }
    while i &+ 8 <= n {
        let a = dz(i), b = dz(i &+ 4)
        s0 = _mm_add_ps(s0, a); d0 = _mm_add_ps(d0, _mm_mul_ps(a, _mm_sub_ps(_mm_loadu_ps(x + i), m)))
        s1 = _mm_add_ps(s1, b); d1 = _mm_add_ps(d1, _mm_mul_ps(b, _mm_sub_ps(_mm_loadu_ps(x + (i &+ 4)), m)))
        i &+= 8
    }
    let s = _mm_add_ps(s0, s1), d = _mm_add_ps(d0, d1)
    ss = (s[0] + s[1]) + (s[2] + s[3])
    dd = (d[0] + d[1]) + (d[2] + d[3])
    #endif
    while i < n {
        let g = y[i] > 0 ? dy[i] : slope * dy[i]
        ss += g; dd += g * (x[i] - mean); i &+= 1
    }
    return (ss, dd)
}

/// out[i] = a·x[i] + b.
@inline(__always) func vectorAffine(_ x: UnsafePointer<Float>, _ n: Int, scale a: Float, shift b: Float,
                                    _ out: UnsafeMutablePointer<Float>) {
    let va = Lanes(repeating: a), vb = Lanes(repeating: b)
    var i = 0
    while i &+ 16 <= n { storeLanes(loadLanes(x + i) * va + vb, out + i); i &+= 16 }
    while i < n { out[i] = x[i] * a + b; i &+= 1 }
}

/// out[i] = a·y[i] + b·x[i] + c.
@inline(__always) func vectorAffine2(_ y: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                                     _ a: Float, _ b: Float, _ c: Float, _ out: UnsafeMutablePointer<Float>) {
    let va = Lanes(repeating: a), vb = Lanes(repeating: b), vc = Lanes(repeating: c)
    var i = 0
    while i &+ 16 <= n { storeLanes(loadLanes(y + i) * va + loadLanes(x + i) * vb + vc, out + i); i &+= 16 }
    while i < n { out[i] = y[i] * a + x[i] * b + c; i &+= 1 }
}

/// tanh by the rational minimax approximation Eigen uses for Float: x·P(x²)/Q(x²) on
/// |x| ≤ 7.9053, ±1 beyond, x itself for |x| < 4·10⁻⁴. Within 4·10⁻⁷ of the exact value everywhere
/// (libm's `tanhf`: 2·10⁻⁷). Written per element, branch-free, so that a loop over it vectorises
/// (the SIMD types' `pointwiseMin` and `replacing` do not: they go lane by lane); ten times faster than `tanhf`.
@inline(__always) func fastTanh(_ x: Float) -> Float {
    let xc = Swift.min(Swift.max(x, -7.90531110763549805), 7.90531110763549805)
    let x2 = xc * xc
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 + -8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    let r = p * xc / q
    return x.magnitude < 0.0004 ? x : r
}
