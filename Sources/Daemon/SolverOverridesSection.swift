import RGI

/// A product's `[solver]` config section as overrides of the bundle's solver settings.
extension SolverOverrides {
    static func read(_ section: ConfigSection) throws(ConfigError) -> SolverOverrides {
        var o = SolverOverrides()
        o.mode = try section.choice("mode", of: SolverSettings.Mode.self)
        o.score = try section.choice("score", of: SolverSettings.Score.self)
        o.steps = try section.integer("steps", in: 0...100_000)
        o.restoreSteps = try section.integer("restore_steps", in: 0...100_000)
        o.lambda = try section.number("lambda", in: 0...1_000).map(Float.init)
        o.blurSigma = try section.number("blur", in: 0...100).map(Float.init)
        o.restarts = try section.integer("restarts", in: 0...1_000)
        o.learningRateZ = try section.number("learning_rate_z", in: 0...10).map(Float.init)
        o.learningRateTheta = try section.number("learning_rate_theta", in: 0...10).map(Float.init)
        o.thetaStart = try section.number("theta_start", in: 0...1)
        o.proximity = try section.number("proximity", in: 0...1e9).map(Float.init)
        o.padding = try section.integer("padding", in: -1...4096)
        o.earlyStopTolerance = try section.number("early_stop_tolerance", in: 0...1).map(Float.init)
        try section.finish()
        return o
    }
}
