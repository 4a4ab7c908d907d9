import Engine
import Foundation

/// Thresholds from good images only. The bundle's detector runs on held-out good images; the image
/// threshold is the 99th percentile of a log-normal distribution fitted robustly (median and MAD of
/// the log scores) to their image scores, so that one or two unusual images among a few dozen do not
/// set it (an empirical 95th percentile of 30 scores is their second largest), and the mask threshold
/// is the 99.9th percentile of their pixel scores (so a defect's extent reaches beyond its peak without
/// spreading over good texture).
public enum Calibration {
    /// z-score of the 99th percentile of a normal distribution.
    public static let imageZ: Float = 2.326
    public static let pixelQuantile = 0.999
    public static let defaultMinArea = 16

    public struct Result: Sendable {
        /// Thresholds for each score the detector can show (only `.residual` without a texture critic).
        public var thresholds: [SolverSettings.Score: Thresholds]
        /// Image scores of the held-out good images, for the detector's own score.
        public var goodScores: [Float]
        /// The residual of good pixels at their 99.9th percentile.
        public var residualScale: Float
        /// Mean |y − G(z)| of the detector's reconstruction (pixels in [-1, 1]).
        public var reconstructionL1: Float
    }

    /// Calibrates the detector's current mode for every score, and sets its residual scale.
    public static func calibrate(detector: Detector, images: [TrainingImages.Item], minArea: Int = defaultMinArea) -> Result {
        precondition(!images.isEmpty, "calibration needs held-out images")
        let saved = detector.settings.score, shown = detector.scoreKind
        // The combined score computes both evidences; each score's maps are formed from them below.
        if detector.texture != nil { detector.settings.score = .combined }
        defer { detector.settings.score = saved }
        var outputs: [Detector.Output] = []
        var l1: Double = 0, count = 0
        for item in images {
            let out = detector.inspect(planes: item.planes, width: item.width, height: item.height, minArea: minArea)
            outputs.append(out)
            for (a, b) in zip(out.reconstruction, item.planes) { l1 += Double(abs(a - b)) }
            count += item.planes.count
        }
        detector.residualScale = max(quantile(outputs.flatMap(\.residual), pixelQuantile), 1e-6)
        var thresholds: [SolverSettings.Score: Thresholds] = [:], goodScores: [Float] = []
        for kind in detector.texture == nil ? [.residual] : SolverSettings.Score.allCases {
            var scores: [Float] = [], pixels: [Float] = []
            for out in outputs {
                let map = Detector.combine(kind, residual: out.residual, texture: out.texture, residualScale: detector.residualScale)
                scores.append(AreaOpening.imageScore(map, width: out.width, height: out.height, minArea: minArea))
                pixels += map
            }
            let image = robustLogNormalQuantile(scores, z: imageZ)
            thresholds[kind] = Thresholds(pixel: min(image, quantile(pixels, pixelQuantile)), minArea: minArea, image: image)
            if kind == shown { goodScores = scores }
        }
        return Result(thresholds: thresholds, goodScores: goodScores, residualScale: detector.residualScale,
                      reconstructionL1: Float(l1 / Double(max(count, 1))))
    }

    /// Calibrates every solver mode and score and records the result in the manifest; the texture
    /// critic's scale is first set from the same images, and with a critic the product's score is then
    /// chosen (`chooseScore`). The default mode's and score's thresholds become `thresholds`. Returns
    /// the plain-inversion reconstruction error.
    @discardableResult
    public static func calibrateAllModes(detector: Detector, images: [TrainingImages.Item], minArea: Int,
                                         manifest: inout Manifest, report: (SolverSettings.Mode, Result) -> Void = { _, _ in },
                                         chose: (ScoreChoice) -> Void = { _ in }) -> Float {
        precondition(!images.isEmpty, "calibration needs held-out images")
        let saved = detector.settings.mode
        defer { detector.settings.mode = saved }
        try? detector.texture?.rescale(on: images)  // throws only for no images
        manifest.textureCritic = detector.texture
        var byKey: [String: Thresholds] = [:], scales: [String: Float] = [:], inversionL1: Float = 0
        for mode in SolverSettings.Mode.allCases {
            detector.settings.mode = mode
            let result = calibrate(detector: detector, images: images, minArea: minArea)
            for (kind, t) in result.thresholds { byKey[Manifest.calibrationKey(mode, kind)] = t }
            scales[mode.rawValue] = result.residualScale
            report(mode, result)
            if mode == .inversion { inversionL1 = result.reconstructionL1 }
        }
        manifest.calibration = byKey
        manifest.residualScale = scales
        detector.settings.mode = saved
        detector.residualScale = manifest.residualScale(for: saved)
        if detector.texture != nil {
            let choice = chooseScore(detector: detector, images: images, seed: manifest.training.options.seed)
            manifest.solver.score = choice.score
            chose(choice)
        }
        manifest.thresholds = manifest.thresholds(for: manifest.solver)
        return inversionL1
    }

    /// How well each score separated synthetic defects on the held-out images, and the one chosen.
    public struct ScoreChoice: Sendable, CustomStringConvertible {
        public var score: SolverSettings.Score
        /// Pixel AUROC of the synthetic defects' pixels against the clean images' pixels, per score.
        public var pixelAUROC: [SolverSettings.Score: Double]

        public var description: String {
            let each = SolverSettings.Score.allCases.map { "\($0.rawValue) \(String(format: "%.3f", pixelAUROC[$0] ?? .nan))" }
            return "score: \(score.rawValue) (pixel AUROC on synthetic defects: \(each.joined(separator: ", ")))"
        }
    }

    /// The combined score unless another separates defects better by more than this: the residual
    /// gives the combined score its masks and its few false calls where G reproduces the product.
    public static let scoreChoiceMargin = 0.01

    /// Chooses the product's score without a labelled defect: each held-out image (a crop of at most
    /// `TextureCritic.cropSide`, but at least a tile) is inspected clean and with one synthetic
    /// defect of each kind, and the score whose pixel AUROC is best wins, the combined score on a
    /// near tie. On a product the generator reproduces (brick) the residual adds to the texture
    /// evidence; on a stochastic texture (grass, gravel) it is noise that drowns it (docs/METHOD.md).
    /// The choice is made with the detector's mode (the bundle's default) and holds for every mode.
    public static func chooseScore(detector: Detector, images: [TrainingImages.Item], seed: UInt64) -> ScoreChoice {
        precondition(!images.isEmpty && detector.texture != nil, "choosing a score needs held-out images and a texture critic")
        let saved = detector.settings.score
        detector.settings.score = .combined
        defer { detector.settings.score = saved }
        var rng = SeededGenerator(seed: seed &+ 0x5C0E)
        let channels = detector.channels
        let width = min(images.map(\.width).min()!, max(TextureCritic.cropSide, detector.tile))
        let height = min(images.map(\.height).min()!, max(TextureCritic.cropSide, detector.tile))
        let crops = images.map { TextureCritic.crop($0, channels: channels, width: width, height: height, rng: &rng) }
        var maps = [SolverSettings.Score: [Float]](), labels: [Bool] = []
        func add(_ planes: [Float], mask: [Bool]) {
            let out = detector.inspect(planes: planes, width: width, height: height, minArea: 1)
            for kind in SolverSettings.Score.allCases {
                maps[kind, default: []] += Detector.combine(kind, residual: out.residual, texture: out.texture,
                                                            residualScale: detector.residualScale)
            }
            labels += mask
        }
        let clean = [Bool](repeating: false, count: width * height)
        for (i, crop) in crops.enumerated() {
            add(crop, mask: clean)
            let donor = crops[(i + 1) % crops.count]
            for change in SyntheticDefects.Change.allCases {
                let (planes, mask) = SyntheticDefects.make(crop, donor: donor, width: width, height: height, channels: channels,
                                                           change: change, rng: &rng)
                add(planes, mask: mask)
            }
        }
        // Only defect pixels and the clean images' pixels: a defect's surroundings are neither.
        var keep = [Bool](repeating: false, count: labels.count)
        let plane = width * height, perImage = SyntheticDefects.Change.allCases.count + 1
        for i in labels.indices { keep[i] = labels[i] || (i / plane) % perImage == 0 }
        var aurocs: [SolverSettings.Score: Double] = [:]
        for (kind, map) in maps {
            aurocs[kind] = auroc(zip(map, keep).filter(\.1).map(\.0), zip(labels, keep).filter(\.1).map(\.0))
        }
        // In a fixed order, so that a tie is broken the same way every run.
        let best = SolverSettings.Score.allCases.max { aurocs[$0]! < aurocs[$1]! }!
        let score = aurocs[.combined]! >= aurocs[best]! - scoreChoiceMargin ? .combined : best
        return ScoreChoice(score: score, pixelAUROC: aurocs)
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
