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

    /// The values each setting accepts, the same in the daemon's config and on rgictl's command line:
    /// a negative step count or a zero stride would stop the solver, not the command.
    public enum Limits {
        public static let steps = 0...100_000
        public static let lambda: ClosedRange<Double> = 0...1_000
        public static let blurSigma: ClosedRange<Double> = 0...100
        public static let restarts = 0...1_000
        public static let learningRate: ClosedRange<Double> = 0...10
        public static let thetaStart: ClosedRange<Double> = 0...1
        public static let proximity: ClosedRange<Double> = 0...1e9
        public static let stride = 1...4_096
        public static let padding = -1...4_096
        public static let earlyStopTolerance: ClosedRange<Double> = 0...1
    }

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
