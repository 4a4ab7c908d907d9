/// Settings of `rgictl train`. Defaults are the measured recipe (docs/METHOD.md): 64×64 tiles,
/// latent 128, generator trained jointly with an encoder on L1 reconstruction plus a hinge
/// adversarial term from a spectrally normalised tile discriminator.
public struct TrainingOptions: Codable, Equatable, Sendable {
    public var tile = 64
    public var latent = 128
    public var baseWidth = 32
    public var batch = 32
    /// Wall-clock budget for the training loop, seconds (calibration comes after it).
    public var seconds: Double = 600
    /// Stop after this many steps even if time is left (tests, reproducible runs).
    public var maxSteps: Int?
    /// Adam learning rate of generator and encoder (cosine-decayed to a tenth over the budget).
    public var learningRate: Float = 1e-3
    public var discriminatorLearningRate: Float = 2e-4
    /// Weight of the adversarial term in the generator's loss; 0 turns the discriminator off.
    public var adversarialWeight: Float = 0.05
    /// Extra random latents per batch, as a fraction of the batch, so that G also learns to
    /// make realistic tiles from latents the encoder never produced.
    public var randomLatentFraction: Double = 0.25
    /// Weight of the moment penalty that keeps encoded latents near N(0, I).
    public var latentWeight: Float = 0.01
    public var flips = true
    public var seed: UInt64 = 1
    /// Share of the good images held out for calibration.
    public var holdout: Double = 0.15
    /// Crops of each good image the texture critic learns from (nil, as in older bundles: the default).
    public var criticCrops: Int?

    public init() {}

    var generatorSpec: GeneratorSpec {
        GeneratorSpec(latent: latent, tile: tile, channels: 1, baseWidth: baseWidth)
    }
}
