import Foundation
import Imaging
import RGI

/// Inspects frames with one product model: converts the frame to the model's channels and
/// normalisation, runs the tiled R-RGI detector, thresholds the score map into a mask of
/// defect regions, and restores the part. Not thread-safe: one inspector per inspecting task.
public final class Inspector {
    public let bundle: ModelBundle
    public let detector: Detector
    public var thresholds: Thresholds

    public enum InspectError: Error, CustomStringConvertible {
        case tooSmall(source: String, width: Int, height: Int, tile: Int)
        public var description: String {
            switch self {
            case let .tooSmall(s, w, h, t): return "\(s): frame is \(w)×\(h), smaller than the model's \(t)×\(t) tile"
            }
        }
    }

    /// `settings` and `thresholds` override the bundle's own (config and command line); without
    /// `thresholds`, those calibrated for the solver mode in force apply.
    public init(bundle: ModelBundle, settings: SolverSettings? = nil, thresholds: Thresholds? = nil, maxTiles: Int = 16) {
        self.bundle = bundle
        let spec = bundle.manifest.architecture.generator
        let solver = Solver(generator: bundle.generator, encoder: bundle.encoder, latentSize: spec.latent,
                            maxTiles: maxTiles, settings: settings ?? bundle.manifest.solver)
        detector = Detector(solver: solver, tile: spec.tile, channels: spec.channels, maxTiles: maxTiles,
                            texture: bundle.manifest.textureCritic, residualScale: bundle.manifest.residualScale(for: solver.settings.mode))
        self.thresholds = thresholds ?? bundle.manifest.thresholds(for: solver.settings)
    }

    public func inspect(_ frameImage: Image, frame: FrameInfo) throws -> InspectionResult {
        let started = Date()
        let spec = bundle.manifest.architecture.generator
        guard frameImage.width >= spec.tile, frameImage.height >= spec.tile else {
            throw InspectError.tooSmall(source: frame.camera, width: frameImage.width, height: frameImage.height, tile: spec.tile)
        }
        let image = spec.channels == 1 ? frameImage.grey() : frameImage.rgb()
        let planes = ImageTensor.planes(image)
        let prepared = Date()
        let out = detector.inspect(planes: planes, width: image.width, height: image.height, minArea: thresholds.minArea)
        let solved = Date()
        var defects = DefectMask(score: out.score, localEvidence: out.scaledResidual, width: image.width, height: image.height,
                                 thresholds: thresholds)
        // The whole extent is restored: the shaped mask's edges and the gaps of a broken scratch are defect too.
        let inpaintStarted = Date()
        let restoring = DefectMask.dilated(defects.extent, width: image.width, height: image.height, radius: detector.restorationGrowth)
        var restoredPlanes = detector.inpaint(planes: planes, width: image.width, height: image.height, mask: restoring,
                                              reconstruction: out.reconstruction)
        // Nothing to restore costs only the dilation: it stays in postprocessing, and restore_ms is 0.
        let restores = restoring.contains(true)
        let restoreSeconds = restores ? Date().timeIntervalSince(inpaintStarted) : 0
        if detector.scoreKind == .texture && restores {
            let outliers = Detector.outliers(planes: planes, restored: restoredPlanes, channels: spec.channels)
            let shift = Detector.shifts(planes: planes, restored: restoredPlanes, width: image.width, height: image.height,
                                        channels: spec.channels)
            defects = defects.shapedByOutliers(outliers, shift: shift, restored: restoring, width: image.width,
                                               height: image.height, minArea: thresholds.minArea)
            if let level = detector.texture?.thinLevel {
                let thin = ThinLines.evidence(planes, width: image.width, height: image.height, channels: spec.channels, within: restoring)
                defects = defects.shapedByThinLines(thin.map { $0 / level }, width: image.width, height: image.height,
                                                    minArea: thresholds.minArea)
            }
        }
        defects = defects.withoutSpecks(width: image.width, height: image.height, minArea: thresholds.minArea)
        if restores {
            // A stain is the part's own texture darkened: divided out, it restores better than any drawing.
            restoredPlanes = StainRestoration.apply(planes: planes, restored: restoredPlanes, restoring: restoring, mask: defects.mask,
                                                    width: image.width, height: image.height, channels: spec.channels).planes
        }
        let regions = DefectRegions.find(defects, score: out.score, width: image.width)
        let restored = ImageTensor.image(planes: restoredPlanes, width: image.width, height: image.height, channels: spec.channels)
        let decision: Decision = out.imageScore > thresholds.image && !regions.isEmpty ? .defect : .ok
        let done = Date()
        let ms = { (a: Date, b: Date) in b.timeIntervalSince(a) * 1000 }
        return InspectionResult(
            product: bundle.manifest.product, modelVersion: bundle.manifest.modelVersion,
            mode: detector.settings.mode.rawValue, frame: frame, image: image,
            scores: ScoreMap(width: image.width, height: image.height, values: out.score),
            mask: defects.mask.map { $0 ? 255 : 0 }, restored: restored, imageScore: out.imageScore,
            decision: decision, regions: regions, thresholds: thresholds,
            timings: Timings(preprocessMs: ms(started, prepared), solveMs: ms(prepared, solved),
                             restoreMs: restoreSeconds * 1000,
                             postprocessMs: ms(solved, done) - restoreSeconds * 1000, totalMs: ms(started, done)))
    }
}

/// Defect regions: one per region of the defects' extent (so a thin defect that the mask's cut broke
/// into pieces stays one region), with the bounding box and area of its mask pixels, its peak score
/// (the extent's, which is what the verdict saw) and the mean score of its mask pixels.
public enum DefectRegions {
    public static func find(_ defects: DefectMask, score: [Float], width: Int) -> [DefectRegion] {
        let cc = defects.regions
        guard cc.count > 0 else { return [] }
        var minX = [Int](repeating: .max, count: cc.count + 1), minY = minX
        var maxX = [Int](repeating: .min, count: cc.count + 1), maxY = maxX
        var area = [Int](repeating: 0, count: cc.count + 1)
        var peak = [Float](repeating: -.infinity, count: cc.count + 1), sum = [Double](repeating: 0, count: cc.count + 1)
        for (i, l) in cc.labels.enumerated() where l > 0 {
            peak[l] = max(peak[l], score[i])
            guard defects.mask[i] else { continue }
            let x = i % width, y = i / width
            minX[l] = min(minX[l], x); maxX[l] = max(maxX[l], x); minY[l] = min(minY[l], y); maxY[l] = max(maxY[l], y)
            area[l] += 1; sum[l] += Double(score[i])
        }
        return (1...cc.count).filter { area[$0] > 0 }.map { l in
            DefectRegion(x: minX[l], y: minY[l], width: maxX[l] - minX[l] + 1, height: maxY[l] - minY[l] + 1,
                         area: area[l], peakScore: peak[l], meanScore: Float(sum[l] / Double(area[l])))
        }.sorted { $0.peakScore > $1.peakScore }
    }
}
