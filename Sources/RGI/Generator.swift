import Engine

/// The shape of a DCGAN-style generator: latent → 4×4 feature map → transposed convolutions
/// (kernel 4, stride 2, pad 1) doubling the size up to `tile`, batch norm and ReLU between,
/// tanh at the output. Channel widths halve on the way up, from `baseWidth·tile/8` (capped at
/// `maxWidth`) at 4×4 down to `baseWidth` before the output layer.
public struct GeneratorSpec: Codable, Equatable, Sendable {
    public var latent: Int
    public var tile: Int
    public var channels: Int
    public var baseWidth: Int
    public var maxWidth: Int

    public init(latent: Int, tile: Int, channels: Int, baseWidth: Int, maxWidth: Int = 512) {
        self.latent = latent; self.tile = tile; self.channels = channels
        self.baseWidth = baseWidth; self.maxWidth = maxWidth
    }

    /// The engine benchmark's reference generator: 128×128 greyscale output, latent 128.
    public static let benchmark128 = GeneratorSpec(latent: 128, tile: 128, channels: 1, baseWidth: 32)

    public enum Invalid: Error, CustomStringConvertible {
        case tile(Int), channels(Int), width(String)
        public var description: String {
            switch self {
            case .tile(let t): return "tile size \(t) must be a power of two between 8 and 512"
            case .channels(let c): return "channels must be 1 or 3, got \(c)"
            case .width(let s): return s
            }
        }
    }

    public func validate() throws {
        guard tile >= 8, tile <= 512, tile & (tile - 1) == 0 else { throw Invalid.tile(tile) }
        guard channels == 1 || channels == 3 else { throw Invalid.channels(channels) }
        guard latent > 0, baseWidth > 0, maxWidth >= baseWidth else {
            throw Invalid.width("latent (\(latent)), base width (\(baseWidth)) and max width (\(maxWidth)) must be positive, max ≥ base")
        }
    }

    /// Channel widths of the hidden feature maps from 4×4 up to tile/2.
    public var widths: [Int] {
        var sizes: [Int] = []
        var s = 4
        while s < tile { sizes.append(s); s *= 2 }
        return sizes.map { min(maxWidth, baseWidth * tile / (2 * $0)) }
    }
}

public enum GeneratorBuilder {
    /// Layer order (PyTorch `nn.Sequential` indices): 0 Linear, 1 Reshape, 2 BatchNorm, 3 ReLU,
    /// then per upsampling stage ConvTranspose2d, BatchNorm, ReLU, and last ConvTranspose2d, Tanh.
    public static func make(_ spec: GeneratorSpec, rng: inout SeededGenerator) -> Sequential {
        let widths = spec.widths
        var layers: [Layer] = [
            Linear(spec.latent, widths[0] * 16, bias: false, rng: &rng),
            Reshape(channels: widths[0], height: 4, width: 4),
            BatchNorm(widths[0]), ReLU(),
        ]
        for (from, to) in zip(widths, widths.dropFirst()) {
            layers += [ConvTranspose2D(from, to, kernel: 4, stride: 2, pad: 1, bias: false, rng: &rng), BatchNorm(to), ReLU()]
        }
        layers += [ConvTranspose2D(widths.last!, spec.channels, kernel: 4, stride: 2, pad: 1, bias: true, rng: &rng), Tanh()]
        return Sequential(layers)
    }
}
