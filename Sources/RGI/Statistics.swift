/// The q-quantile of sorted values by linear interpolation between neighbours (numpy's default),
/// computed in Double so that calibration and the evaluation metrics agree with numpy.
public func linearQuantile(sorted: [Float], _ q: Double) -> Float {
    precondition(!sorted.isEmpty, "quantile of no values")
    let pos = q * Double(sorted.count - 1), lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return Float(Double(sorted[lo]) + (Double(sorted[hi]) - Double(sorted[lo])) * (pos - Double(lo)))
}

/// The value that sorting would put at `rank`, in expected linear time (Hoare's selection as
/// Wirth writes it); reorders `values`. Sorting instead cost the texture critic's centring tens of
/// milliseconds a frame.
func orderStatistic(_ values: inout [Float], rank k: Int) -> Float {
    precondition(values.indices.contains(k), "rank \(k) outside \(values.count) values")
    var lo = 0, hi = values.count - 1
    while lo < hi {
        let pivot = values[k]
        var i = lo, j = hi
        repeat {
            while values[i] < pivot { i += 1 }
            while pivot < values[j] { j -= 1 }
            if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
        } while i <= j
        if j < k { lo = i }
        if k < i { hi = j }
    }
    return values[k]
}

/// The median of `values` (the upper one of an even count).
func median(_ values: [Float]) -> Float {
    var values = values
    return orderStatistic(&values, rank: values.count / 2)
}

/// Mean and standard deviation of `values[offset + i]` over the pixels i of a region.
func moments(_ values: [Float], from offset: Int, at inside: [Int]) -> (mean: Float, std: Float) {
    let count = Float(max(inside.count, 1))
    let mean = inside.reduce(0) { $0 + values[offset + $1] } / count
    let variance = inside.reduce(0) { $0 + (values[offset + $1] - mean) * (values[offset + $1] - mean) } / count
    return (mean, variance.squareRoot())
}
