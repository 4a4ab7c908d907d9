/// A trainable tensor and the gradient the last backward pass accumulated for it.
public final class Parameter {
    public let value: Tensor
    public let grad: Tensor

    public init(_ shape: Shape) {
        value = Tensor(shape)
        grad = Tensor(shape)
    }

    public var count: Int { value.count }
}

/// A tensor saved with a model: a parameter's value, or a buffer such as batch-norm running
/// statistics. Names follow PyTorch's `state_dict` (`weight`, `bias`, `running_mean`, …).
public struct NamedTensor {
    public let name: String
    public let tensor: Tensor
    /// The shape as saved: PyTorch's own rank (`[out, in]` for a linear weight, `[C]` for a bias,
    /// `[]` for a scalar), where the engine keeps every tensor 4-D.
    public let dimensions: [Int]

    public init(_ name: String, _ tensor: Tensor, dimensions: [Int]? = nil) {
        let dims = dimensions ?? tensor.shape.dimensions
        precondition(dims.reduce(1, *) == tensor.count, "\(name): dimensions \(dims) for shape \(tensor.shape)")
        self.name = name
        self.tensor = tensor
        self.dimensions = dims
    }

    /// A 1-D tensor (bias, batch-norm vector).
    public static func vector(_ name: String, _ tensor: Tensor) -> NamedTensor {
        NamedTensor(name, tensor, dimensions: [tensor.count])
    }

    /// Names the same tensor inside a container (`"3." + "weight"`).
    public func prefixed(_ prefix: String) -> NamedTensor {
        NamedTensor(prefix + name, tensor, dimensions: dimensions)
    }
}

/// One layer of a network. `forward` returns a tensor the layer owns (valid until its next
/// forward); `backward` takes the gradient of the loss with respect to that output, accumulates
/// the weight gradients (unless `weightGradients` is false: inversion only needs the gradient with
/// respect to the input) and returns the gradient with respect to the input, also layer-owned.
/// Buffers are allocated on the first call and reused while the batch size does not grow.
public protocol Layer: AnyObject {
    func forward(_ input: Tensor, training: Bool) -> Tensor
    func backward(_ gradOutput: Tensor, weightGradients: Bool) -> Tensor
    /// Trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
    /// Everything saved with the model (parameters and buffers), named as PyTorch names them.
    var namedTensors: [NamedTensor] { get }
    /// FLOPs of one forward pass for one sample of the given input shape (multiply-add = 2).
    func forwardFLOPs(input: Shape) -> Int
    /// The output shape for a given input shape.
    func outputShape(for input: Shape) -> Shape
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var namedTensors: [NamedTensor] { [] }
    public func forwardFLOPs(input: Shape) -> Int { 0 }
    public func outputShape(for input: Shape) -> Shape { input }

    public func zeroGradients() {
        for p in parameters { p.grad.zero() }
    }
}
