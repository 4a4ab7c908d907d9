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

    /// Fraction of a region's peak that its shaped mask keeps: a half-maximum contour.
    /// Measured on the benchmark (docs/METHOD.md, "Shaping the mask", "The critic's blur and the mask's cut").
    public static let peakFraction: Float = 0.5
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
        let regions = AreaOpening.extentRegions(score, width: width, height: height, thresholds: thresholds)
        // Each region is cut on one evidence: the local one where it finds the defect, else the score.
        let shaping = localEvidence.map { local in
            let byLocal = Self.regionsFound(by: local, in: regions, width: width, height: height, minArea: thresholds.minArea)
            return regions.labels.indices.map { byLocal[regions.labels[$0]] ? local[$0] : score[$0] }
        } ?? score
        self.init(mask: Self.peakCut(shaping, regions: regions), extent: regions.labels.map { $0 > 0 }, regions: regions)
    }

    private init(mask: [Bool], extent: [Bool], regions: ConnectedComponents) {
        self.mask = mask; self.extent = extent; self.regions = regions
    }

    /// The defects as a product scored by texture alone restores them: `restored`, the extent grown
    /// by what `Detector.inpaint` replaces, becomes the extent, and each of its regions is shaped by the
    /// restoration's outliers where they find a defect by themselves, else by its shift where the whole
    /// region is shifted, keeping its shape otherwise.
    ///
    /// `outlier` is |frame − restoration| in units of the outlier level: inside the extent the
    /// restoration is G(z) fitted to the surroundings alone, so it cannot have absorbed the defect, and
    /// on good texture it misses by about the texture's own spread. A defect that is an outlier pixel by
    /// pixel — a scratch, a hole — stands above that level in a connected patch and is drawn along it,
    /// far tighter than the texture statistics' windows allow (docs/METHOD.md, "Shaping the mask by
    /// outliers"). `shift` is frame − restoration blurred, in units of the shift level
    /// (`Detector.shifts`): a stain darkens or brightens its whole patch by a share, which no single
    /// pixel shows above the texture's spread but the blurred difference does, all of one sign, while
    /// good texture's misses average out. A region whose median pixel is shifted by the level or more is
    /// cut where its shift, in the median's sign, reaches `shiftCut` (docs/METHOD.md, "Shaping a stain by
    /// its shift"). A change of texture at the same brightness — a paste — shows neither, and keeps the
    /// texture score's shape.
    public func shapedByOutliers(_ outlier: [Float], shift: [Float], restored grown: [Bool], width: Int, height: Int,
                                 minArea: Int) -> DefectMask {
        precondition(outlier.count == mask.count && shift.count == mask.count && grown.count == mask.count
                     && mask.count == width * height, "outliers, shift or restored area do not match \(width)×\(height)")
        precondition(zip(extent, grown).allSatisfy { !$0 || $1 }, "the restored area must hold the extent")
        let regions = ConnectedComponents.label(grown, width: width, height: height)
        let byOutliers = Self.regionsFound(by: outlier, in: regions, width: width, height: height, minArea: minArea)
        let outlierCut = Self.peakCut(outlier, regions: regions)
        let median = Self.regionMedians(shift, regions: regions)
        let shaped = regions.labels.indices.map { i in
            let l = regions.labels[i]
            if byOutliers[l] { return outlierCut[i] }
            guard abs(median[l]) >= Self.localEvidenceLevel else { return mask[i] }
            return (median[l] < 0 ? -shift[i] : shift[i]) >= Self.shiftCut
        }
        return DefectMask(mask: shaped, extent: grown, regions: regions)
    }

    /// Where a region shifted as a whole is cut, in units of the shift level: below the level its
    /// median reaches, since a stain's blurred shift falls off towards its rim, while what the cut may
    /// take is already bounded by the restored area (docs/METHOD.md).
    public static let shiftCut: Float = 0.6

    /// Per region label, the median of `values` over the region's pixels (index 0, outside every region: 0).
    static func regionMedians(_ values: [Float], regions: ConnectedComponents) -> [Float] {
        var members = [[Float]](repeating: [], count: regions.count + 1)
        for (l, v) in zip(regions.labels, values) where l > 0 { members[l].append(v) }
        return members.map { $0.isEmpty ? 0 : median($0) }
    }

    /// The smallest piece of a defect the mask draws is this share of the minimum defect area: a 2-px
    /// scratch stands out of its neighbourhood's median as a chain about a pixel wide, often broken, and
    /// smaller pieces around a defect are specks of per-pixel evidence (docs/METHOD.md).
    public static let pieceDivisor = 4

    /// Each region shaped by `ThinLines.evidence` (in units of the good pixels' 99.9th percentile) where
    /// it finds a thin defect by itself — an 8-connected patch of a quarter of `minArea` at 1 or above —
    /// keeping its shape otherwise: a scratch is drawn along its line instead of the blob the texture
    /// statistics' windows and the restoration's outliers give it.
    public func shapedByThinLines(_ evidence: [Float], width: Int, height: Int, minArea: Int) -> DefectMask {
        precondition(evidence.count == mask.count && mask.count == width * height, "thin-line evidence does not match \(width)×\(height)")
        return shaped(by: evidence, width: width, height: height, minArea: max(1, minArea / Self.pieceDivisor), diagonal: true)
    }

    /// The mask without its pieces (8-connected) smaller than a quarter of `minArea` — the specks a
    /// per-pixel evidence leaves around a defect, such as the gaps between stones near a hole — except
    /// each region's largest piece, so that no region loses its mask and the verdict still agrees.
    public func withoutSpecks(width: Int, height: Int, minArea: Int) -> DefectMask {
        precondition(mask.count == width * height, "mask does not match \(width)×\(height)")
        guard regions.count > 0 else { return self }  // a good frame: nothing to label
        let pieces = ConnectedComponents.label(mask, width: width, height: height, diagonal: true)
        var size = [Int](repeating: 0, count: pieces.count + 1)
        for p in pieces.labels where p > 0 { size[p] += 1 }
        var largest = [Int](repeating: 0, count: regions.count + 1)  // per region, its largest piece's label
        for (p, r) in zip(pieces.labels, regions.labels) where p > 0 && (largest[r] == 0 || size[p] > size[largest[r]]) {
            largest[r] = p
        }
        let smallest = max(1, minArea / Self.pieceDivisor)
        let kept = zip(pieces.labels, regions.labels).map { p, r in p > 0 && (size[p] >= smallest || largest[r] == p) }
        return DefectMask(mask: kept, extent: extent, regions: regions)
    }

    /// Each region cut at its own peak of `evidence` where the evidence finds a defect there by itself;
    /// the others keep their mask.
    private func shaped(by evidence: [Float], width: Int, height: Int, minArea: Int, diagonal: Bool = false) -> DefectMask {
        let found = Self.regionsFound(by: evidence, in: regions, width: width, height: height, minArea: minArea, diagonal: diagonal)
        guard found.contains(true) else { return self }
        let cut = Self.peakCut(evidence, regions: regions)
        return DefectMask(mask: regions.labels.indices.map { i in found[regions.labels[i]] ? cut[i] : mask[i] }, extent: extent, regions: regions)
    }

    /// Per region label (index 0 unused): whether `evidence` finds a defect there by itself, a connected
    /// patch of at least `minArea` pixels at `localEvidenceLevel` or above inside the region (8-connected
    /// with `diagonal`).
    static func regionsFound(by evidence: [Float], in regions: ConnectedComponents, width: Int, height: Int, minArea: Int,
                             diagonal: Bool = false) -> [Bool] {
        var found = [Bool](repeating: false, count: regions.count + 1)
        let unusual = ConnectedComponents.label(zip(regions.labels, evidence).map { $0 > 0 && $1 >= Self.localEvidenceLevel },
                                                width: width, height: height, diagonal: diagonal)
        var area = [Int](repeating: 0, count: unusual.count + 1)
        for l in unusual.labels where l > 0 { area[l] += 1 }
        for (i, l) in unusual.labels.enumerated() where l > 0 && area[l] >= max(1, minArea) { found[regions.labels[i]] = true }
        return found
    }

    /// Each region's pixels at `peakFraction` of the region's own peak of `evidence` (NaN never passes).
    static func peakCut(_ evidence: [Float], regions: ConnectedComponents) -> [Bool] {
        var peak = [Float](repeating: -.infinity, count: regions.count + 1)
        for (i, l) in regions.labels.enumerated() where l > 0 { peak[l] = max(peak[l], evidence[i]) }
        return regions.labels.indices.map { i in
            let l = regions.labels[i]
            return l > 0 && evidence[i] >= Self.peakFraction * peak[l]
        }
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
