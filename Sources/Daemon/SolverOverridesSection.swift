import RGI

/// A product's `[solver]` config section as overrides of the bundle's solver settings.
extension SolverOverrides {
    static func read(_ section: ConfigSection) throws(ConfigError) -> SolverOverrides {
        var o = SolverOverrides()
        o.mode = try section.choice("mode", of: SolverSettings.Mode.self)
        o.score = try section.choice("score", of: SolverSettings.Score.self)
        typealias Limits = SolverOverrides.Limits
        o.steps = try section.integer("steps", in: Limits.steps)
        o.restoreSteps = try section.integer("restore_steps", in: Limits.steps)
        o.lambda = try section.number("lambda", in: Limits.lambda).map(Float.init)
        o.blurSigma = try section.number("blur", in: Limits.blurSigma).map(Float.init)
        o.restarts = try section.integer("restarts", in: Limits.restarts)
        o.learningRateZ = try section.number("learning_rate_z", in: Limits.learningRate).map(Float.init)
        o.learningRateTheta = try section.number("learning_rate_theta", in: Limits.learningRate).map(Float.init)
        o.thetaStart = try section.number("theta_start", in: Limits.thetaStart)
        o.proximity = try section.number("proximity", in: Limits.proximity).map(Float.init)
        o.padding = try section.integer("padding", in: Limits.padding)
        o.earlyStopTolerance = try section.number("early_stop_tolerance", in: Limits.earlyStopTolerance).map(Float.init)
        try section.finish()
        return o
    }
}
