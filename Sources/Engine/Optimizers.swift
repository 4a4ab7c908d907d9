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
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        for (k, p) in parameters.enumerated() {
            let w = p.value.data, g = p.grad.data, mp = m[k].data, vp = v[k].data
            parallelChunks(p.count) { r in
                for i in r {
                    mp[i] = b1 * mp[i] + (1 - b1) * g[i]
                    vp[i] = b2 * vp[i] + (1 - b2) * g[i] * g[i]
                    let update = (mp[i] / c1) / ((vp[i] / c2).squareRoot() + eps)
                    w[i] -= lr * (update + wd * w[i])
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
        let lr = learningRate, mu = momentum
        for (k, p) in parameters.enumerated() {
            let w = p.value.data, g = p.grad.data, vel = velocity[k].data
            parallelChunks(p.count) { r in
                for i in r {
                    vel[i] = mu * vel[i] + g[i]
                    w[i] -= lr * vel[i]
                }
            }
        }
    }
}
