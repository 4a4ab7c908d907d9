/// The shape of an NCHW tensor. Every engine tensor is 4-D: a batch of `n` images of `c` channels,
/// `h` rows and `w` columns; a batch of feature vectors is `[n, features, 1, 1]`. A fixed struct
/// (not an array) so that reshaping in the training loop never allocates.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var n: Int
    public var c: Int
    public var h: Int
    public var w: Int

    public init(_ n: Int, _ c: Int, _ h: Int = 1, _ w: Int = 1) {
        precondition(n >= 0 && c >= 0 && h >= 0 && w >= 0, "negative dimension in [\(n), \(c), \(h), \(w)]")
        self.n = n; self.c = c; self.h = h; self.w = w
    }

    public var count: Int { n * c * h * w }
    /// Elements of one sample (`c·h·w`).
    public var sampleCount: Int { c * h * w }
    public var spatial: Int { h * w }
    public var dimensions: [Int] { [n, c, h, w] }
    public var description: String { "[\(n), \(c), \(h), \(w)]" }
}

/// A contiguous Float32 buffer with an NCHW shape. It owns its memory; `reshape` reuses it as long
/// as the new shape fits in the capacity, which is how layers keep their activations and
/// workspaces across steps without allocating.
public final class Tensor {
    public private(set) var shape: Shape
    public let capacity: Int
    public let data: UnsafeMutablePointer<Float>

    public init(_ shape: Shape) {
        self.shape = shape
        self.capacity = max(shape.count, 1)
        self.data = .allocate(capacity: capacity)
        data.initialize(repeating: 0, count: capacity)
    }

    public convenience init(_ shape: Shape, _ values: [Float]) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        self.init(shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    public var count: Int { shape.count }
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: data, count: shape.count) }

    public func reshape(_ newShape: Shape) {
        precondition(newShape.count <= capacity, "shape \(newShape) exceeds capacity \(capacity)")
        shape = newShape
    }

    /// Large tensors are filled by the worker pool (a training step zeroes every gradient).
    public func zero() { fill(0) }
    public func fill(_ value: Float) {
        parallelChunks(shape.count, FillJob(data: data, value: value)) { raw, lo, hi in
            let j = raw.load(as: FillJob.self)
            (j.data + lo).update(repeating: j.value, count: hi - lo)
        }
    }

    public func copy(from other: Tensor) {
        reshape(other.shape)
        data.update(from: other.data, count: other.count)
    }

    public func copy(from values: [Float]) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    public func toArray() -> [Float] { Array(buffer) }

    /// Returns `slot` reshaped to `shape`, allocating a new tensor only when the slot is empty or too
    /// small: layers call this at the top of every forward/backward, so steady state is allocation-free.
    public static func reuse(_ slot: inout Tensor?, _ shape: Shape) -> Tensor {
        if let t = slot, t.capacity >= shape.count {
            t.reshape(shape)
            return t
        }
        let t = Tensor(shape)
        slot = t
        return t
    }
}

private struct FillJob {
    let data: UnsafeMutablePointer<Float>
    let value: Float
}
