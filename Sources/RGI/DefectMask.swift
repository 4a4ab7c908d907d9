/// The defect mask: where the defects are (the hysteresis extent of `AreaOpening`) and what shape
/// they have. Scores spread beyond a defect (the residual is blurred, texture statistics are taken
/// over windows of σ up to 8 px), so the extent is larger than the defect; every extent region is
/// cut at `peakFraction` of its own peak, on the evidence that localises it best (docs/METHOD.md).
public struct DefectMask: Sendable {
    /// Every pixel of the shaped defects.
    public let mask: [Bool]
    /// The hysteresis regions the defects were found in (a superset of `mask`): one region per defect,
    /// even where the cut splits a thin defect into pieces.
    public let extent: [Bool]

    /// Fraction of a region's peak that its shaped mask keeps. Measured on the benchmark (brick, r-rgi,
    /// combined score): pooled mask F1 0.41 uncut, 0.57 at 0.3–0.4 on the score, 0.68 with the
    /// residual rule below; 0.5 and above cut stains and pasted patches short.
    public static let peakFraction: Float = 0.4

    /// - Parameters:
    ///   - score: the score map the thresholds apply to.
    ///   - localEvidence: a per-pixel evidence in the score's units (1 = good parts' 99.9th percentile)
    ///     that localises better than the score, or nil. A region is shaped by it where it reaches 1
    ///     inside the region (the evidence itself finds the defect there), otherwise by the score.
    public init(score: [Float], localEvidence: [Float]? = nil, width: Int, height: Int, thresholds: Thresholds) {
        precondition(score.count == width * height && (localEvidence?.count ?? score.count) == score.count,
                     "score maps do not match \\(width)×\\(height)")
        extent = AreaOpening.extent(score, width: width, height: height, thresholds: thresholds)
        let regions = ConnectedComponents.label(extent, width: width, height: height)
        var localPeak = [Float](repeating: -.infinity, count: regions.count + 1)
        var scorePeak = localPeak
        for (i, l) in regions.labels.enumerated() where l > 0 {
            scorePeak[l] = max(scorePeak[l], score[i])
            if let localEvidence { localPeak[l] = max(localPeak[l], localEvidence[i]) }
        }
        var mask = [Bool](repeating: false, count: score.count)
        for (i, l) in regions.labels.enumerated() where l > 0 {
            if let localEvidence, localPeak[l] >= 1 {
                mask[i] = localEvidence[i] >= Self.peakFraction * localPeak[l]
            } else {
                mask[i] = score[i] >= Self.peakFraction * scorePeak[l]
            }
        }
        self.mask = mask
    }
}
