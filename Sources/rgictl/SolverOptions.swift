import ArgumentParser
import RGI

/// Solver and threshold overrides shared by `inspect`, `evaluate` and `restore`; anything not
/// given comes from the bundle's manifest.
struct SolverOptions: ParsableArguments {
    @Option(help: "Solver mode: inversion, rgi or r-rgi.")
    var mode: SolverSettings.Mode?

    @Option(help: "Solver steps per frame.")
    var steps: Int?

    @Option(help: "Sparsity weight λ of the outlier term.")
    var lambda: Float?

    @Option(help: "Tile stride in pixels.")
    var stride: Int?

    @Option(help: "Score-map blur sigma in pixels.")
    var blur: Float?

    @Option(help: "Pixel score threshold (default: the calibrated one).")
    var pixelThreshold: Float?

    @Option(help: "Minimum defect area in pixels (default: the calibrated one).")
    var minArea: Int?

    func settings(_ base: SolverSettings) -> SolverSettings {
        var s = base
        if let mode { s.mode = mode }
        if let steps { s.steps = steps }
        if let lambda { s.lambda = lambda }
        if let stride { s.stride = stride }
        if let blur { s.blurSigma = blur }
        return s
    }

    func thresholds(_ base: Thresholds) -> Thresholds {
        var t = base
        if let pixelThreshold { t.pixel = pixelThreshold; t.image = pixelThreshold }
        if let minArea { t.minArea = minArea }
        return t
    }
}

extension SolverSettings.Mode: ExpressibleByArgument {}
