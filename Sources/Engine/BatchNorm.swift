/// Batch normalisation over the channels of an NCHW tensor (`[B, F, 1, 1]` after a linear layer
/// works too). Training mode normalises with the batch's statistics and updates the running
/// estimates (momentum 0.1, unbiased variance, as PyTorch); evaluation mode uses the running
/// estimates, which makes it a per-channel affine map that can be folded into the convolution
/// before it (`Sequential.foldingBatchNorm()`).
///
/// Training backward: dx = γ·σ⁻¹/N · (N·dy − Σdy − x̂·Σ(dy·x̂)),  dγ += Σ dy·x̂,  dβ += Σ dy.
/// Evaluation backward: dx = γ·σ⁻¹·dy.
/// x̂ = (x − μ)·σ⁻¹ is not stored: backward recomputes it from the input (kept by reference, as
/// the activations keep theirs) and the batch mean and σ⁻¹ saved per channel.
///
/// `Sequential` fuses a batch norm with the (leaky) ReLU after it: `forward(_:training:fusedWith:)`
/// writes the activation's output in the same pass as the normalisation, and
/// `backward(_:weightGradients:fusedWith:)` takes the gradient with respect to that output and
/// applies the activation's derivative on the fly, so neither the normalised tensor nor the
/// activation's input gradient is written and read back.
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
    private var output, gradInput: Tensor?
    /// The last training pass's batch mean and 1/σ per channel.
    private let batchMean, invStd: Tensor

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels; self.epsilon = epsilon; self.momentum = momentum
        gamma = Parameter(Shape(channels, 1)); gamma.value.fill(1)
        beta = Parameter(Shape(channels, 1))
        runningMean = Tensor(Shape(channels, 1))
        runningVar = Tensor(Shape(channels, 1)); runningVar.fill(1)
        batchesTracked = Tensor(Shape(1, 1))
        batchMean = Tensor(Shape(channels, 1))
        invStd = Tensor(Shape(channels, 1))
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        forward(x, training: training, into: Tensor.reuse(&output, x.shape), activation: nil)
    }

    /// Forward followed by `activation` (0 ≤ slope ≤ 1) in one pass: returns the activation's output.
    func forward(_ x: Tensor, training: Bool, fusedWith activation: LeakyReLU) -> Tensor {
        forward(x, training: training, into: activation.fusedOutput(x.shape), activation: activation)
    }

    private func forward(_ x: Tensor, training: Bool, into y: Tensor, activation: LeakyReLU?) -> Tensor {
        let s = x.shape
        precondition(s.c == channels, "BatchNorm expects \(channels) channels, got shape \(s)")
        precondition(!training || s.n * s.spatial > 1, "BatchNorm in training mode needs more than one value per channel, got shape \(s)")
        input = x; trainingPass = training
        let job = job(s, x: x.data, dy: nil, out: y.data, activation: activation, training: training, gradients: false)
        parallelFor(channels, job) { raw, c in
            let j = raw.load(as: BatchNormJob.self)
            if j.training { j.forwardTraining(c) } else { j.forwardEvaluation(c) }
        }
        if training { batchesTracked.data[0] += 1 }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        backward(dy, weightGradients: weightGradients, activation: nil)
    }

    /// Backward through `activation` and this layer, after `forward(_:training:fusedWith:)` (or
    /// after both layers' own forwards): `dy` is the gradient with respect to the activation's output.
    func backward(_ dy: Tensor, weightGradients: Bool, fusedWith activation: LeakyReLU) -> Tensor {
        backward(dy, weightGradients: weightGradients, activation: activation)
    }

    private func backward(_ dy: Tensor, weightGradients: Bool, activation: LeakyReLU?) -> Tensor {
        guard let x = input else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dy.shape == x.shape, "BatchNorm gradient shape \(dy.shape) != input shape \(x.shape)")
        let dx = Tensor.reuse(&gradInput, x.shape)
        let job = job(x.shape, x: x.data, dy: dy.data, out: dx.data, activation: activation, training: trainingPass,
                      gradients: weightGradients)
        parallelFor(channels, job) { raw, c in
            let j = raw.load(as: BatchNormJob.self)
            if j.training { j.backwardTraining(c) } else { j.backwardEvaluation(c) }
        }
        return dx
    }

    private func job(_ s: Shape, x: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>?, out: UnsafeMutablePointer<Float>,
                     activation: LeakyReLU?, training: Bool, gradients: Bool) -> BatchNormJob {
        var activationOutput: UnsafeMutablePointer<Float>?
        if let activation, dy != nil {
            guard let y = activation.outputForBackward, y.shape == s else {
                preconditionFailure("BatchNorm fused backward before the activation's forward")
            }
            activationOutput = y.data
        }
        return BatchNormJob(x: x, dy: dy, out: out, training: training, fused: activation != nil,
                            slope: activation?.slope ?? 1, activationOutput: activationOutput,
                            gamma: gamma.value.data, beta: beta.value.data,
                            gradGamma: gradients ? gamma.grad.data : nil, gradBeta: gradients ? beta.grad.data : nil,
                            runningMean: runningMean.data, runningVar: runningVar.data,
                            batchMean: batchMean.data, invStd: invStd.data,
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
/// Each sample's run of the channel is reduced in Float with vector lanes, the runs in Double.
/// When `fused`, forward applies the leaky ReLU of `slope` to its output, and backward first
/// multiplies `dy` by the activation's derivative (1 where `activationOutput` > 0, else `slope`).
private struct BatchNormJob {
    let x: UnsafeMutablePointer<Float>
    let dy: UnsafeMutablePointer<Float>?
    let out: UnsafeMutablePointer<Float>
    let training: Bool
    let fused: Bool
    let slope: Float
    let activationOutput: UnsafeMutablePointer<Float>?
    let gamma, beta: UnsafeMutablePointer<Float>
    let gradGamma, gradBeta: UnsafeMutablePointer<Float>?
    let runningMean, runningVar, batchMean, invStd: UnsafeMutablePointer<Float>
    let batch, channels, spatial: Int
    let epsilon, momentum: Float

    /// Calls `body(offset)` for each sample's run of this channel's values.
    @inline(__always) func runs(_ c: Int, _ body: (Int) -> Void) {
        for b in 0..<batch { body((b * channels + c) * spatial) }
    }

    /// out = scale·x + shift, through the activation when fused.
    @inline(__always) func normalise(_ c: Int, scale: Float, shift: Float) {
        if fused {
            let slope = slope
            runs(c) { off in
                let x = x + off, out = out + off
                for i in 0..<spatial { let v = x[i] * scale + shift; out[i] = v > 0 ? v : slope * v }
            }
        } else {
            runs(c) { off in vectorAffine(x + off, spatial, scale: scale, shift: shift, out + off) }
        }
    }

    /// (Σ dz, Σ dz·(x − mean)) for dz = dy, or dy through the activation's derivative when fused.
    @inline(__always) func gradientSums(_ c: Int, mean: Float) -> (Double, Double) {
        let dy = dy!
        var sum: Double = 0, centred: Double = 0
        runs(c) { off in
            let (s, d) = fused
                ? vectorSumAndCentredDot(dy + off, activationOutput! + off, slope: slope, x + off, spatial, mean: mean)
                : vectorSumAndCentredDot(dy + off, x + off, spatial, mean: mean)
            sum += Double(s); centred += Double(d)
        }
        return (sum, centred)
    }

    func forwardTraining(_ c: Int) {
        let n = Double(batch * spatial)
        var sum: Double = 0
        runs(c) { off in sum += Double(vectorSum(x + off, spatial)) }
        let mu = sum / n, m = Float(mu)
        var sq: Double = 0
        // Deviations from the Float mean; the Double correction keeps the result that of the exact mean.
        runs(c) { off in sq += Double(vectorSquaredDeviations(x + off, spatial, mean: m)) }
        sq -= n * (mu - Double(m)) * (mu - Double(m))
        let istd = Float(1 / (sq / n + Double(epsilon)).squareRoot())
        batchMean[c] = m
        invStd[c] = istd
        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * m
        runningVar[c] = (1 - momentum) * runningVar[c] + momentum * Float(sq / (n - 1))
        let scale = gamma[c] * istd
        normalise(c, scale: scale, shift: beta[c] - m * scale)
    }

    func forwardEvaluation(_ c: Int) {
        let scale = gamma[c] / (runningVar[c] + epsilon).squareRoot()
        normalise(c, scale: scale, shift: beta[c] - runningMean[c] * scale)
    }

    func backwardTraining(_ c: Int) {
        let dy = dy!, m = batchMean[c], istd = invStd[c]
        let (sumDy, sumDyCentred) = gradientSums(c, mean: m)
        let sumDyXhat = Float(sumDyCentred) * istd
        gradGamma?[c] += sumDyXhat
        gradBeta?[c] += Float(sumDy)
        // dx = k·(N·dz − Σdz − x̂·Σ(dz·x̂)) with x̂ = (x − μ)·σ⁻¹, as a·dz + b·x + e.
        let n = Float(batch * spatial), k = gamma[c] * istd / n
        let a = k * n, b = -k * istd * sumDyXhat, e = -k * Float(sumDy) - b * m
        if fused {
            let y = activationOutput!, slope = slope
            runs(c) { off in
                let dy = dy + off, y = y + off, x = x + off, out = out + off
                for i in 0..<spatial { out[i] = a * (y[i] > 0 ? dy[i] : slope * dy[i]) + b * x[i] + e }
            }
        } else {
            runs(c) { off in vectorAffine2(dy + off, x + off, spatial, a, b, e, out + off) }
        }
    }

    func backwardEvaluation(_ c: Int) {
        let dy = dy!, istd = 1 / (runningVar[c] + epsilon).squareRoot(), k = gamma[c] * istd
        if gradGamma != nil || gradBeta != nil {
            let (sumDy, sumDyCentred) = gradientSums(c, mean: runningMean[c])
            gradGamma?[c] += Float(sumDyCentred) * istd
            gradBeta?[c] += Float(sumDy)
        }
        if fused {
            let y = activationOutput!, slope = slope
            runs(c) { off in
                let dy = dy + off, y = y + off, out = out + off
                for i in 0..<spatial { out[i] = k * (y[i] > 0 ? dy[i] : slope * dy[i]) }
            }
        } else {
            runs(c) { off in vectorAffine(dy + off, spatial, scale: k, shift: 0, out + off) }
        }
    }
}
