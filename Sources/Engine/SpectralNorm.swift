/// Spectral normalisation (Miyato et al., 2018) of a convolution or linear layer: the layer runs
/// with W / σ(W), σ the largest singular value of W viewed as `[rows, cols]` (`[Cout, Cin·K·K]`),
/// estimated by one power iteration per training forward with a persistent vector u. It bounds
/// the discriminator's Lipschitz constant, which keeps GAN training stable on small data.
///
/// With u and v held fixed (as the reference implementation does), ∂σ/∂W = u·vᵀ, so
/// ∂L/∂W = (G − ⟨G, W/σ⟩·u·vᵀ) / σ, where G = ∂L/∂(W/σ).
public final class SpectralNorm: Layer {
    public let inner: Layer
    /// The unnormalised weight, the parameter the optimiser updates.
    public let weight: Parameter
    private let normalized: Parameter
    private let rows: Int
    private let cols: Int
    private var u: [Float]
    private var v: [Float]
    public private(set) var sigma: Float = 1

    /// `layer` must be a `Conv2D` or `Linear`; its current weight becomes the initial value.
    public init(_ layer: Layer, rng: inout SeededGenerator) {
        switch layer {
        case let conv as Conv2D:
            normalized = conv.weight; rows = conv.outChannels; cols = conv.inChannels * conv.kernel * conv.kernel
        case let linear as Linear:
            normalized = linear.weight; rows = linear.outFeatures; cols = linear.inFeatures
        default:
            preconditionFailure("SpectralNorm wraps Conv2D or Linear, not \(type(of: layer))")
        }
        inner = layer
        weight = Parameter(normalized.value.shape)
        weight.value.copy(from: normalized.value)
        u = (0..<rows).map { _ in rng.normal() }
        v = Array(repeating: 0, count: cols)
        normalize(&u)
        for _ in 0..<5 { powerIteration() }
        applyNormalization()
    }

    private func normalize(_ x: inout [Float]) {
        var n: Float = 0
        for e in x { n += e * e }
        let k = 1 / max(n.squareRoot(), 1e-12)
        for i in x.indices { x[i] *= k }
    }

    /// v ← normalise(Wᵀu), u ← normalise(Wv), σ = uᵀWv.
    private func powerIteration() {
        let w = weight.value.data, r = rows, c = cols
        u.withUnsafeMutableBufferPointer { up in
            v.withUnsafeMutableBufferPointer { vp in
                sgemm(transA: true, transB: false, m: c, n: 1, k: r, a: w, lda: c, b: up.baseAddress!, ldb: 1, beta: 0, c: vp.baseAddress!, ldc: 1)
            }
        }
        normalize(&v)
        v.withUnsafeBufferPointer { vp in
            u.withUnsafeMutableBufferPointer { up in
                sgemm(transA: false, transB: false, m: r, n: 1, k: c, a: w, lda: c, b: vp.baseAddress!, ldb: 1, beta: 0, c: up.baseAddress!, ldc: 1)
            }
        }
        var s: Float = 0
        for e in u { s += e * e }
        sigma = max(s.squareRoot(), 1e-12)
        normalize(&u)
    }

    private func applyNormalization() {
        let k = 1 / sigma, src = weight.value.data, dst = normalized.value.data
        for i in 0..<weight.count { dst[i] = src[i] * k }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { powerIteration() }
        applyNormalization()
        return inner.forward(x, training: training)
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard weightGradients else { return inner.backward(dy, weightGradients: false) }
        normalized.grad.zero()
        let dx = inner.backward(dy, weightGradients: true)
        let g = normalized.grad.data, wn = normalized.value.data, dw = weight.grad.data, r = rows, c = cols
        var alignment: Float = 0
        for i in 0..<(r * c) { alignment += g[i] * wn[i] }
        let k = 1 / sigma
        for i in 0..<r {
            let ui = u[i] * alignment
            for j in 0..<c { dw[i * c + j] += (g[i * c + j] - ui * v[j]) * k }
        }
        return dx
    }

    /// The optimiser updates the raw weight; the inner layer's bias (if any) is trained as is.
    public var parameters: [Parameter] { [weight] + inner.parameters.filter { $0 !== normalized } }
    /// Saved as PyTorch's `torch.nn.utils.spectral_norm` does: `weight_orig`, `weight_u`, `weight_v`, `bias`.
    public var namedTensors: [NamedTensor] {
        let uT = Tensor(Shape(rows, 1), u), vT = Tensor(Shape(cols, 1), v)
        var out = [NamedTensor("weight_orig", weight.value, dimensions: innerWeightDimensions),
                   .vector("weight_u", uT), .vector("weight_v", vT)]
        out += inner.namedTensors.filter { $0.name != "weight" }
        return out
    }

    private var innerWeightDimensions: [Int] { inner.namedTensors.first { $0.name == "weight" }!.dimensions }

    /// Restores u and v after loading `weight_orig`, `weight_u` and `weight_v`, and with them
    /// σ = uᵀWv, as PyTorch computes it in evaluation mode.
    public func restoreVectors(u newU: [Float], v newV: [Float]) {
        precondition(newU.count == rows && newV.count == cols)
        u = newU; v = newV
        let w = weight.value.data
        var s: Float = 0
        for i in 0..<rows {
            var row: Float = 0
            for j in 0..<cols { row += w[i * cols + j] * v[j] }
            s += u[i] * row
        }
        sigma = max(s, 1e-12)
        applyNormalization()
    }

    public func outputShape(for s: Shape) -> Shape { inner.outputShape(for: s) }
    public func forwardFLOPs(input s: Shape) -> Int { inner.forwardFLOPs(input: s) }
}
