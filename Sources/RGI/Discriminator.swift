import Engine

/// The tile discriminator D: the same convolution stack without batch norm, every weight layer
/// spectrally normalised, ending in one realism score per tile (hinge loss).
public enum DiscriminatorBuilder {
    public static func make(_ spec: GeneratorSpec, rng: inout SeededGenerator) -> Sequential {
        let widths = Array(spec.widths.reversed())
        var layers: [Layer] = [
            SpectralNorm(Conv2D(spec.channels, widths[0], kernel: 4, stride: 2, pad: 1, rng: &rng), rng: &rng),
            LeakyReLU(slope: 0.2),
        ]
        for (from, to) in zip(widths, widths.dropFirst()) {
            layers += [SpectralNorm(Conv2D(from, to, kernel: 4, stride: 2, pad: 1, rng: &rng), rng: &rng), LeakyReLU(slope: 0.2)]
        }
        layers += [Reshape(channels: widths.last! * 16, height: 1, width: 1),
                   SpectralNorm(Linear(widths.last! * 16, 1, rng: &rng), rng: &rng)]
        return Sequential(layers)
    }
}
