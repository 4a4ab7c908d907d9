@testable import Engine

extension Tensor {
    var doubles: [Double] { toArray().map(Double.init) }
}

func randomTensor(_ shape: Shape, _ rng: inout SeededGenerator, scale: Float = 1) -> Tensor {
    let t = Tensor(shape)
    rng.fillNormal(t.data, count: t.count, std: scale)
    return t
}

/// ‖a − b‖ / max(‖a‖, ‖b‖): the norm-wise relative error used by every comparison here.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) elements")
    var diff = 0.0, na = 0.0, nb = 0.0
    for i in a.indices { diff += (a[i] - b[i]) * (a[i] - b[i]); na += a[i] * a[i]; nb += b[i] * b[i] }
    return diff.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-30)
}

/// Central finite differences of the scalar `f` at every element of `x`, in Float64.
func numericalGradient(_ x: [Double], step: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var x = x
    var g = [Double](repeating: 0, count: x.count)
    for i in x.indices {
        let keep = x[i]
        x[i] = keep + step; let up = f(x)
        x[i] = keep - step; let down = f(x)
        x[i] = keep
        g[i] = (up - down) / (2 * step)
    }
    return g
}

/// The loss used by the gradient checks: L = Σ y·r for a fixed random r, so dL/dy = r.
func projection(_ y: [Double], _ r: [Double]) -> Double {
    zip(y, r).reduce(0) { $0 + $1.0 * $1.1 }
}
