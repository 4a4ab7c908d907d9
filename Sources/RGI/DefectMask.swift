/// The defect mask: where the defects are (the hysteresis extent of `AreaOpening`) and what shape
/// they have. Scores spread beyond a defect (the residual is blurred, texture statistics are taken
/// over windows of σ up to 8 px), so the extent is larger than the defect; every extent region is
/// cut at `peakFraction` of its own peak, on the evidence that localises it best (docs/METHOD.md).
public struct DefectMask: Sendable {
    /// Every pixel of the shaped defects.
    public let mask: [Bool]
    /// The hysteresis regions the defects were found in (a superset of `mask`): one region per defect,
    /// even where the cut splits a thin defect into pieces. The restored image replaces all of it.
    public let extent: [Bool]
    /// The extent's 4-connected regions.
    public let regions: ConnectedComponents

    /// Fraction of a region's peak that its shaped mask keeps, close to a half-maximum contour.
    /// Measured on the benchmark (docs/METHOD.md, "Shaping the mask").
    public static let peakFraction: Float = 0.4
    /// The local evidence's level of an unusual pixel: its calibrated good 99.9th percentile.
    public static let localEvidenceLevel: Float = 1

    /// - Parameters:
    ///   - score: the score map the thresholds apply to.
    ///   - localEvidence: a per-pixel evidence in the score's units (1 = good parts' 99.9th percentile)
    ///     that localises better than the score, or nil. A region is shaped by it where it finds a defect
    ///     there by itself — a connected patch of at least `minArea` pixels at `localEvidenceLevel` or
    ///     above, the rule of a verdict — and by the score otherwise.
    public init(score: [Float], localEvidence: [Float]? = nil, width: Int, height: Int, thresholds: Thresholds) {
        precondition(score.count == width * height && (localEvidence?.count ?? score.count) == score.count,
                     "score maps do not match \(width)×\(height)")
        regions = AreaOpening.extentRegions(score, width: width, height: height, thresholds: thresholds)
        extent = regions.labels.map { $0 > 0 }
        var shapedByLocal = [Bool](repeating: false, count: regions.count + 1)
        if let localEvidence {
            let unusual = ConnectedComponents.label(zip(extent, localEvidence).map { $0 && $1 >= Self.localEvidenceLevel },
                                                    width: width, height: height)
            var area = [Int](repeating: 0, count: unusual.count + 1)
            for l in unusual.labels where l > 0 { area[l] += 1 }
            for (i, l) in unusual.labels.enumerated() where l > 0 && area[l] >= max(1, thresholds.minArea) {
                shapedByLocal[regions.labels[i]] = true
            }
        }
        let shape = { (i: Int, region: Int) -> Float in
            if let localEvidence, shapedByLocal[region] { return localEvidence[i] }
            return score[i]
        }
        var peak = [Float](repeating: -.infinity, count: regions.count + 1)
        for (i, l) in regions.labels.enumerated() where l > 0 { peak[l] = max(peak[l], shape(i, l)) }
        var mask = [Bool](repeating: false, count: score.count)
        for (i, l) in regions.labels.enumerated() where l > 0 { mask[i] = shape(i, l) >= Self.peakFraction * peak[l] }
        self.mask = mask
    }

    /// A mask grown by `radius` pixels (a square neighbourhood), clipped at the frame's edges.
    public static func dilated(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        var out = mask
        for i in mask.indices where mask[i] {
            let x = i % width, y = i / width
            for yy in max(0, y - radius)...min(height - 1, y + radius) {
                for xx in max(0, x - radius)...min(width - 1, x + radius) { out[yy * width + xx] = true }
            }
        }
        return out
    }
}
