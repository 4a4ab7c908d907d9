/// Batch normalisation over the channels of an NCHW tensor (`[B, F, 1, 1]` after a linear layer
/// works too). Training mode normalises with the batch's statistics and updates the running
/// estimates (momentum 0.1, unbiased variance, as PyTorch); evaluation mode uses the running
/// estimates, which makes it a per-channel affine map that can be folded into the convolution
/// before it (`Sequential.foldingBatchNorm()`).
///
/// Training backward: dx = γ·σ⁻¹/N · (N·dy − Σdy − x̂·Σ(dy·x̂)),  dγ += Σ dy·x̂,  dβ += Σ dy.
/// Evaluation backward: dx = γ·σ⁻¹·dy.
public final class BatchNorm: Layer {
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Tensor
    public let runningVar: Tensor
    /// PyTorch saves this counter with every batch-norm layer; kept so bundles load there unchanged.
    public let batchesTracked: Tensor

    private var input: Tensor?
    private var trainingPass = false
    private var output, gradInput, normalized: Tensor?
    private var invStd: [Float]

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels; self.epsilon = epsilon; self.momentum = momentum
        gamma = Parameter(Shape(channels, 1)); gamma.value.fill(1)
        beta = Parameter(Shape(channels, 1))
        runningMean = Tensor(Shape(channels, 1))
        runningVar = Tensor(Shape(channels, 1)); runningVar.fill(1)
        batchesTracked = Tensor(Shape(1, 1))
        invStd = Array(repeating: 0, count: channels)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = x.shape
        precondition(s.c == channels, "BatchNorm expects \(channels) channels, got shape \(s)")
        let y = Tensor.reuse(&output, s)
        input = x; trainingPass = training
        let spatial = s.spatial, batch = s.n, n = batch * spatial
        let xp = x.data, yp = y.data, g = gamma.value.data, bt = beta.value.data
        if training {
            precondition(n > 1, "BatchNorm in training mode needs more than one value per channel, got shape \(s)")
            let xhat = Tensor.reuse(&normalized, s).data
            let rm = runningMean.data, rv = runningVar.data, m = momentum, eps = epsilon
            do {
                invStd.withUnsafeMutableBufferPointer { istdBuf in
                    let istdP = istdBuf.baseAddress!
                    parallelFor(channels) { c in
                        var sum: Double = 0
                        for b in 0..<batch {
                            let p = xp + (b * channels + c) * spatial
                            for i in 0..<spatial { sum += Double(p[i]) }
                        }
                        let mu = sum / Double(n)
                        var sq: Double = 0
                        for b in 0..<batch {
                            let p = xp + (b * channels + c) * spatial
                            for i in 0..<spatial { let d = Double(p[i]) - mu; sq += d * d }
                        }
                        let variance = sq / Double(n)
                        let istd = Float(1 / (variance + Double(eps)).squareRoot())
                        istdP[c] = istd
                        rm[c] = (1 - m) * rm[c] + m * Float(mu)
                        rv[c] = (1 - m) * rv[c] + m * Float(sq / Double(n - 1))
                        let mf = Float(mu), gc = g[c], bc = bt[c]
                        for b in 0..<batch {
                            let off = (b * channels + c) * spatial
                            for i in 0..<spatial {
                                let h = (xp[off + i] - mf) * istd
                                xhat[off + i] = h
                                yp[off + i] = gc * h + bc
                            }
                        }
                    }
                }
            }
            batchesTracked.data[0] += 1
        } else {
            let rm = runningMean.data, rv = runningVar.data, eps = epsilon
            parallelFor(channels) { c in
                let scale = g[c] / (rv[c] + eps).squareRoot()
                let shift = bt[c] - rm[c] * scale
                for b in 0..<batch {
                    let off = (b * channels + c) * spatial
                    for i in 0..<spatial { yp[off + i] = xp[off + i] * scale + shift }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dy.shape == x.shape, "BatchNorm gradient shape \(dy.shape) != input shape \(x.shape)")
        let s = x.shape, spatial = s.spatial, batch = s.n, n = Float(batch * spatial)
        let dx = Tensor.reuse(&gradInput, s)
        let dyp = dy.data, dxp = dx.data, g = gamma.value.data
        let dg = weightGradients ? gamma.grad.data : nil, db = weightGradients ? beta.grad.data : nil
        if trainingPass {
            let xhat = normalized!.data
            invStd.withUnsafeBufferPointer { istdBuf in
                let istdP = istdBuf.baseAddress!
                parallelFor(channels) { c in
                    var sumDy: Float = 0, sumDyXhat: Float = 0
                    for b in 0..<batch {
                        let off = (b * channels + c) * spatial
                        for i in 0..<spatial { sumDy += dyp[off + i]; sumDyXhat += dyp[off + i] * xhat[off + i] }
                    }
                    dg?[c] += sumDyXhat
                    db?[c] += sumDy
                    let k = g[c] * istdP[c] / n
                    for b in 0..<batch {
                        let off = (b * channels + c) * spatial
                        for i in 0..<spatial {
                            dxp[off + i] = k * (n * dyp[off + i] - sumDy - xhat[off + i] * sumDyXhat)
                        }
                    }
                }
            }
        } else {
            let xp = x.data, rm = runningMean.data, rv = runningVar.data, eps = epsilon
            parallelFor(channels) { c in
                let istd = 1 / (rv[c] + eps).squareRoot()
                let k = g[c] * istd
                var sumDy: Float = 0, sumDyXhat: Float = 0
                for b in 0..<batch {
                    let off = (b * channels + c) * spatial
                    for i in 0..<spatial {
                        dxp[off + i] = k * dyp[off + i]
                        sumDy += dyp[off + i]; sumDyXhat += dyp[off + i] * (xp[off + i] - rm[c]) * istd
                    }
                }
                dg?[c] += sumDyXhat
                db?[c] += sumDy
            }
        }
        return dx
    }

    public var parameters: [Parameter] { [gamma, beta] }
    public var namedTensors: [NamedTensor] {
        [.vector("weight", gamma.value), .vector("bias", beta.value),
         .vector("running_mean", runningMean), .vector("running_var", runningVar),
         NamedTensor("num_batches_tracked", batchesTracked, dimensions: [])]
    }
    public func forwardFLOPs(input s: Shape) -> Int { 2 * s.sampleCount }

    /// The evaluation-mode map as y = scale·x + shift per channel.
    public func affine() -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            scale[c] = gamma.value.data[c] / (runningVar.data[c] + epsilon).squareRoot()
            shift[c] = beta.value.data[c] - runningMean.data[c] * scale[c]
        }
        return (scale, shift)
    }
}
