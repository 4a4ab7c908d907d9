import Engine

/// The encoder E: tile → latent, the generator's mirror. Convolutions (kernel 4, stride 2, pad 1)
/// halve the size down to 4×4 with batch norm and LeakyReLU(0.2) between, then a linear layer
/// to the latent. It gives the solver its starting point z₀ = E(y), which saves most of the
/// inversion steps.
public enum EncoderBuilder {
    /// Layer order: Conv2d, LeakyReLU, then per stage Conv2d, BatchNorm, LeakyReLU, then Flatten
    /// (a Reshape) and Linear.
    public static func make(_ spec: GeneratorSpec, rng: inout SeededGenerator) -> Sequential {
        let widths = Array(spec.widths.reversed())  // tile/2 … 4×4
        var layers: [Layer] = [
            Conv2D(spec.channels, widths[0], kernel: 4, stride: 2, pad: 1, rng: &rng), LeakyReLU(slope: 0.2),
        ]
        for (from, to) in zip(widths, widths.dropFirst()) {
            layers += [Conv2D(from, to, kernel: 4, stride: 2, pad: 1, bias: false, rng: &rng), BatchNorm(to), LeakyReLU(slope: 0.2)]
        }
        layers += [Reshape(channels: widths.last! * 16, height: 1, width: 1),
                   Linear(widths.last! * 16, spec.latent, initialization: .normal(std: 0.02), rng: &rng)]
        return Sequential(layers)
    }
}
