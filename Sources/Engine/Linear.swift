/// Fully connected layer on `[B, In, 1, 1]` (any input of `In` elements per sample):
/// y = x·Wᵀ + b with W `[Out, In]` as PyTorch's `nn.Linear.weight`.

func linearForward(input: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
                   weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    sgemm(transA: false, transB: true, m: batch, n: outFeatures, k: inFeatures,
          a: input, lda: inFeatures, b: weight, ldb: inFeatures, beta: 0, c: output, ldc: outFeatures)
    if let bias {
        for b in 0..<batch {
            let row = output + b * outFeatures
            for o in 0..<outFeatures { row[o] += bias[o] }
        }
    }
}

func linearBackward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, batch: Int,
                    inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
                    gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
                    gradInput: UnsafeMutablePointer<Float>) {
    if let gradWeight {
        sgemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: batch,
              a: gradOutput, lda: outFeatures, b: input, ldb: inFeatures, beta: 1, c: gradWeight, ldc: inFeatures)
    }
    if let gradBias {
        for b in 0..<batch {
            let row = gradOutput + b * outFeatures
            for o in 0..<outFeatures { gradBias[o] += row[o] }
        }
    }
    sgemm(transA: false, transB: false, m: batch, n: inFeatures, k: outFeatures,
          a: gradOutput, lda: outFeatures, b: weight, ldb: inFeatures, beta: 0, c: gradInput, ldc: inFeatures)
}

public final class Linear: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?

    private var input: Tensor?
    private var output, gradInput: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                initialization: Initialization = .he, rng: inout SeededGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0)
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        weight = Parameter(Shape(outFeatures, inFeatures))
        rng.fillNormal(weight.value.data, count: weight.count, std: initialization.standardDeviation(fanIn: inFeatures))
        self.bias = bias ? Parameter(Shape(outFeatures, 1)) : nil
    }

    public func outputShape(for s: Shape) -> Shape {
        precondition(s.sampleCount == inFeatures, "Linear expects \(inFeatures) features per sample, got shape \(s)")
        return Shape(s.n, outFeatures)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, outputShape(for: x.shape))
        input = x
        linearForward(input: x.data, batch: x.shape.n, inFeatures: inFeatures, outFeatures: outFeatures,
                      weight: weight.value.data, bias: bias?.value.data, output: y.data)
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward before forward") }
        precondition(dy.shape == output?.shape, "Linear gradient shape \(dy.shape) != output shape")
        let dx = Tensor.reuse(&gradInput, x.shape)
        linearBackward(gradOutput: dy.data, input: x.data, batch: x.shape.n, inFeatures: inFeatures,
                       outFeatures: outFeatures, weight: weight.value.data,
                       gradWeight: weightGradients ? weight.grad.data : nil,
                       gradBias: weightGradients ? bias?.grad.data : nil, gradInput: dx.data)
        return dx
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var namedTensors: [NamedTensor] {
        [NamedTensor("weight", weight.value, dimensions: [outFeatures, inFeatures])]
            + (bias.map { [.vector("bias", $0.value)] } ?? [])
    }
    public func forwardFLOPs(input s: Shape) -> Int { 2 * inFeatures * outFeatures }
}

/// Reinterprets each sample's elements with a new `[C, H, W]` (a copy: tensors own their memory).
public final class Reshape: Layer {
    public let channels, height, width: Int
    private var output, gradInput: Tensor?
    private var inputShape: Shape?

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels; self.height = height; self.width = width
    }

    public func outputShape(for s: Shape) -> Shape {
        precondition(s.sampleCount == channels * height * width, "cannot reshape \(s) to [\(channels), \(height), \(width)]")
        return Shape(s.n, channels, height, width)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, outputShape(for: x.shape))
        inputShape = x.shape
        y.data.update(from: x.data, count: x.count)
        return y
    }

    public func backward(_ dy: Tensor, weightGradients: Bool) -> Tensor {
        guard let s = inputShape else { preconditionFailure("Reshape.backward before forward") }
        let dx = Tensor.reuse(&gradInput, s)
        dx.data.update(from: dy.data, count: dy.count)
        return dx
    }
}
