import Foundation

/// Thresholds from good images only. The bundle's detector runs on held-out good images; the image
/// threshold is the 99th percentile of a log-normal distribution fitted robustly (median and MAD of
/// the log scores) to their image scores, so that one or two unusual images among a few dozen do not
/// set it (an empirical 95th percentile of 30 scores is their second largest), and the mask threshold
/// is the 99.9th percentile of their pixel scores (so the mask follows a defect's extent without
/// spreading over good texture).
public enum Calibration {
    /// z-score of the 99th percentile of a normal distribution.
    public static let imageZ: Float = 2.326
    public static let pixelQuantile = 0.999
    public static let defaultMinArea = 16

    public struct Result: Sendable {
        public var thresholds: Thresholds
        /// Image scores of the held-out good images.
        public var goodScores: [Float]
        /// Mean |y − G(z)| of the detector's reconstruction (pixels in [-1, 1]).
        public var reconstructionL1: Float
    }

    /// Calibrates the detector's current mode.
    public static func calibrate(detector: Detector, images: [TrainingImages.Item], minArea: Int = defaultMinArea) -> Result {
        precondition(!images.isEmpty, "calibration needs held-out images")
        var scores: [Float] = [], pixels: [Float] = []
        var l1: Double = 0, count = 0
        for item in images {
            let out = detector.inspect(planes: item.planes, width: item.width, height: item.height, minArea: minArea)
            scores.append(out.imageScore)
            pixels += out.score
            for (a, b) in zip(out.reconstruction, item.planes) { l1 += Double(abs(a - b)) }
            count += item.planes.count
        }
        let image = robustLogNormalQuantile(scores, z: imageZ)
        let pixel = min(image, quantile(pixels, pixelQuantile))
        return Result(thresholds: Thresholds(pixel: pixel, minArea: minArea, image: image), goodScores: scores,
                      reconstructionL1: Float(l1 / Double(max(count, 1))))
    }

    /// Calibrates every solver mode and records the result in the manifest (the default mode's
    /// thresholds become `thresholds`); returns the plain-inversion reconstruction error.
    @discardableResult
    public static func calibrateAllModes(detector: Detector, images: [TrainingImages.Item], minArea: Int,
                                         manifest: inout Manifest, report: (SolverSettings.Mode, Result) -> Void = { _, _ in }) -> Float {
        let saved = detector.settings.mode
        defer { detector.settings.mode = saved }
        var byMode: [String: Thresholds] = [:], inversionL1: Float = 0
        for mode in SolverSettings.Mode.allCases {
            detector.settings.mode = mode
            let result = calibrate(detector: detector, images: images, minArea: minArea)
            byMode[mode.rawValue] = result.thresholds
            report(mode, result)
            if mode == .inversion { inversionL1 = result.reconstructionL1 }
        }
        manifest.calibration = byMode
        manifest.thresholds = byMode[manifest.solver.mode.rawValue]!
        return inversionL1
    }

    /// exp(median(log x) + z · 1.4826 · MAD(log x)): a normal fit to the logs that outliers do not move.
    static func robustLogNormalQuantile(_ values: [Float], z: Float) -> Float {
        let logs = values.map { Float.maximum($0, 1e-12) }.map { logf($0) }
        let median = quantile(logs, 0.5)
        let mad = quantile(logs.map { abs($0 - median) }, 0.5)
        return expf(median + z * 1.4826 * mad)
    }

    /// Linear-interpolation quantile (numpy's default).
    static func quantile(_ values: [Float], _ q: Double) -> Float {
        linearQuantile(sorted: values.sorted(), q)
    }
}
