/// Losses return their value and write the gradient with respect to the prediction into `grad`
/// (which may be any tensor of the prediction's shape; it is overwritten).

/// Mean squared error: mean((p − t)²), gradient 2(p − t)/N.
@discardableResult
public func mseLoss(prediction p: Tensor, target t: Tensor, grad: Tensor?) -> Float {
    precondition(p.shape == t.shape, "MSE: prediction \(p.shape) vs target \(t.shape)")
    let n = p.count, pp = p.data, tp = t.data
    var sum: Double = 0
    if let grad {
        grad.reshape(p.shape)
        let g = grad.data, k = 2 / Float(n)
        for i in 0..<n { let d = pp[i] - tp[i]; sum += Double(d * d); g[i] = k * d }
    } else {
        for i in 0..<n { let d = pp[i] - tp[i]; sum += Double(d * d) }
    }
    return Float(sum / Double(n))
}

/// Mean absolute error: mean|p − t|, gradient sign(p − t)/N (0 where equal).
@discardableResult
public func l1Loss(prediction p: Tensor, target t: Tensor, grad: Tensor?) -> Float {
    precondition(p.shape == t.shape, "L1: prediction \(p.shape) vs target \(t.shape)")
    let n = p.count, pp = p.data, tp = t.data
    var sum: Double = 0
    if let grad {
        grad.reshape(p.shape)
        let g = grad.data, k = 1 / Float(n)
        for i in 0..<n {
            let d = pp[i] - tp[i]
            sum += Double(abs(d))
            g[i] = d > 0 ? k : (d < 0 ? -k : 0)
        }
    } else {
        for i in 0..<n { sum += Double(abs(pp[i] - tp[i])) }
    }
    return Float(sum / Double(n))
}
