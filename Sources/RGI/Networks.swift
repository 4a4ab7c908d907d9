import Engine

/// The three networks of a product model, built from one spec.
public final class Networks {
    public let spec: GeneratorSpec
    public let generator: Sequential
    public let encoder: Sequential
    public let discriminator: Sequential

    public init(spec: GeneratorSpec, seed: UInt64) {
        self.spec = spec
        var rng = SeededGenerator(seed: seed)
        generator = GeneratorBuilder.make(spec, rng: &rng)
        encoder = EncoderBuilder.make(spec, rng: &rng)
        discriminator = DiscriminatorBuilder.make(spec, rng: &rng)
    }
}

/// Copies every saved tensor (parameters and buffers) of `source` into `target`, which must have
/// the same architecture.
func copyTensors(from source: Layer, to target: Layer) {
    for (s, t) in zip(source.namedTensors, target.namedTensors) {
        precondition(s.name == t.name && s.tensor.count == t.tensor.count, "architectures differ at \(s.name)")
        t.tensor.data.update(from: s.tensor.data, count: s.tensor.count)
    }
}
