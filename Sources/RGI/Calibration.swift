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
    public static let defaultMinArea = 64

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
        let outputs = inspectGood(detector: detector, images: images)
        return thresholds(outputs, images: images, detector: detector) { _ in minArea }
    }

    /// The detector's outputs on good images, with both evidences where it has a texture critic,
    /// and its residual scale set from them.
    static func inspectGood(detector: Detector, images: [TrainingImages.Item]) -> [Detector.Output] {
        precondition(!images.isEmpty, "calibration needs held-out images")
        let saved = detector.settings.score
        // The combined score computes both evidences; each score's maps are formed from them later.
        if detector.texture != nil { detector.settings.score = .combined }
        defer { detector.settings.score = saved }
        let outputs = images.map { detector.inspect(planes: $0.planes, width: $0.width, height: $0.height, minArea: defaultMinArea) }
        detector.residualScale = max(quantile(outputs.compactMap(\.residual).flatMap { $0 }, pixelQuantile), 1e-6)
        return outputs
    }

    /// Thresholds for every score from the detector's outputs on good images, each score with its
    /// own minimum defect area.
    static func thresholds(_ outputs: [Detector.Output], images: [TrainingImages.Item], detector: Detector,
                           minArea: (SolverSettings.Score) -> Int) -> Result {
        var l1: Double = 0, count = 0
        for (out, item) in zip(outputs, images) {
            guard let reconstruction = out.reconstruction else { continue }
            for (a, b) in zip(reconstruction, item.planes) { l1 += Double(abs(a - b)) }
            count += item.planes.count
        }
        var thresholds: [SolverSettings.Score: Thresholds] = [:], goodScores: [Float] = []
        for kind in detector.texture == nil ? [.residual] : SolverSettings.Score.allCases {
            var scores: [Float] = [], pixels: [Float] = []
            let area = minArea(kind)
            for out in outputs {
                let map = Detector.combine(kind, residual: out.residual, texture: out.texture, residualScale: detector.residualScale)
                scores.append(AreaOpening.imageScore(map, width: out.width, height: out.height, minArea: area))
                pixels += map
            }
            let image = robustLogNormalQuantile(scores, z: imageZ)
            thresholds[kind] = Thresholds(pixel: min(image, quantile(pixels, pixelQuantile)), minArea: area, image: image)
            if kind == detector.scoreKind { goodScores = scores }
        }
        return Result(thresholds: thresholds, goodScores: goodScores, residualScale: detector.residualScale,
                      reconstructionL1: Float(l1 / Double(max(count, 1))))
    }

    /// Calibrates every solver mode and score and records the result in the manifest; the texture
    /// critic's scale is first set from the same images, and with a critic the product's score and
    /// each score's minimum defect area are chosen on synthetic defects (`chooseScore`; a given
    /// `minArea` is used as it is), then the restoring steps (`chooseRestoreSteps`). The default mode's
    /// and score's thresholds become `thresholds`.
    /// Returns the plain-inversion reconstruction error.
    @discardableResult
    public static func calibrateAllModes(detector: Detector, images: [TrainingImages.Item], minArea: Int?,
                                         manifest: inout Manifest, report: (SolverSettings.Mode, Result) -> Void = { _, _ in },
                                         chose: (ScoreChoice) -> Void = { _ in },
                                         choseRestoring: (RestoreChoice) -> Void = { _ in }) -> Float {
        precondition(!images.isEmpty, "calibration needs held-out images")
        let saved = detector.settings.mode
        defer { detector.settings.mode = saved }
        try? detector.texture?.rescale(on: images)  // throws only for no images
        manifest.textureCritic = detector.texture
        var outputs: [SolverSettings.Mode: [Detector.Output]] = [:], scales: [String: Float] = [:]
        for mode in SolverSettings.Mode.allCases {
            detector.settings.mode = mode
            outputs[mode] = inspectGood(detector: detector, images: images)
            scales[mode.rawValue] = detector.residualScale
        }
        manifest.residualScale = scales
        detector.settings.mode = saved
        detector.residualScale = manifest.residualScale(for: saved)
        var areas: [SolverSettings.Score: Int] = [:]
        if detector.texture != nil {
            let choice = chooseScore(detector: detector, images: images, seed: manifest.training.options.seed,
                                     minAreas: minArea.map { [$0] } ?? minAreaCandidates, clean: outputs[saved])
            manifest.solver.score = choice.score
            areas = choice.minArea
            chose(choice)
        }
        let restoring = chooseRestoreSteps(detector: detector, images: images, seed: manifest.training.options.seed,
                                           score: manifest.solver.score)
        manifest.solver.restoreSteps = restoring.steps
        choseRestoring(restoring)
        var byKey: [String: Thresholds] = [:], inversionL1: Float = 0
        for mode in SolverSettings.Mode.allCases {
            detector.settings.mode = mode
            detector.residualScale = scales[mode.rawValue]!
            let result = thresholds(outputs[mode]!, images: images, detector: detector) { areas[$0] ?? minArea ?? defaultMinArea }
            for (kind, t) in result.thresholds { byKey[Manifest.calibrationKey(mode, kind)] = t }
            report(mode, result)
            if mode == .inversion { inversionL1 = result.reconstructionL1 }
        }
        manifest.calibration = byKey
        detector.residualScale = manifest.residualScale(for: saved)  // the mode itself is restored on return
        manifest.thresholds = manifest.thresholds(for: manifest.solver)
        return inversionL1
    }

    /// How well each score separated synthetic defects on the held-out images, the score chosen,
    /// and each score's minimum defect area.
    public struct ScoreChoice: Sendable, CustomStringConvertible {
        public var score: SolverSettings.Score
        /// Pixel AUROC of the synthetic defects' pixels against the clean images' pixels, per score.
        public var pixelAUROC: [SolverSettings.Score: Double]
        /// The minimum defect area chosen for each score.
        public var minArea: [SolverSettings.Score: Int]
        /// Per score and candidate area, the share of synthetic defects called at the image threshold
        /// the clean images give with that area.
        public var recall: [SolverSettings.Score: [Int: Double]]

        public var description: String {
            let each = SolverSettings.Score.allCases.map { "\($0.rawValue) \(String(format: "%.3f", pixelAUROC[$0] ?? .nan))" }
            let byArea = (recall[score] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) px \(String(format: "%.2f", $0.value))" }
            return "score: \(score.rawValue) (pixel AUROC on synthetic defects: \(each.joined(separator: ", "))); "
                + "min area \(minArea[score] ?? defaultMinArea) px (synthetic defects called: \(byArea.joined(separator: ", ")))"
        }
    }

    /// The combined score unless another separates defects better by more than this: the residual
    /// gives the combined score its masks and its few false calls where G reproduces the product.
    public static let scoreChoiceMargin = 0.01
    /// Minimum defect areas calibration chooses from, pixels. A larger area averages a noisy score
    /// over more pixels before the verdict, which separates defects that are large but faint (stains
    /// on a stochastic texture) from good texture's isolated peaks, but misses defects smaller than
    /// it: the synthetic defects decide (docs/METHOD.md).
    public static let minAreaCandidates = [16, 32, 64, 128, 256]
    /// The smallest area whose synthetic-defect recall is within this of the best is chosen.
    public static let minAreaRecallMargin = 0.02

    /// Chooses the product's score without a labelled defect: each held-out image (a crop of at most
    /// `TextureCritic.cropSide`, but at least a tile) is inspected clean and with one synthetic
    /// defect of each kind, and the score whose pixel AUROC is best wins, the combined score on a
    /// near tie. On a product the generator reproduces (brick) the residual adds to the texture
    /// evidence; on a stochastic texture (grass, gravel) it is noise that drowns it (docs/METHOD.md).
    /// For each score, the minimum defect area among `minAreas` is the one that calls the most
    /// defective crops at the image threshold calibration would set from the clean crops with it.
    /// The choice is made with the detector's mode (the bundle's default) and holds for every mode.
    /// `clean`: the detector's outputs on `images` in that mode with the combined score, if already
    /// computed; a crop that is the whole image reuses its output instead of being inspected again.
    public static func chooseScore(detector: Detector, images: [TrainingImages.Item], seed: UInt64,
                                   minAreas: [Int] = [defaultMinArea], clean: [Detector.Output]? = nil) -> ScoreChoice {
        precondition(!images.isEmpty && detector.texture != nil, "choosing a score needs held-out images and a texture critic")
        precondition(!minAreas.isEmpty, "at least one minimum area")
        let saved = detector.settings.score
        detector.settings.score = .combined
        defer { detector.settings.score = saved }
        var rng = SeededGenerator(seed: seed &+ 0x5C0E)
        let channels = detector.channels
        let (crops, width, height) = syntheticDefectCrops(images, detector: detector, rng: &rng)
        var maps = [SolverSettings.Score: [Float]](), labels: [Bool] = []
        func add(_ planes: [Float], mask: [Bool], known: Detector.Output? = nil) {
            let out = known ?? detector.inspect(planes: planes, width: width, height: height, minArea: 1)
            for kind in SolverSettings.Score.allCases {
                maps[kind, default: []] += Detector.combine(kind, residual: out.residual, texture: out.texture,
                                                            residualScale: detector.residualScale)
            }
            labels += mask
        }
        let cleanMask = [Bool](repeating: false, count: width * height)
        for (i, crop) in crops.enumerated() {
            let whole = images[i].width == width && images[i].height == height
            add(crop, mask: cleanMask, known: whole ? clean?[i] : nil)
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
        var aurocs: [SolverSettings.Score: Double] = [:], areas: [SolverSettings.Score: Int] = [:]
        var recalls: [SolverSettings.Score: [Int: Double]] = [:]
        let sortedAreas = minAreas.sorted()
        let defective = (0..<(labels.count / plane)).filter { $0 % perImage != 0 }
        for (kind, map) in maps {
            aurocs[kind] = auroc(zip(map, keep).filter(\.1).map(\.0), zip(labels, keep).filter(\.1).map(\.0))
            // Image scores of every crop at every candidate area; crop k is clean when k % perImage == 0.
            let scores = (0..<(map.count / plane)).map { k in
                AreaOpening.imageScores(Array(map[k * plane..<(k + 1) * plane]), width: width, height: height, minAreas: sortedAreas)
            }
            var recall: [Int: Double] = [:]
            for (j, area) in sortedAreas.enumerated() {
                let threshold = robustLogNormalQuantile(stride(from: 0, to: scores.count, by: perImage).map { scores[$0][j] }, z: imageZ)
                recall[area] = Double(defective.filter { scores[$0][j] > threshold }.count) / Double(max(defective.count, 1))
            }
            let best = recall.values.max()!
            areas[kind] = sortedAreas.first { recall[$0]! >= best - minAreaRecallMargin }!
            recalls[kind] = recall
        }
        // In a fixed order, so that a tie is broken the same way every run.
        let best = SolverSettings.Score.allCases.max { aurocs[$0]! < aurocs[$1]! }!
        let score = aurocs[.combined]! >= aurocs[best]! - scoreChoiceMargin ? .combined : best
        return ScoreChoice(score: score, pixelAUROC: aurocs, minArea: areas, recall: recalls)
    }

    /// The restoring solve's steps chosen on synthetic defects, with the restoration gain of each candidate.
    public struct RestoreChoice: Sendable, CustomStringConvertible {
        public var steps: Int
        /// Mean restoration PSNR gain (dB) inside the synthetic defects, per candidate number of steps.
        public var gainDB: [Int: Double]

        public var description: String {
            let each = gainDB.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value)) dB" }
            return "restore steps: \(steps) (restoration gain on synthetic defects: \(each.joined(separator: ", ")))"
        }
    }

    /// Restoring steps calibration chooses from.
    public static let restoreStepCandidates = [1, 3, 10]
    /// The fewest steps whose gain is within this of the best are chosen (fewer steps, less time).
    public static let restoreGainMarginDB = 0.1

    /// Chooses the restoring solve's steps without a labelled defect: each held-out image (a crop of at
    /// most `TextureCritic.cropSide`, but at least a tile) gets one synthetic defect, the kinds in turn,
    /// and is restored over the defect's own mask (grown as the detector grows an extent) with each
    /// candidate; the candidate whose mean PSNR gain inside the defect — clean image known — is best
    /// wins, the fewest steps on a near tie. On a stochastic texture the restoration is a guess of
    /// texture nobody saw, and a G(z) fitted longer draws detail that is not the part's; on a product G
    /// reproduces, more steps fit it closer (docs/METHOD.md, "How many restoring steps"). `score` is the
    /// product's: with the texture score alone the restoration starts without a first solve.
    public static func chooseRestoreSteps(detector: Detector, images: [TrainingImages.Item], seed: UInt64,
                                          score: SolverSettings.Score) -> RestoreChoice {
        precondition(!images.isEmpty, "choosing the restoring steps needs held-out images")
        let saved = detector.settings
        defer { detector.settings = saved }
        detector.settings.score = score
        var rng = SeededGenerator(seed: seed &+ 0x2E57)
        let channels = detector.channels, kinds = SyntheticDefects.Change.allCases
        let (crops, width, height) = syntheticDefectCrops(images, detector: detector, rng: &rng)
        var gains = [Int: [Double]]()
        for (i, clean) in crops.enumerated() {
            let (planes, mask) = SyntheticDefects.make(clean, donor: crops[(i + 1) % crops.count], width: width, height: height,
                                                       channels: channels, change: kinds[i % kinds.count], rng: &rng)
            let restoring = DefectMask.dilated(mask, width: width, height: height, radius: detector.restorationGrowth)
            let first = detector.scoreKind == .texture
                ? nil : detector.inspect(planes: planes, width: width, height: height, minArea: 1).reconstruction
            for steps in restoreStepCandidates {
                detector.settings.restoreSteps = steps
                let restored = detector.inpaint(planes: planes, width: width, height: height, mask: restoring, reconstruction: first)
                gains[steps, default: []].append(psnrGain(restored: restored, defective: planes, clean: clean, mask: mask))
            }
        }
        let mean = gains.mapValues { $0.reduce(0, +) / Double($0.count) }
        let best = mean.values.max()!
        return RestoreChoice(steps: restoreStepCandidates.first { mean[$0]! >= best - restoreGainMarginDB }!, gainDB: mean)
    }

    /// One crop of each held-out image to put synthetic defects on: at most `TextureCritic.cropSide`
    /// (the critic's own crops), but at least a tile, and no larger than the smallest image.
    static func syntheticDefectCrops(_ images: [TrainingImages.Item], detector: Detector,
                                     rng: inout SeededGenerator) -> (crops: [[Float]], width: Int, height: Int) {
        let width = min(images.map(\.width).min()!, max(TextureCritic.cropSide, detector.tile))
        let height = min(images.map(\.height).min()!, max(TextureCritic.cropSide, detector.tile))
        let crops = images.map { TextureCritic.crop($0, channels: detector.channels, width: width, height: height, rng: &rng) }
        return (crops, width, height)
    }

    /// PSNR(restored, clean) − PSNR(defective, clean) over the mask's pixels (every channel), dB.
    static func psnrGain(restored: [Float], defective: [Float], clean: [Float], mask: [Bool]) -> Double {
        let plane = mask.count
        var before = 0.0, after = 0.0
        for i in clean.indices where mask[i % plane] {
            before += Double((defective[i] - clean[i]) * (defective[i] - clean[i]))
            after += Double((restored[i] - clean[i]) * (restored[i] - clean[i]))
        }
        // Errors below one part in 10⁶ of a grey level count as that: no infinite gain.
        let floor = 1e-12 * Double(clean.count)
        return 10 * log10(max(before, floor) / max(after, floor))
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
