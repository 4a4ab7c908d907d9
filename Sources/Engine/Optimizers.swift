#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

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
                raw.load(as: AdamJob.self).update(lo, hi)
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

    /// Elements `lo..<hi`: four at a time with SSE where there is SSE, and the scalar tail with
    /// the same operations in the same order, so every element gets the same result either way.
    /// (`Float.squareRoot()` sets errno for a negative argument on Linux, so the compiler does not
    /// vectorise the scalar loop by itself.)
    func update(_ lo: Int, _ hi: Int) {
        var i = lo
        #if arch(x86_64)
        let b1 = _mm_set1_ps(beta1), b2 = _mm_set1_ps(beta2), a1 = _mm_set1_ps(1 - beta1), a2 = _mm_set1_ps(1 - beta2)
        let d1 = _mm_set1_ps(c1), d2 = _mm_set1_ps(c2), eps = _mm_set1_ps(epsilon)
        let rate = _mm_set1_ps(lr), decay = _mm_set1_ps(weightDecay)
        while i &+ 4 <= hi {
            let gi = _mm_loadu_ps(g + i)
            let mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(a1, gi))
            let vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(a2, gi), gi))
            _mm_storeu_ps(m + i, mi)
            _mm_storeu_ps(v + i, vi)
            let update = _mm_div_ps(_mm_div_ps(mi, d1), _mm_add_ps(_mm_sqrt_ps(_mm_div_ps(vi, d2)), eps))
            let wi = _mm_loadu_ps(w + i)
            _mm_storeu_ps(w + i, _mm_sub_ps(wi, _mm_mul_ps(rate, _mm_add_ps(update, _mm_mul_ps(decay, wi)))))
            i &+= 4
        }
        #endif
        while i < hi {
            let gi = g[i]
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi
            v[i] = vi
            let update = (mi / c1) / ((vi / c2).squareRoot() + epsilon)
            let wi = w[i]
            w[i] = wi - lr * (update + weightDecay * wi)
            i &+= 1
        }
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
