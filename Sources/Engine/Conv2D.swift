/// 2-D convolution, any kernel size, stride and zero padding, as im2col + one GEMM per batch.
///
/// Forward:  col = im2col(x);  Y = W·col  ([Cout, Cin·K·K] × [Cin·K·K, B·OH·OW]);  y = NCHW(Y) + b.
/// Backward: dY = channel-major(dy);  dW += dY·colᵀ;  db += Σ dy;  dcol = Wᵀ·dY;  dx = col2im(dcol).

func conv2dForward(
    input: UnsafePointer<Float>, geometry g: ConvGeometry, outChannels: Int,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    col: UnsafeMutablePointer<Float>, gemmOut: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
) {
    im2col(input, g, col)
    let n = g.colColumns
    sgemm(transA: false, transB: false, m: outChannels, n: n, k: g.colRows,
          a: weight, lda: g.colRows, b: col, ldb: n, beta: 0, c: gemmOut, ldc: n)
    channelMajorToNCHW(gemmOut, batch: g.batch, channels: outChannels, spatial: g.outHeight * g.outWidth,
                       bias: bias, output)
}

/// `col` is the forward pass's column matrix. Weight and bias gradients are accumulated when given.
func conv2dBackward(
    gradOutput: UnsafePointer<Float>, geometry g: ConvGeometry, outChannels: Int,
    weight: UnsafePointer<Float>, col: UnsafePointer<Float>,
    gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
    gradGemm: UnsafeMutablePointer<Float>, gradCol: UnsafeMutablePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, weightScratch: UnsafeMutablePointer<Float>? = nil
) {
    let n = g.colColumns, spatial = g.outHeight * g.outWidth
    nchwToChannelMajor(gradOutput, batch: g.batch, channels: outChannels, spatial: spatial, gradGemm)
    if let gradWeight {
        WeightGradient.accumulate(p: outChannels, q: g.colRows, k: n, a: gradGemm, lda: n, b: col, ldb: n,
                                  into: gradWeight, scratch: weightScratch)
    }
    if let gradBias {
        accumulateChannelSums(gradOutput, batch: g.batch, channels: outChannels, spatial: spatial, into: gradBias)
    }
    sgemm(transA: true, transB: false, m: g.colRows, n: n, k: outChannels,
          a: weight, lda: g.colRows, b: gradGemm, ldb: n, beta: 0, c: gradCol, ldc: n)
    col2im(gradCol, g, gradInput)
}

public final class Conv2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let pad: Int
    /// `[Cout, Cin, K, K]`, as PyTorch's `nn.Conv2d.weight`.
    public let weight: Parameter
    public let bias: Parameter?

    private var input: Tensor?
    private var geometry: ConvGeometry?
    private var col, gemmOut, output, gradGemm, gradCol, gradInput: Tensor?
    /// The transposed weight gradient, where `WeightGradient` computes it that way.
    private var weightScratch: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0,
                bias: Bool = true, initialization: Initialization = .he, rng: inout SeededGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && pad >= 0)
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.pad = pad
        weight = Parameter(Shape(outChannels, inChannels, kernel, kernel))
        rng.fillNormal(weight.value.data, count: weight.count,
                       std: initialization.standardDeviation(fanIn: inChannels * kernel * kernel))
        self.bias = bias ? Parameter(Shape(outChannels, 1)) : nil
    }

    func geometry(for s: Shape) -> ConvGeometry {
        precondition(s.c == inChannels, "Conv2D expects \(inChannels) input channels, got shape \(s)")
        let g = ConvGeometry(batch: s.n, channels: s.c, height: s.h, width: s.w, kernel: kernel, stride: stride, pad: pad)
        precondition(g.outHeight > 0 && g.outWidth > 0, "Conv2D kernel \(kernel) does not fit input \(s)")
        return g
    }

    public func outputShape(for s: Shape) -> Shape {
        let g = geometry(for: s)
        return Shape(s.n, outChannels, g.outHeight, g.outWidth)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: x.shape)
        input = x; geometry = g
        let col = Tensor.reuse(&col, Shape(1, g.colRows, 1, g.colColumns))
        let gemmOut = Tensor.reuse(&gemmOut, Shape(1, outChannels, 1, g.colColumns))
        let y = Tensor.reuse(&output, outputShape(for: x.shape))
        conv2dForward(input: x.data, geometry: g, outChannels: outChannels, weight: weight.value.data,
                      bias: bias?.value.data, col: col.data, gemmOut: gemmOut.data, output: y.data)
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input, let g = geometry, let col else { preconditionFailure("Conv2D.backward before forward") }
        precondition(dy.shape == output?.shape, "Conv2D gradient shape \(dy.shape) != output shape")
        let gradGemm = Tensor.reuse(&gradGemm, Shape(1, outChannels, 1, g.colColumns))
        let gradCol = Tensor.reuse(&gradCol, col.shape)
        let dx = Tensor.reuse(&gradInput, x.shape)
        let scratch = weightGradients && WeightGradient.transposes(p: outChannels, q: g.colRows, k: g.colColumns)
            ? Tensor.reuse(&weightScratch, weight.value.shape).data : nil
        conv2dBackward(gradOutput: dy.data, geometry: g, outChannels: outChannels, weight: weight.value.data,
                       col: col.data, gradWeight: weightGradients ? weight.grad.data : nil,
                       gradBias: weightGradients ? bias?.grad.data : nil,
                       gradGemm: gradGemm.data, gradCol: gradCol.data, gradInput: dx.data,
                       weightScratch: scratch)
        return dx
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var namedTensors: [NamedTensor] {
        [NamedTensor("weight", weight.value)] + (bias.map { [.vector("bias", $0.value)] } ?? [])
    }

    public func forwardFLOPs(input s: Shape) -> Int {
        let o = outputShape(for: s)
        return 2 * outChannels * inChannels * kernel * kernel * o.h * o.w
    }
}
