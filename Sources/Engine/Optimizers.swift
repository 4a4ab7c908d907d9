/// Optimisers update a fixed list of parameters from their accumulated gradients. Their state is
/// allocated once, at construction.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    func step()
}

extension Optimizer {
    public func zeroGradients(_ parameters: [Parameter]) { for p in parameters { p.grad.zero() } }
}

/// Adam (Kingma & Ba), with bias correction and optional decoupled weight decay (AdamW).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public private(set) var steps = 0
    private let m: [Tensor]
    private let v: [Tensor]

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay
        m = parameters.map { Tensor($0.value.shape) }
        v = parameters.map { Tensor($0.value.shape) }
    }

    public func step() {
        steps += 1
        let c1 = 1 - Float.exp(Float(steps) * Float.log(beta1))
        let c2 = 1 - Float.exp(Float(steps) * Float.log(beta2))
        for k in parameters.indices {
            let p = parameters[k]
            let job = AdamJob(w: p.value.data, g: p.grad.data, m: m[k].data, v: v[k].data, lr: learningRate,
                              beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, c1: c1, c2: c2)
            parallelChunks(p.count, job) { raw, lo, hi in
                let j = raw.load(as: AdamJob.self)
                for i in lo..<hi {
                    j.m[i] = j.beta1 * j.m[i] + (1 - j.beta1) * j.g[i]
                    j.v[i] = j.beta2 * j.v[i] + (1 - j.beta2) * j.g[i] * j.g[i]
                    let update = (j.m[i] / j.c1) / ((j.v[i] / j.c2).squareRoot() + j.epsilon)
                    j.w[i] -= j.lr * (update + j.weightDecay * j.w[i])
                }
            }
        }
    }

    /// The moment estimates, for checkpoints (named `<index>.m` / `<index>.v` by parameter order).
    public var state: [NamedTensor] {
        m.enumerated().map { NamedTensor("\($0).m", $1) } + v.enumerated().map { NamedTensor("\($0).v", $1) }
    }

    /// Restores the step count after loading `state` from a checkpoint.
    public func restore(steps: Int) { self.steps = steps }

    /// Forgets the moments, as for a fresh optimisation (the solver reuses one Adam per frame).
    public func reset() {
        steps = 0
        for t in m { t.zero() }
        for t in v { t.zero() }
    }
}

private struct AdamJob {
    let w, g, m, v: UnsafeMutablePointer<Float>
    let lr, beta1, beta2, epsilon, weightDecay, c1, c2: Float
}

/// Stochastic gradient descent with optional momentum.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    private let velocity: [Tensor]

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate; self.momentum = momentum
        velocity = parameters.map { Tensor($0.value.shape) }
    }

    public func step() {
        for k in parameters.indices {
            let p = parameters[k]
            let job = SGDJob(w: p.value.data, g: p.grad.data, velocity: velocity[k].data, lr: learningRate, momentum: momentum)
            parallelChunks(p.count, job) { raw, lo, hi in
                let j = raw.load(as: SGDJob.self)
                for i in lo..<hi {
                    j.velocity[i] = j.momentum * j.velocity[i] + j.g[i]
                    j.w[i] -= j.lr * j.velocity[i]
                }
            }
        }
    }
}

private struct SGDJob {
    let w, g, velocity: UnsafeMutablePointer<Float>
    let lr, momentum: Float
}
