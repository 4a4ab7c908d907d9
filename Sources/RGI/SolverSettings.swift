/// Settings of the inspection solver, stored in the bundle's manifest and overridable per product
/// in the daemon's config and on the command line.
public struct SolverSettings: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, CaseIterable, Sendable {
        /// Plain GAN inversion: min_z ‖y − G(z)‖², score |y − G(z)| (the baseline).
        case inversion
        /// Robust inversion: min_{z,s} ‖y − G(z) − s‖² + λ‖s‖₁ (paper eq. 3).
        case rgi
        /// Relaxed RGI: RGI, then also G's weights θ, kept near θ₀ (paper eq. 5).
        case rrgi = "r-rgi"
    }

    /// What the score map shows (docs/METHOD.md, "stochastic textures").
    public enum Score: String, Codable, CaseIterable, Sendable {
        /// |y − G(z)|, blurred: the paper's residual.
        case residual
        /// The texture critic's score alone: how unlike good texture the frame's local statistics are.
        case texture
        /// The larger of the residual (in units of good pixels' 99.9th percentile) and the texture score.
        case combined

        /// The score a detector shows for this setting: the residual when there is no texture critic.
        public func shown(hasTexture: Bool) -> Score { hasTexture ? self : .residual }
    }

    public var mode: Mode = .rrgi
    /// Solver iterations per frame (upper bound: early stopping may end sooner).
    public var steps = 10
    /// Iterations of the restoring solve (`Detector.inpaint`), nil: `steps`. Calibration chooses it on
    /// synthetic defects: on a stochastic texture a G(z) fitted longer draws detail that is not the part's.
    public var restoreSteps: Int?
    /// Adam learning rate of the latents.
    public var learningRateZ: Float = 0.1
    /// Adam learning rate of the generator weights (R-RGI).
    public var learningRateTheta: Float = 5e-4
    /// Fraction of the steps done before R-RGI starts moving θ (the paper starts late).
    public var thetaStart: Double = 0.25
    /// Proximity weight μ of μ·mean((θ − θ₀)²) that keeps the tuned generator near the trained one.
    public var proximity: Float = 10
    /// Sparsity weight λ of the outlier term, in the units of pixels scaled to [-1, 1].
    public var lambda: Float = 0.2
    /// Random latent draws per tile besides the encoder's z₀; the best start wins.
    public var restarts = 0
    /// Stop when the objective falls by less than this fraction for 3 steps in a row.
    public var earlyStopTolerance: Float = 1e-3
    /// Tile stride in pixels (tile size comes from the architecture).
    public var stride = 48
    /// Mirrored border added around the image before tiling, pixels, so that border pixels sit inside
    /// tiles rather than at their edges, where a generator reproduces worst (-1: a quarter tile).
    public var padding = -1
    /// Gaussian blur of the score map, pixels (0: none).
    public var blurSigma: Float = 2
    /// The evidence the score map shows; bundles without a texture critic always show the residual.
    public var score: Score = .combined

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case mode, steps, restoreSteps, learningRateZ, learningRateTheta, thetaStart, proximity, lambda, restarts
        case earlyStopTolerance, stride, padding, blurSigma, score
    }

    /// Missing keys take their defaults, so manifests written before a setting existed still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SolverSettings()
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? d.mode
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        restoreSteps = try c.decodeIfPresent(Int.self, forKey: .restoreSteps)
        learningRateZ = try c.decodeIfPresent(Float.self, forKey: .learningRateZ) ?? d.learningRateZ
        learningRateTheta = try c.decodeIfPresent(Float.self, forKey: .learningRateTheta) ?? d.learningRateTheta
        thetaStart = try c.decodeIfPresent(Double.self, forKey: .thetaStart) ?? d.thetaStart
        proximity = try c.decodeIfPresent(Float.self, forKey: .proximity) ?? d.proximity
        lambda = try c.decodeIfPresent(Float.self, forKey: .lambda) ?? d.lambda
        restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? d.restarts
        earlyStopTolerance = try c.decodeIfPresent(Float.self, forKey: .earlyStopTolerance) ?? d.earlyStopTolerance
        stride = try c.decodeIfPresent(Int.self, forKey: .stride) ?? d.stride
        padding = try c.decodeIfPresent(Int.self, forKey: .padding) ?? d.padding
        blurSigma = try c.decodeIfPresent(Float.self, forKey: .blurSigma) ?? d.blurSigma
        // Bundles from before the texture evidence scored the residual.
        score = try c.decodeIfPresent(Score.self, forKey: .score) ?? .residual
    }
}
