/// Element-wise activations. Each keeps what its backward needs (the input for ReLU and
/// LeakyReLU, the output for tanh) by reference, never by copy.

/// Splits `count` elements into chunks for `parallelFor` (chunks big enough to be worth a thread).
@inline(__always)
func parallelChunks(_ count: Int, _ body: (Range<Int>) -> Void) {
    let chunk = 1 << 15
    let chunks = (count + chunk - 1) / chunk
    parallelFor(chunks) { i in body(i * chunk..<min(count, (i + 1) * chunk)) }
}

public final class LeakyReLU: Layer {
    /// Slope for negative inputs; 0 gives ReLU.
    public let slope: Float
    private var input: Tensor?
    private var output, gradInput: Tensor?

    public init(slope: Float = 0.2) { self.slope = slope }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, x.shape)
        input = x
        let xp = x.data, yp = y.data, a = slope
        parallelChunks(x.count) { r in for i in r { yp[i] = xp[i] > 0 ? xp[i] : a * xp[i] } }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input else { preconditionFailure("LeakyReLU.backward before forward") }
        precondition(dy.shape == x.shape, "activation gradient shape \(dy.shape) != input shape \(x.shape)")
        let dx = Tensor.reuse(&gradInput, x.shape)
        let xp = x.data, dyp = dy.data, dxp = dx.data, a = slope
        parallelChunks(x.count) { r in for i in r { dxp[i] = xp[i] > 0 ? dyp[i] : a * dyp[i] } }
        return dx
    }
}

public final class ReLU: Layer {
    private let leaky = LeakyReLU(slope: 0)
    public init() {}
    public func forward(_ x: Tensor, training: Bool) -> Tensor { leaky.forward(x, training: training) }
    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor { leaky.backward(dy, weightGradients: weightGradients) }
}

public final class Tanh: Layer {
    private var output, gradInput: Tensor?

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, x.shape)
        let xp = x.data, yp = y.data
        parallelChunks(x.count) { r in for i in r { yp[i] = Float.tanh(xp[i]) } }
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let y = output else { preconditionFailure("Tanh.backward before forward") }
        precondition(dy.shape == y.shape, "activation gradient shape \(dy.shape) != output shape \(y.shape)")
        let dx = Tensor.reuse(&gradInput, y.shape)
        let yp = y.data, dyp = dy.data, dxp = dx.data
        parallelChunks(y.count) { r in for i in r { dxp[i] = dyp[i] * (1 - yp[i] * yp[i]) } }
        return dx
    }
}
