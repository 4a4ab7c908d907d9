/// The q-quantile of sorted values by linear interpolation between neighbours (numpy's default),
/// computed in Double so that calibration and the evaluation metrics agree with numpy.
public func linearQuantile(sorted: [Float], _ q: Double) -> Float {
    precondition(!sorted.isEmpty, "quantile of no values")
    let pos = q * Double(sorted.count - 1), lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return Float(Double(sorted[lo]) + (Double(sorted[hi]) - Double(sorted[lo])) * (pos - Double(lo)))
}
