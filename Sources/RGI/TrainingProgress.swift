/// One report from the training loop, for progress bars and logs.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var elapsed: Double
    public var budget: Double
    public var tilesPerSecond: Double
    /// L1 reconstruction loss of the encoder–generator pair (pixels in [-1, 1]).
    public var reconstruction: Float
    /// −mean D(G(z)) as the generator sees it.
    public var adversarial: Float
    /// Hinge losses of the discriminator on real and generated tiles.
    public var discriminatorReal: Float
    public var discriminatorFake: Float

    public var remaining: Double { max(0, budget - elapsed) }
}
