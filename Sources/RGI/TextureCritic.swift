import Engine
import Foundation

/// What good texture looks like locally, learned without labelled defects: boosted trees on the
/// `TextureFeatures` of each pixel, trained to tell pixels of `SyntheticDefects` from pixels of the
/// good training images. Its texture score is the trees' log-odds, blurred like the residual, in
/// units where the held-out good pixels' median is 0 and their 99.9th percentile is 1 (so, like the
/// residual's scale, 1 = as unusual as the most unusual good pixels). It sees defects that a
/// generator reproduces — a darkened blob, a smoothed or foreign patch — because it compares the
/// frame with good parts, not with G(z) (docs/METHOD.md).
public struct TextureCritic: Codable, Equatable, Sendable {
    public var sigmas: [Float]
    public var channels: Int
    public var trees: BoostedTrees
    /// The blurred log-odds of held-out good pixels at their median and 99.9th percentile
    /// (0 and 1 until `rescale(on:)`).
    public var goodMedian: Float
    public var goodHigh: Float
    /// The same per band of distance from the frame's nearest edge (nil in older bundles: one scale
    /// for the whole frame). Within 3σ of the edge the statistics are taken partly over mirrored
    /// texture, fewer distinct pixels, so good pixels there reach higher log-odds: with one scale the
    /// most unusual pixels of a good frame lay at its edge (on gravel, 77 % of the good test images'
    /// peaks within 8 pixels of it, a fifth of the frame; docs/METHOD.md).
    public var edgeScales: [EdgeScale]?

    /// The scale of the held-out pixels from `fromEdge` pixels from the nearest edge to the next band's
    /// start; the score applies it at the band's middle and interpolates between bands.
    public struct EdgeScale: Codable, Equatable, Sendable {
        public var fromEdge: Int
        public var median: Float
        public var high: Float
    }
    /// Where the bands start: finer near the edge, where the log-odds change fastest, and none beyond
    /// 3σ of the widest scale (24 pixels), where nothing the statistics see is mirrored.
    static let edgeBandStarts = [0, 2, 4, 8, 12, 16, 24]
    /// A band with fewer held-out pixels than this keeps the whole frame's scale: a 99.9th percentile
    /// needs a few pixels above it.
    static let edgeBandMinimumPixels = 2000
    /// Whether every statistic is taken relative to its median over the frame, so that what the
    /// critic judges is how a neighbourhood differs from the rest of the same part, not how the
    /// whole photograph differs from the training photographs (nil in older bundles: absolute).
    public var centred: Bool?
    /// Whether the statistics include the share of smooth steps (`TextureFeatures`; nil in older
    /// bundles: without).
    public var smoothSteps: Bool?
    /// Whether they also include the share of non-uniform patterns (nil in older bundles: without).
    public var nonUniformPatterns: Bool?
    /// Blur of the log-odds map, pixels (nil in older bundles: `earlierBlurSigma`).
    public var blurSigma: Float?
    /// The held-out good pixels' 99.9th percentile of `ThinLines.evidence`, the unit that shapes thin
    /// defects (nil in older bundles: not shaped).
    public var thinLevel: Float?

    /// The log-odds blur of new critics. One pixel's odds are noisy, its neighbourhood's are not, and a
    /// stain or a pasted patch is a neighbourhood: its odds are high on average but not at every pixel,
    /// and near its rim they fall to those of good texture. Blurring wider fills the patch and ranks its
    /// pixels above good texture's isolated peaks (grass pixel AUROC 0.930 at σ 2, 0.950 at σ 4;
    /// docs/METHOD.md, "The critic's blur and the mask's cut").
    public static let defaultBlurSigma: Float = 4
    /// The blur of critics from before the setting.
    public static let earlierBlurSigma: Float = 2
    public static let scaleQuantile = 0.999
    /// Side of the crops the critic learns from: its statistics reach about 3σ = 24 pixels, so a
    /// crop this size holds whole defects and their surroundings at any image size.
    static let cropSide = 128
    /// Crops taken from each good image, synthetic defects made in each crop, and pixels drawn (with
    /// replacement) from each crop's good pixels, each defect and each defect's surroundings. Many
    /// defects and surroundings with few pixels of each taught the trees more than fewer with more
    /// (gravel pixel AUROC 0.933 with 1 crop of 150 pixels, 0.947 with 8 of 50; docs/METHOD.md).
    public static let cropsPerImage = 8
    static let defectsPerCrop = 2
    static let samplesPerCrop = 50
    /// The synthetic defects the critic learns from: all but the blur. A blurred patch is also what a
    /// good part's smooth surfaces look like — a large smooth stone face in gravel, a soft patch of a
    /// photograph — so a critic taught that blur is a defect called them (calibration's checks on
    /// synthetic defects still blur; docs/METHOD.md, "The blurred synthetic defect left out").
    static let trainingChanges = SyntheticDefects.Change.allCases.filter { $0 != .smoothing }
    /// The critic's trees: twice the ensemble `BoostedTrees` defaults to, for the larger sample.
    public static var treeSettings: BoostedTrees.Settings {
        var settings = BoostedTrees.Settings()
        settings.trees = 200
        return settings
    }

    /// Why a critic read from a manifest cannot score: a field that does not fit the others.
    public struct InvalidCritic: Error, CustomStringConvertible {
        public let description: String
    }

    /// Checks what `score` relies on, so that a corrupt or hand-edited manifest is refused when the
    /// bundle loads instead of stopping inspection: the trees' shape and feature indices, and units
    /// that are finite and ascending.
    public func validate(channels expected: Int) throws(InvalidCritic) {
        func fail(_ reason: String) -> InvalidCritic { InvalidCritic(description: reason) }
        guard channels == expected else { throw fail("channels \(channels) differ from the generator's \(expected)") }
        guard !sigmas.isEmpty, sigmas.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw fail("sigmas must be positive") }
        guard blurSigma.map({ $0 >= 0 && $0.isFinite }) ?? true else { throw fail("blur_sigma must be 0 or positive") }
        guard thinLevel.map({ $0 > 0 && $0.isFinite }) ?? true else { throw fail("thin_level must be positive") }
        let features = channels * sigmas.count * TextureFeatures.perScale(smoothSteps: smoothSteps ?? false,
                                                                                 nonUniformPatterns: nonUniformPatterns ?? false)
        guard trees.features == features else { throw fail("trees.features \(trees.features) is not the \(features) statistics of these sigmas and channels") }
        guard (1...16).contains(trees.depth) else { throw fail("trees.depth \(trees.depth) is not 1 to 16") }
        let inner = (1 << trees.depth) - 1
        for (i, tree) in trees.trees.enumerated() {
            guard tree.feature.count == inner, tree.threshold.count == inner, tree.leaf.count == inner + 1 else {
                throw fail("trees.trees[\(i)] does not have the \(inner) nodes and \(inner + 1) leaves of depth \(trees.depth)")
            }
            guard tree.feature.allSatisfy({ (0..<features).contains($0) }) else { throw fail("trees.trees[\(i)].feature is outside 0..<\(features)") }
        }
        func unitsValid(_ median: Float, _ high: Float) -> Bool { median.isFinite && high.isFinite && high > median }
        guard unitsValid(goodMedian, goodHigh) else { throw fail("good_high must be finite and above good_median") }
        if let edgeScales {
            guard edgeScales.first?.fromEdge == 0, zip(edgeScales, edgeScales.dropFirst()).allSatisfy({ $0.fromEdge < $1.fromEdge }) else {
                throw fail("edge_scales must start from_edge 0 and ascend")
            }
            guard edgeScales.allSatisfy({ unitsValid($0.median, $0.high) }) else { throw fail("edge_scales: every high must be finite and above its median") }
        }
    }

    public enum FitError: Error, CustomStringConvertible {
        case noImages
        public var description: String { "the texture critic needs at least one good image" }
    }

    /// Trains the critic on good images (CHW planes of `channels`); its scale is left for
    /// `rescale(on:)`, which calibration runs on the held-out images.
    public static func fit(images: [TrainingImages.Item], channels: Int, sigmas: [Float] = TextureFeatures.defaultSigmas,
                           seed: UInt64 = 1, centred: Bool = true, smoothSteps: Bool = true,
                           nonUniformPatterns: Bool = true, blurSigma: Float = defaultBlurSigma, cropsPerImage: Int = cropsPerImage,
                           settings: BoostedTrees.Settings = treeSettings) throws(FitError) -> TextureCritic {
        guard !images.isEmpty else { throw .noImages }
        var rng = SeededGenerator(seed: seed &+ 0xC41C)
        let width = min(cropSide, images.map(\.width).min()!), height = min(cropSide, images.map(\.height).min()!)
        let crops = (0..<max(1, cropsPerImage)).flatMap { _ in
            images.map { crop($0, channels: channels, width: width, height: height, rng: &rng) }
        }
        let d = channels * sigmas.count * TextureFeatures.perScale(smoothSteps: smoothSteps, nonUniformPatterns: nonUniformPatterns)
        func pick(_ pool: [Int], _ count: Int, rng: inout SeededGenerator) -> [Int] {
            (0..<min(count, pool.count)).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
        }
        /// One image whose features are sampled: sets of the pixels drawn from it, each with its label.
        struct Draw { var planes: [Float]; var sets: [(pixels: [Int], label: Bool)] }
        let changes = trainingChanges
        let all = Array(0..<(width * height))
        var samples: [Float] = [], labels: [Bool] = []
        // Crops are drawn in order (every random choice comes from one generator, so a seed gives one
        // critic), a batch at a time; the features, most of the cost, are computed for a batch in parallel.
        let batch = 64
        for start in Swift.stride(from: 0, to: crops.count, by: batch) {
            var draws: [Draw] = []
            for i in start..<min(start + batch, crops.count) {
                let good = crops[i]
                draws.append(Draw(planes: good, sets: [(pick(all, samplesPerCrop, rng: &rng), false)]))
                for _ in 0..<defectsPerCrop {
                    let donor = crops[(i + 1 + Int(rng.next() % UInt64(max(crops.count - 1, 1)))) % crops.count]
                    let change = changes[Int(rng.next() % UInt64(changes.count))]
                    let (planes, mask) = SyntheticDefects.make(good, donor: donor, width: width, height: height, channels: channels,
                                                               change: change, rng: &rng)
                    // Good pixels well away from the defect: its statistics reach a few σ beyond its edge.
                    let near = DefectMask.dilated(mask, width: width, height: height, radius: 6)
                    draws.append(Draw(planes: planes, sets: [(pick(all.filter { mask[$0] }, samplesPerCrop, rng: &rng), true),
                                                             (pick(all.filter { !near[$0] }, samplesPerCrop, rng: &rng), false)]))
                }
            }
            let batchDraws = draws
            let rows = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: batchDraws.count)
            rows.initialize(repeating: [])
            defer { rows.deinitialize().deallocate() }
            // Each iteration writes only its own row.
            nonisolated(unsafe) let out = rows
            DispatchQueue.concurrentPerform(iterations: batchDraws.count) { k in
                let features = TextureFeatures.planes(batchDraws[k].planes, width: width, height: height, channels: channels,
                                                      sigmas: sigmas, centred: centred, smoothSteps: smoothSteps,
                                                      nonUniformPatterns: nonUniformPatterns)
                out[k] = batchDraws[k].sets.flatMap(\.pixels).flatMap { p in (0..<d).map { features[$0][p] } }
            }
            for (draw, row) in zip(draws, rows) {
                samples += row
                for set in draw.sets { labels += [Bool](repeating: set.label, count: set.pixels.count) }
            }
        }
        let trees = BoostedTrees.fit(samples: samples, labels: labels, features: d, settings: settings)
        return TextureCritic(sigmas: sigmas, channels: channels, trees: trees, goodMedian: 0, goodHigh: 1, centred: centred,
                             smoothSteps: smoothSteps, nonUniformPatterns: nonUniformPatterns, blurSigma: blurSigma)
    }

    /// Sets the score's units from these good images: their median log-odds becomes 0, their 99.9th
    /// percentile 1, over the whole frame and in each band of distance from its edge; and the unit of
    /// the thin-line evidence, their pixels' 99.9th percentile of it.
    public mutating func rescale(on images: [TrainingImages.Item]) throws(FitError) {
        guard !images.isEmpty else { throw .noImages }
        var all: [Float] = [], byBand = [[Float]](repeating: [], count: Self.edgeBandStarts.count), thin: [Float] = []
        for image in images {
            thin += ThinLines.evidence(image.planes, width: image.width, height: image.height, channels: channels)
            let odds = logOdds(image.planes, width: image.width, height: image.height)
            let band = Self.edgeBands(starts: Self.edgeBandStarts, width: image.width, height: image.height)
            all += odds
            for (value, b) in zip(odds, band) { byBand[b].append(value) }
        }
        (goodMedian, goodHigh) = Self.scale(sorted: all.sorted())
        thinLevel = max(linearQuantile(sorted: thin.sorted(), Self.scaleQuantile), 1e-3)
        edgeScales = zip(Self.edgeBandStarts, byBand).map { start, values in
            guard values.count >= Self.edgeBandMinimumPixels else { return EdgeScale(fromEdge: start, median: goodMedian, high: goodHigh) }
            let (median, high) = Self.scale(sorted: values.sorted())
            return EdgeScale(fromEdge: start, median: median, high: high)
        }
    }

    /// The median and the 99.9th percentile, at least a little above it.
    static func scale(sorted: [Float]) -> (median: Float, high: Float) {
        let median = linearQuantile(sorted: sorted, 0.5)
        return (median, max(linearQuantile(sorted: sorted, Self.scaleQuantile), median + 1e-3))
    }

    /// Pixel i's (row-major) distance from the frame's nearest edge: 0 on the border.
    static func distanceFromEdge(_ i: Int, width: Int, height: Int) -> Int {
        let x = i % width, y = i / width
        return min(x, width - 1 - x, y, height - 1 - y)
    }

    /// Each pixel's band: the index of the last of `starts` (ascending, from 0) at or below its
    /// distance from the nearest edge, row-major.
    static func edgeBands(starts: [Int], width: Int, height: Int) -> [Int] {
        let lookup = (0...max(width, height)).map { d in starts.lastIndex { $0 <= d }! }
        return (0..<(width * height)).map { lookup[distanceFromEdge($0, width: width, height: height)] }
    }

    /// Each distance from the nearest edge's scale, from 0 to `maximum`: the bands' scales, each at its
    /// middle (the last band's at its start, beyond which nothing is mirrored), and linear between
    /// them, so the score has no seam where one band meets the next (a step there showed as lines in
    /// the score map, two to three times the jump between neighbouring interior rows).
    static func scaleByDistance(_ scales: [EdgeScale], maximum: Int) -> [(median: Float, high: Float)] {
        let centres = scales.indices.map { b in
            b + 1 < scales.count ? Float(scales[b].fromEdge + scales[b + 1].fromEdge - 1) / 2 : Float(scales[b].fromEdge)
        }
        return (0...maximum).map { d in
            let distance = Float(d)
            guard let upper = centres.firstIndex(where: { $0 >= distance }) else { return (scales.last!.median, scales.last!.high) }
            guard upper > 0 else { return (scales[0].median, scales[0].high) }
            let lower = upper - 1, t = (distance - centres[lower]) / (centres[upper] - centres[lower])
            return (scales[lower].median + t * (scales[upper].median - scales[lower].median),
                    scales[lower].high + t * (scales[upper].high - scales[lower].high))
        }
    }

    /// The texture score per pixel, ≥ 0.
    public func score(_ image: [Float], width: Int, height: Int) -> [Float] {
        // A bundle from before the bands has one scale: a single band from the edge inwards.
        let scales = Self.scaleByDistance(edgeScales ?? [EdgeScale(fromEdge: 0, median: goodMedian, high: goodHigh)],
                                          maximum: max(width, height))
        let odds = logOdds(image, width: width, height: height)
        return odds.indices.map { i in
            let scale = scales[Self.distanceFromEdge(i, width: width, height: height)]
            return max(0, (odds[i] - scale.median) / (scale.high - scale.median))
        }
    }

    /// The trees' log-odds per pixel, blurred.
    func logOdds(_ image: [Float], width: Int, height: Int) -> [Float] {
        let planes = TextureFeatures.planes(image, width: width, height: height, channels: channels, sigmas: sigmas,
                                            centred: centred ?? false, smoothSteps: smoothSteps ?? false,
                                            nonUniformPatterns: nonUniformPatterns ?? false)
        precondition(planes.count == trees.features, "the critic has \(trees.features) features, the image gives \(planes.count)")
        // The 200 trees are a large part of the critic's cost per frame: rows are split between the cores.
        let n = width * height, chunks = min(height, 4 * ProcessInfo.processInfo.activeProcessorCount)
        var featureMajor: [Float] = []
        featureMajor.reserveCapacity(planes.count * n)
        for plane in planes { featureMajor += plane }
        var odds = [Float](repeating: 0, count: n)
        featureMajor.withUnsafeBufferPointer { features in
            odds.withUnsafeMutableBufferPointer { buffer in
                // The features are only read, and each chunk writes only its own rows.
                nonisolated(unsafe) let values = features, out = buffer
                let trees = trees
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    trees.logits(featureMajor: values, sampleCount: n,
                                 range: (c * height / chunks * width)..<((c + 1) * height / chunks * width), into: out)
                }
            }
        }
        return GaussianBlur.apply(odds, width: width, height: height, sigma: blurSigma ?? Self.earlierBlurSigma)
    }

    /// A random `width`×`height` crop of an image.
    static func crop(_ item: TrainingImages.Item, channels: Int, width: Int, height: Int, rng: inout SeededGenerator) -> [Float] {
        let x0 = Int(rng.next() % UInt64(item.width - width + 1)), y0 = Int(rng.next() % UInt64(item.height - height + 1))
        return ImageTensor.crop(item.planes, width: item.width, height: item.height, channels: channels, x: x0, y: y0,
                                toWidth: width, toHeight: height)
    }
}
