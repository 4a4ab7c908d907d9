/// Solver settings to replace the bundle's own: each one given wins. Filled from the daemon's
/// `[products.NAME.solver]` config section and from rgictl's command-line options alike.
public struct SolverOverrides: Sendable, Equatable {
    public var mode: SolverSettings.Mode?
    public var steps: Int?
    public var restoreSteps: Int?
    public var lambda: Float?
    public var blurSigma: Float?
    public var restarts: Int?
    public var learningRateZ: Float?
    public var learningRateTheta: Float?
    public var thetaStart: Double?
    public var proximity: Float?
    public var stride: Int?
    public var padding: Int?
    public var earlyStopTolerance: Float?
    public var score: SolverSettings.Score?

    public init() {}

    public func applied(to base: SolverSettings) -> SolverSettings {
        var s = base
        if let mode { s.mode = mode }
        if let steps { s.steps = steps }
        if let restoreSteps { s.restoreSteps = restoreSteps }
        if let lambda { s.lambda = lambda }
        if let blurSigma { s.blurSigma = blurSigma }
        if let restarts { s.restarts = restarts }
        if let learningRateZ { s.learningRateZ = learningRateZ }
        if let learningRateTheta { s.learningRateTheta = learningRateTheta }
        if let thetaStart { s.thetaStart = thetaStart }
        if let proximity { s.proximity = proximity }
        if let stride { s.stride = stride }
        if let padding { s.padding = padding }
        if let earlyStopTolerance { s.earlyStopTolerance = earlyStopTolerance }
        if let score { s.score = score }
        return s
    }
}
