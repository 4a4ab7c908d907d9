/// Element-wise activations. Each keeps what its backward needs (the input for ReLU and
/// LeakyReLU, the output for tanh) by reference, never by copy.

/// Arguments of an element-wise loop over `count` floats.
struct ElementwiseJob {
    let a: UnsafePointer<Float>
    let b: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
    let k: Float
}

public final class LeakyReLU: Layer {
    /// Slope for negative inputs; 0 gives ReLU.
    public let slope: Float
    private var input: Tensor?
    private var output, gradInput: Tensor?

    public init(slope: Float = 0.2) { self.slope = slope }

    /// Whether a batch norm before this activation may write its output (`Sequential` fuses the
    /// pair): the sign of the output must tell the sign of the input.
    var fusable: Bool { slope >= 0 && slope <= 1 }

    /// The output buffer for a fused batch norm's forward to write (for an input of `shape`).
    func fusedOutput(_ shape: Shape) -> Tensor {
        precondition(fusable)
        input = nil
        return Tensor.reuse(&output, shape)
    }

    /// The last forward's output, which a fused batch norm's backward reads for the derivative.
    var outputForBackward: Tensor? { output }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, x.shape)
        input = x
        parallelChunks(x.count, ElementwiseJob(a: x.data, b: x.data, out: y.data, k: slope)) { raw, lo, hi in
            let j = raw.load(as: ElementwiseJob.self)
            for i in lo..<hi { j.out[i] = j.a[i] > 0 ? j.a[i] : j.k * j.a[i] }
        }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        // After a fused forward there is no input, but the output has its sign (0 ≤ slope ≤ 1).
        guard let x = input ?? output else { preconditionFailure("LeakyReLU.backward before forward") }
        precondition(dy.shape == x.shape, "activation gradient shape \(dy.shape) != input shape \(x.shape)")
        let dx = Tensor.reuse(&gradInput, x.shape)
        parallelChunks(x.count, ElementwiseJob(a: x.data, b: dy.data, out: dx.data, k: slope)) { raw, lo, hi in
            let j = raw.load(as: ElementwiseJob.self)
            for i in lo..<hi { j.out[i] = j.a[i] > 0 ? j.b[i] : j.k * j.b[i] }
        }
        return dx
    }
}

public final class ReLU: Layer {
    let leaky = LeakyReLU(slope: 0)
    public init() {}
    public func forward(_ x: Tensor, training: Bool) -> Tensor { leaky.forward(x, training: training) }
    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor { leaky.backward(dy, weightGradients: weightGradients) }
}

public final class Tanh: Layer {
    private var output, gradInput: Tensor?

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, x.shape)
        parallelChunks(x.count, ElementwiseJob(a: x.data, b: x.data, out: y.data, k: 0)) { raw, lo, hi in
            let j = raw.load(as: ElementwiseJob.self)
            for i in lo..<hi { j.out[i] = fastTanh(j.a[i]) }
        }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let y = output else { preconditionFailure("Tanh.backward before forward") }
        precondition(dy.shape == y.shape, "activation gradient shape \(dy.shape) != output shape \(y.shape)")
        let dx = Tensor.reuse(&gradInput, y.shape)
        parallelChunks(y.count, ElementwiseJob(a: y.data, b: dy.data, out: dx.data, k: 0)) { raw, lo, hi in
            let j = raw.load(as: ElementwiseJob.self)
            for i in lo..<hi { j.out[i] = j.b[i] * (1 - j.a[i] * j.a[i]) }
        }
        return dx
    }
}
