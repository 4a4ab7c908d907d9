/// 2-D transposed convolution (the adjoint of `Conv2D`, the generator's upsampling layer):
/// output size (H − 1)·s − 2p + K. It runs the convolution GEMMs in the other direction, so the
/// output is the "image" side of a `ConvGeometry` and the input is its column side.
///
/// Forward:  X = channel-major(x);  col = Wᵀ·X  ([Cout·K·K, Cin] × [Cin, B·H·W]);  y = col2im(col) + b.
/// Backward: dcol = im2col(dy);  dW += X·dcolᵀ;  db += Σ dy;  dX = W·dcol;  dx = NCHW(dX).
///
/// The column matrix is K² times the input's size (64 MB for the 64→32-channel layer of the
/// benchmark generator at batch 32), so the batch is run in chunks of `chunk` images whose column
/// matrix stays in the cache between the GEMM that writes it and the pass that reads it
/// (`ConvGeometry.imagesPerChunk`); X and dX stay whole, the GEMMs read and write their chunk's columns.

func convTranspose2dForward(
    input: UnsafePointer<Float>, geometry g: ConvGeometry, inChannels: Int,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    gemmIn: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
    chunk: Int? = nil
) {
    let n = g.colColumns, spatial = g.outHeight * g.outWidth, imageSize = g.channels * g.height * g.width
    let chunk = chunk ?? g.batch
    nchwToChannelMajor(input, batch: g.batch, channels: inChannels, spatial: spatial, gemmIn)
    for b0 in stride(from: 0, to: g.batch, by: chunk) {
        let part = g.images(b0, count: min(chunk, g.batch - b0)), columns = part.colColumns
        sgemm(transA: true, transB: false, m: g.colRows, n: columns, k: inChannels,
              a: weight, lda: g.colRows, b: gemmIn + b0 * spatial, ldb: n, beta: 0, c: col, ldc: columns)
        col2im(col, part, output + b0 * imageSize)
    }
    if let bias { addChannelBias(bias, batch: g.batch, channels: g.channels, spatial: g.height * g.width, output) }
}

/// `gemmIn` is the forward pass's channel-major input.
func convTranspose2dBackward(
    gradOutput: UnsafePointer<Float>, geometry g: ConvGeometry, inChannels: Int,
    weight: UnsafePointer<Float>, gemmIn: UnsafePointer<Float>,
    gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
    gradCol: UnsafeMutablePointer<Float>, gradGemm: UnsafeMutablePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, weightScratch: UnsafeMutablePointer<Float>? = nil,
    chunk: Int? = nil
) {
    let n = g.colColumns, spatial = g.outHeight * g.outWidth, imageSize = g.channels * g.height * g.width
    let chunk = chunk ?? g.batch
    for b0 in stride(from: 0, to: g.batch, by: chunk) {
        let part = g.images(b0, count: min(chunk, g.batch - b0)), columns = part.colColumns
        im2col(gradOutput + b0 * imageSize, part, gradCol)
        if let gradWeight {
            WeightGradient.accumulate(p: inChannels, q: g.colRows, k: columns, a: gemmIn + b0 * spatial, lda: n,
                                      b: gradCol, ldb: columns, into: gradWeight, scratch: weightScratch,
                                      first: b0 == 0, last: b0 + chunk >= g.batch)
        }
        sgemm(transA: false, transB: false, m: inChannels, n: columns, k: g.colRows,
              a: weight, lda: g.colRows, b: gradCol, ldb: columns, beta: 0, c: gradGemm + b0 * spatial, ldc: n)
    }
    if let gradBias {
        accumulateChannelSums(gradOutput, batch: g.batch, channels: g.channels, spatial: g.height * g.width, into: gradBias)
    }
    channelMajorToNCHW(gradGemm, batch: g.batch, channels: inChannels, spatial: spatial, bias: nil, gradInput)
}

func addChannelBias(_ bias: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                    _ x: UnsafeMutablePointer<Float>) {
    let job = ChannelJob(src: bias, dst: x, extra: nil, batch: batch, channels: channels, spatial: spatial)
    parallelFor(channels, job) { raw, c in
        let j = raw.load(as: ChannelJob.self), v = j.src[c]
        for b in 0..<j.batch {
            let p = j.dst + (b * j.channels + c) * j.spatial
            for i in 0..<j.spatial { p[i] += v }
        }
    }
}

public final class ConvTranspose2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let pad: Int
    /// `[Cin, Cout, K, K]`, as PyTorch's `nn.ConvTranspose2d.weight`.
    public let weight: Parameter
    public let bias: Parameter?

    private var input: Tensor?
    private var geometry: ConvGeometry?
    private var gemmIn, col, output, gradCol, gradGemm, gradInput: Tensor?
    /// The transposed weight gradient, where `WeightGradient` computes it that way.
    private var weightScratch: Tensor?
    /// Images per chunk of the column matrix in the last forward (and its backward).
    private var chunk = 1

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0,
                bias: Bool = true, initialization: Initialization = .he, rng: inout SeededGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && pad >= 0)
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.pad = pad
        weight = Parameter(Shape(inChannels, outChannels, kernel, kernel))
        // Each output pixel sums about Cin·K²/s² products.
        let fanIn = max(1, inChannels * kernel * kernel / (stride * stride))
        rng.fillNormal(weight.value.data, count: weight.count, std: initialization.standardDeviation(fanIn: fanIn))
        self.bias = bias ? Parameter(Shape(outChannels, 1)) : nil
    }

    /// The geometry of the equivalent convolution that maps the output back onto the input.
    func geometry(for s: Shape) -> ConvGeometry {
        precondition(s.c == inChannels, "ConvTranspose2D expects \(inChannels) input channels, got shape \(s)")
        let oh = (s.h - 1) * stride - 2 * pad + kernel, ow = (s.w - 1) * stride - 2 * pad + kernel
        precondition(oh > 0 && ow > 0, "ConvTranspose2D output would be empty for input \(s)")
        let g = ConvGeometry(batch: s.n, channels: outChannels, height: oh, width: ow, kernel: kernel, stride: stride, pad: pad)
        assert(g.outHeight == s.h && g.outWidth == s.w)
        return g
    }

    public func outputShape(for s: Shape) -> Shape {
        let g = geometry(for: s)
        return Shape(s.n, outChannels, g.height, g.width)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: x.shape)
        input = x; geometry = g
        chunk = g.imagesPerChunk
        let gemmIn = Tensor.reuse(&gemmIn, Shape(1, inChannels, 1, g.colColumns))
        let col = Tensor.reuse(&col, Shape(1, g.colRows, 1, g.images(0, count: chunk).colColumns))
        let y = Tensor.reuse(&output, Shape(x.shape.n, outChannels, g.height, g.width))
        convTranspose2dForward(input: x.data, geometry: g, inChannels: inChannels, weight: weight.value.data,
                               bias: bias?.value.data, gemmIn: gemmIn.data, col: col.data, output: y.data, chunk: chunk)
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input, let g = geometry, let gemmIn else { preconditionFailure("ConvTranspose2D.backward before forward") }
        precondition(dy.shape == output?.shape, "ConvTranspose2D gradient shape \(dy.shape) != output shape")
        let gradCol = Tensor.reuse(&gradCol, Shape(1, g.colRows, 1, g.images(0, count: chunk).colColumns))
        let gradGemm = Tensor.reuse(&gradGemm, gemmIn.shape)
        let dx = Tensor.reuse(&gradInput, x.shape)
        let scratch = weightGradients && WeightGradient.transposes(p: inChannels, q: g.colRows, k: g.colColumns)
            ? Tensor.reuse(&weightScratch, weight.value.shape).data : nil
        convTranspose2dBackward(gradOutput: dy.data, geometry: g, inChannels: inChannels, weight: weight.value.data,
                                gemmIn: gemmIn.data, gradWeight: weightGradients ? weight.grad.data : nil,
                                gradBias: weightGradients ? bias?.grad.data : nil,
                                gradCol: gradCol.data, gradGemm: gradGemm.data, gradInput: dx.data,
                                weightScratch: scratch, chunk: chunk)
        return dx
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var namedTensors: [NamedTensor] {
        [NamedTensor("weight", weight.value)] + (bias.map { [.vector("bias", $0.value)] } ?? [])
    }

    public func forwardFLOPs(input s: Shape) -> Int {
        2 * inChannels * outChannels * kernel * kernel * s.h * s.w
    }
}
