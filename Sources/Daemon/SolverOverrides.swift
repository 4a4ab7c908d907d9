import RGI

/// A product's `[solver]` settings: each one given replaces the bundle's own.
public struct SolverOverrides: Sendable, Equatable {
    public var mode: SolverSettings.Mode?
    public var steps: Int?
    public var lambda: Float?
    public var blurSigma: Float?
    public var restarts: Int?
    public var learningRateZ: Float?
    public var learningRateTheta: Float?
    public var earlyStopTolerance: Float?

    public init() {}

    public func applied(to base: SolverSettings) -> SolverSettings {
        var s = base
        if let mode { s.mode = mode }
        if let steps { s.steps = steps }
        if let lambda { s.lambda = lambda }
        if let blurSigma { s.blurSigma = blurSigma }
        if let restarts { s.restarts = restarts }
        if let learningRateZ { s.learningRateZ = learningRateZ }
        if let learningRateTheta { s.learningRateTheta = learningRateTheta }
        if let earlyStopTolerance { s.earlyStopTolerance = earlyStopTolerance }
        return s
    }

    static func read(_ section: ConfigSection) throws(ConfigError) -> SolverOverrides {
        var o = SolverOverrides()
        if let name = try section.string("mode") {
            guard let mode = SolverSettings.Mode(rawValue: name) else {
                let modes = SolverSettings.Mode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw section.error("mode", "must be one of \(modes), not \"\(name)\"")
            }
            o.mode = mode
        }
        o.steps = try section.integer("steps", in: 0...100_000)
        o.lambda = try section.number("lambda", in: 0...1_000).map(Float.init)
        o.blurSigma = try section.number("blur", in: 0...100).map(Float.init)
        o.restarts = try section.integer("restarts", in: 0...1_000)
        o.learningRateZ = try section.number("learning_rate_z", in: 0...10).map(Float.init)
        o.learningRateTheta = try section.number("learning_rate_theta", in: 0...10).map(Float.init)
        o.earlyStopTolerance = try section.number("early_stop_tolerance", in: 0...1).map(Float.init)
        try section.finish()
        return o
    }
}
