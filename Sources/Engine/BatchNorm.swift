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
    private let invStd: Tensor

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels; self.epsilon = epsilon; self.momentum = momentum
        gamma = Parameter(Shape(channels, 1)); gamma.value.fill(1)
        beta = Parameter(Shape(channels, 1))
        runningMean = Tensor(Shape(channels, 1))
        runningVar = Tensor(Shape(channels, 1)); runningVar.fill(1)
        batchesTracked = Tensor(Shape(1, 1))
        invStd = Tensor(Shape(channels, 1))
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = x.shape
        precondition(s.c == channels, "BatchNorm expects \(channels) channels, got shape \(s)")
        precondition(!training || s.n * s.spatial > 1, "BatchNorm in training mode needs more than one value per channel, got shape \(s)")
        let y = Tensor.reuse(&output, s)
        input = x; trainingPass = training
        let xhat = training ? Tensor.reuse(&normalized, s).data : nil
        parallelFor(channels, job(s, x: x.data, dy: nil, out: y.data, xhat: xhat, gradients: false)) { raw, c in
            let j = raw.load(as: BatchNormJob.self)
            if j.xhat != nil { j.forwardTraining(c) } else { j.forwardEvaluation(c) }
        }
        if training { batchesTracked.data[0] += 1 }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dy.shape == x.shape, "BatchNorm gradient shape \(dy.shape) != input shape \(x.shape)")
        let dx = Tensor.reuse(&gradInput, x.shape)
        let job = job(x.shape, x: x.data, dy: dy.data, out: dx.data, xhat: trainingPass ? normalized!.data : nil, gradients: weightGradients)
        parallelFor(channels, job) { raw, c in
            let j = raw.load(as: BatchNormJob.self)
            if j.xhat != nil { j.backwardTraining(c) } else { j.backwardEvaluation(c) }
        }
        return dx
    }

    private func job(_ s: Shape, x: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>?, out: UnsafeMutablePointer<Float>,
                     xhat: UnsafeMutablePointer<Float>?, gradients: Bool) -> BatchNormJob {
        return BatchNormJob(x: x, dy: dy, out: out, xhat: xhat, gamma: gamma.value.data, beta: beta.value.data,
                            gradGamma: gradients ? gamma.grad.data : nil, gradBeta: gradients ? beta.grad.data : nil,
                            runningMean: runningMean.data, runningVar: runningVar.data, invStd: invStd.data,
                            batch: s.n, channels: channels, spatial: s.spatial, epsilon: epsilon, momentum: momentum)
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

/// One channel of batch normalisation, forward or backward (the arguments of `parallelFor`).
private struct BatchNormJob {
    let x: UnsafeMutablePointer<Float>
    let dy: UnsafeMutablePointer<Float>?
    let out: UnsafeMutablePointer<Float>
    let xhat: UnsafeMutablePointer<Float>?
    let gamma, beta: UnsafeMutablePointer<Float>
    let gradGamma, gradBeta: UnsafeMutablePointer<Float>?
    let runningMean, runningVar, invStd: UnsafeMutablePointer<Float>
    let batch, channels, spatial: Int
    let epsilon, momentum: Float

    /// Calls `body(offset)` for each sample's run of this channel's values.
    @inline(__always) func runs(_ c: Int, _ body: (Int) -> Void) {
        for b in 0..<batch { body((b * channels + c) * spatial) }
    }

    func forwardTraining(_ c: Int) {
        let n = Double(batch * spatial)
        var sum: Double = 0
        runs(c) { off in for i in 0..<spatial { sum += Double(x[off + i]) } }
        let mu = sum / n
        var sq: Double = 0
        runs(c) { off in for i in 0..<spatial { let d = Double(x[off + i]) - mu; sq += d * d } }
        let istd = Float(1 / (sq / n + Double(epsilon)).squareRoot())
        invStd[c] = istd
        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * Float(mu)
        runningVar[c] = (1 - momentum) * runningVar[c] + momentum * Float(sq / (n - 1))
        let m = Float(mu), g = gamma[c], bt = beta[c], xh = xhat!
        runs(c) { off in
            for i in 0..<spatial {
                let h = (x[off + i] - m) * istd
                xh[off + i] = h
                out[off + i] = g * h + bt
            }
        }
    }

    func forwardEvaluation(_ c: Int) {
        let scale = gamma[c] / (runningVar[c] + epsilon).squareRoot()
        let shift = beta[c] - runningMean[c] * scale
        runs(c) { off in for i in 0..<spatial { out[off + i] = x[off + i] * scale + shift } }
    }

    func backwardTraining(_ c: Int) {
        let dy = dy!, xh = xhat!, n = Float(batch * spatial)
        var sumDy: Float = 0, sumDyXhat: Float = 0
        runs(c) { off in for i in 0..<spatial { sumDy += dy[off + i]; sumDyXhat += dy[off + i] * xh[off + i] } }
        gradGamma?[c] += sumDyXhat
        gradBeta?[c] += sumDy
        let k = gamma[c] * invStd[c] / n
        runs(c) { off in for i in 0..<spatial { out[off + i] = k * (n * dy[off + i] - sumDy - xh[off + i] * sumDyXhat) } }
    }

    func backwardEvaluation(_ c: Int) {
        let dy = dy!, istd = 1 / (runningVar[c] + epsilon).squareRoot(), k = gamma[c] * istd, mean = runningMean[c]
        var sumDy: Float = 0, sumDyXhat: Float = 0
        runs(c) { off in
            for i in 0..<spatial {
                out[off + i] = k * dy[off + i]
                sumDy += dy[off + i]; sumDyXhat += dy[off + i] * (x[off + i] - mean) * istd
            }
        }
        gradGamma?[c] += sumDyXhat
        gradBeta?[c] += sumDy
    }
}
