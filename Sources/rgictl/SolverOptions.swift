import ArgumentParser
import Inspection
import RGI

/// Solver and threshold overrides shared by `inspect`, `evaluate` and `restore`; anything not
/// given comes from the bundle's manifest.
struct SolverOptions: ParsableArguments {
    @Option(help: "Solver mode: inversion, rgi or r-rgi.")
    var mode: SolverSettings.Mode?

    @Option(help: "Solver steps per frame.")
    var steps: Int?

    @Option(help: "Steps of the solve that restores a defective frame (default: the calibrated ones).")
    var restoreSteps: Int?

    @Option(help: "Sparsity weight λ of the outlier term.")
    var lambda: Float?

    @Option(help: "Adam learning rate of the latents.")
    var lrZ: Float?

    @Option(help: "Adam learning rate of the generator weights (r-rgi).")
    var lrTheta: Float?

    @Option(help: "Fraction of the steps before r-rgi starts tuning the generator.")
    var thetaStart: Double?

    @Option(help: "Proximity weight keeping tuned generator weights near the trained ones (r-rgi).")
    var proximity: Float?

    @Option(help: "Tile stride in pixels.")
    var stride: Int?

    @Option(help: "Mirrored border around the image before tiling, pixels (-1: a quarter tile).")
    var padding: Int?

    @Option(help: "Blur sigma of the residual in pixels (the texture critic blurs its own map).")
    var blur: Float?

    @Option(help: "Score map: residual (|y − G(z)|), texture (local statistics against good parts) or combined.")
    var score: SolverSettings.Score?

    @Option(help: "Mask threshold: pixels above it join a defect region (default: calibrated).")
    var pixelThreshold: Float?

    @Option(help: "Decision threshold: a region scoring above it over min-area pixels is a defect (default: calibrated).")
    var imageThreshold: Float?

    @Option(help: "Minimum defect area in pixels (default: the calibrated one).")
    var minArea: Int?

    /// The ranges the daemon's config accepts for the same settings (`SolverOverrides.Limits`).
    func validate() throws {
        typealias Limits = SolverOverrides.Limits
        func check<T: Comparable>(_ value: T?, _ name: String, _ range: ClosedRange<T>) throws {
            guard let value, !range.contains(value) else { return }
            throw ValidationError("--\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        try check(steps, "steps", Limits.steps)
        try check(restoreSteps, "restore-steps", Limits.steps)
        try check(lambda.map(Double.init), "lambda", Limits.lambda)
        try check(lrZ.map(Double.init), "lr-z", Limits.learningRate)
        try check(lrTheta.map(Double.init), "lr-theta", Limits.learningRate)
        try check(thetaStart, "theta-start", Limits.thetaStart)
        try check(proximity.map(Double.init), "proximity", Limits.proximity)
        try check(stride, "stride", Limits.stride)
        try check(padding, "padding", Limits.padding)
        try check(blur.map(Double.init), "blur", Limits.blurSigma)
        try check(minArea, "min-area", 1...100_000_000)
    }

    func settings(_ base: SolverSettings) -> SolverSettings {
        var o = SolverOverrides()
        o.mode = mode; o.steps = steps; o.restoreSteps = restoreSteps; o.lambda = lambda; o.blurSigma = blur
        o.learningRateZ = lrZ; o.learningRateTheta = lrTheta; o.thetaStart = thetaStart; o.proximity = proximity
        o.stride = stride; o.padding = padding; o.score = score
        return o.applied(to: base)
    }

    /// An inspector for the bundle with these overrides; thresholds not given come from the
    /// bundle's calibration for the solver mode in force.
    func inspector(for bundle: ModelBundle) -> Inspector {
        let s = settings(bundle.manifest.solver)
        return Inspector(bundle: bundle, settings: s, thresholds: thresholds(bundle.manifest.thresholds(for: s)))
    }

    func thresholds(_ base: Thresholds) -> Thresholds {
        var t = base
        if let imageThreshold { t.image = imageThreshold; t.pixel = min(t.pixel, imageThreshold) }
        if let pixelThreshold { t.pixel = pixelThreshold }
        if let minArea { t.minArea = minArea }
        return t
    }
}

extension SolverSettings.Mode: ExpressibleByArgument {}
extension SolverSettings.Score: ExpressibleByArgument {}
