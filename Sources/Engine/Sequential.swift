/// A chain of layers. Saved tensors are named `<index>.<name>` as in PyTorch's `nn.Sequential`,
/// so a bundle's weights load into the equivalent PyTorch module with `load_state_dict`.
///
/// A batch norm followed by a ReLU or leaky ReLU (slope in [0, 1]) runs as one fused layer in
/// both directions (`BatchNorm.forward(_:training:fusedWith:)`): the same results, two fewer
/// passes over the activations each way. The batch norm's own output buffer is then not written;
/// the activation's output is the pair's output, as without fusion.
public final class Sequential: Layer {
    public let layers: [Layer]
    /// All layers' parameters, gathered once: the training loop walks this list every step.
    public let parameters: [Parameter]
    /// For each index of a batch norm fused with the next layer: the batch norm and the activation.
    private let fusedNorms: [BatchNorm?]
    private let fusedActivations: [LeakyReLU?]

    public init(_ layers: [Layer]) {
        self.layers = layers
        parameters = layers.flatMap(\.parameters)
        var norms = [BatchNorm?](repeating: nil, count: layers.count), activations = [LeakyReLU?](repeating: nil, count: layers.count)
        for i in layers.indices.dropLast() {
            guard let norm = layers[i] as? BatchNorm else { continue }
            let next = layers[i + 1]
            if let activation = (next as? ReLU)?.leaky ?? (next as? LeakyReLU), activation.fusable {
                norms[i] = norm
                activations[i] = activation
            }
        }
        fusedNorms = norms
        fusedActivations = activations
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input, i = 0
        while i < layers.count {
            if let norm = fusedNorms[i], let activation = fusedActivations[i] {
                x = norm.forward(x, training: training, fusedWith: activation)
                i += 2
            } else {
                x = layers[i].forward(x, training: training)
                i += 1
            }
        }
        return x
    }

    public func backward(_ gradOutput: Tensor, weightGradients: Bool) -> Tensor {
        var g = gradOutput, i = layers.count - 1
        while i >= 0 {
            if i > 0, let norm = fusedNorms[i - 1], let activation = fusedActivations[i - 1] {
                g = norm.backward(g, weightGradients: weightGradients, fusedWith: activation)
                i -= 2
            } else {
                g = layers[i].backward(g, weightGradients: weightGradients)
                i -= 1
            }
        }
        return g
    }

    public var namedTensors: [NamedTensor] {
        layers.enumerated().flatMap { i, layer in
            layer.namedTensors.map { $0.prefixed("\(i).") }
        }
    }

    public func outputShape(for input: Shape) -> Shape {
        layers.reduce(input) { $1.outputShape(for: $0) }
    }

    public func forwardFLOPs(input: Shape) -> Int {
        var s = input, total = 0
        for layer in layers {
            total += layer.forwardFLOPs(input: s)
            s = layer.outputShape(for: s)
        }
        return total
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Folds every evaluation-mode batch norm into the convolution or linear layer before it:
    /// the result computes the same function as `forward(_, training: false)` with fewer passes
    /// over memory. The folded layers get their own copies of the weights.
    public func foldingBatchNorm() -> Sequential {
        var folded: [Layer] = []
        var i = 0
        while i < layers.count {
            if i + 1 < layers.count, let bn = layers[i + 1] as? BatchNorm, let merged = fold(layers[i], bn) {
                folded.append(merged)
                i += 2
            } else {
                folded.append(layers[i])
                i += 1
            }
        }
        return Sequential(folded)
    }

    private func fold(_ layer: Layer, _ bn: BatchNorm) -> Layer? {
        let (scale, shift) = bn.affine()
        var rng = SeededGenerator(seed: 0)
        switch layer {
        case let conv as Conv2D:
            let out = Conv2D(conv.inChannels, conv.outChannels, kernel: conv.kernel, stride: conv.stride,
                             pad: conv.pad, bias: true, rng: &rng)
            let perOut = conv.inChannels * conv.kernel * conv.kernel
            for o in 0..<conv.outChannels {
                for j in 0..<perOut { out.weight.value.data[o * perOut + j] = conv.weight.value.data[o * perOut + j] * scale[o] }
                out.bias!.value.data[o] = (conv.bias?.value.data[o] ?? 0) * scale[o] + shift[o]
            }
            return out
        case let conv as ConvTranspose2D:
            let out = ConvTranspose2D(conv.inChannels, conv.outChannels, kernel: conv.kernel, stride: conv.stride,
                                      pad: conv.pad, bias: true, rng: &rng)
            let kk = conv.kernel * conv.kernel
            for i in 0..<conv.inChannels {
                for o in 0..<conv.outChannels {
                    let base = (i * conv.outChannels + o) * kk
                    for j in 0..<kk { out.weight.value.data[base + j] = conv.weight.value.data[base + j] * scale[o] }
                }
            }
            for o in 0..<conv.outChannels { out.bias!.value.data[o] = (conv.bias?.value.data[o] ?? 0) * scale[o] + shift[o] }
            return out
        case let linear as Linear:
            let out = Linear(linear.inFeatures, linear.outFeatures, bias: true, rng: &rng)
            for o in 0..<linear.outFeatures {
                for j in 0..<linear.inFeatures {
                    out.weight.value.data[o * linear.inFeatures + j] = linear.weight.value.data[o * linear.inFeatures + j] * scale[o]
                }
                out.bias!.value.data[o] = (linear.bias?.value.data[o] ?? 0) * scale[o] + shift[o]
            }
            return out
        default:
            return nil
        }
    }
}
