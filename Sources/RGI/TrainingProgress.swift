/// One report from the training loop, for progress bars and logs.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var elapsed: Double
    public var budget: Double
    /// Share of the training done: of the time budget or of the step cap, whichever is further.
    public var fraction: Double
    public var tilesPerSecond: Double
    /// L1 reconstruction loss of the encoder–generator pair (pixels in [-1, 1]).
    public var reconstruction: Float
    /// −mean D(G(z)) as the generator sees it.
    public var adversarial: Float
    /// Hinge losses of the discriminator on real and generated tiles.
    public var discriminatorReal: Float
    public var discriminatorFake: Float

    /// Seconds left, extrapolated from the progress so far.
    public var remaining: Double { fraction > 0 ? max(0, elapsed * (1 - fraction) / fraction) : budget }
}
