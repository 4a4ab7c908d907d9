/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64) so that weight
/// initialisation, crops and latent draws are reproducible from one integer seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }

    /// Standard normal (Box–Muller, both values used).
    public mutating func normal() -> Float {
        if let z = spareNormal { spareNormal = nil; return z }
        var u1: Float
        repeat { u1 = uniform() } while u1 <= Float.leastNormalMagnitude
        let u2 = uniform()
        let r = (-2 * Float.log(u1)).squareRoot()
        spareNormal = r * Float.sin(2 * .pi * u2)
        return r * Float.cos(2 * .pi * u2)
    }

    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float = 1) {
        for i in 0..<count { p[i] = mean + std * normal() }
    }
}

/// Weight initialisation schemes.
public enum Initialization: Sendable {
    /// He (Kaiming) normal: std = √(2 / fan_in), right for ReLU networks.
    case he
    /// N(0, std): DCGAN uses 0.02.
    case normal(std: Float)

    func standardDeviation(fanIn: Int) -> Float {
        switch self {
        case .he: return (2 / Float(max(fanIn, 1))).squareRoot()
        case .normal(let std): return std
        }
    }
}
