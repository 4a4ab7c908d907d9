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
    /// Whether every statistic is taken relative to its median over the frame, so that what the
    /// critic judges is how a neighbourhood differs from the rest of the same part, not how the
    /// whole photograph differs from the training photographs (nil in older bundles: absolute).
    public var centred: Bool?

    /// Blur of the log-odds map, pixels: one pixel's odds are noisy, its neighbourhood's are not.
    public static let blurSigma: Float = 2
    public static let scaleQuantile = 0.999
    /// Side of the crops the critic learns from: its statistics reach about 3σ = 24 pixels, so a
    /// crop this size holds whole defects and their surroundings at any image size.
    static let cropSide = 128
    /// Synthetic defects per good crop, and pixels drawn (with replacement) from each image.
    static let defectsPerImage = 2
    static let samplesPerImage = 150

    public enum FitError: Error, CustomStringConvertible {
        case noImages
        public var description: String { "the texture critic needs at least one good image" }
    }

    /// Trains the critic on good images (CHW planes of `channels`); its scale is left for
    /// `rescale(on:)`, which calibration runs on the held-out images.
    public static func fit(images: [TrainingImages.Item], channels: Int, sigmas: [Float] = TextureFeatures.defaultSigmas,
                           seed: UInt64 = 1, centred: Bool = true,
                           settings: BoostedTrees.Settings = BoostedTrees.Settings()) throws(FitError) -> TextureCritic {
        guard !images.isEmpty else { throw .noImages }
        var rng = SeededGenerator(seed: seed &+ 0xC41C)
        let width = min(cropSide, images.map(\.width).min()!), height = min(cropSide, images.map(\.height).min()!)
        let crops = images.map { crop($0, channels: channels, width: width, height: height, rng: &rng) }
        let d = channels * sigmas.count * TextureFeatures.perScale
        var samples: [Float] = [], labels: [Bool] = []
        func take(_ planes: [[Float]], pixels: [Int], label: Bool) {
            for p in pixels {
                for f in 0..<d { samples.append(planes[f][p]) }
                labels.append(label)
            }
        }
        func pick(_ pool: [Int], _ count: Int, rng: inout SeededGenerator) -> [Int] {
            (0..<min(count, pool.count)).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
        }
        let changes = SyntheticDefects.Change.allCases
        func features(_ planes: [Float]) -> [[Float]] {
            TextureFeatures.planes(planes, width: width, height: height, channels: channels, sigmas: sigmas, centred: centred)
        }
        for (i, good) in crops.enumerated() {
            let all = Array(0..<(width * height))
            take(features(good),
                 pixels: pick(all, samplesPerImage, rng: &rng), label: false)
            for _ in 0..<defectsPerImage {
                let donor = crops[(i + 1 + Int(rng.next() % UInt64(max(crops.count - 1, 1)))) % crops.count]
                let change = changes[Int(rng.next() % UInt64(changes.count))]
                let (planes, mask) = SyntheticDefects.make(good, donor: donor, width: width, height: height, channels: channels,
                                                           change: change, rng: &rng)
                let defective = features(planes)
                // Good pixels well away from the defect: its statistics reach a few σ beyond its edge.
                let near = DefectMask.dilated(mask, width: width, height: height, radius: 6)
                take(defective, pixels: pick(all.filter { mask[$0] }, samplesPerImage, rng: &rng), label: true)
                take(defective, pixels: pick(all.filter { !near[$0] }, samplesPerImage, rng: &rng), label: false)
            }
        }
        let trees = BoostedTrees.fit(samples: samples, labels: labels, features: d, settings: settings)
        return TextureCritic(sigmas: sigmas, channels: channels, trees: trees, goodMedian: 0, goodHigh: 1, centred: centred)
    }

    /// Sets the score's units from these good images: their median log-odds becomes 0, their 99.9th
    /// percentile 1.
    public mutating func rescale(on images: [TrainingImages.Item]) throws(FitError) {
        guard !images.isEmpty else { throw .noImages }
        let all = images.flatMap { logOdds($0.planes, width: $0.width, height: $0.height) }.sorted()
        goodMedian = linearQuantile(sorted: all, 0.5)
        goodHigh = max(linearQuantile(sorted: all, Self.scaleQuantile), goodMedian + 1e-3)
    }

    /// The texture score per pixel, ≥ 0.
    public func score(_ image: [Float], width: Int, height: Int) -> [Float] {
        let range = goodHigh - goodMedian
        return logOdds(image, width: width, height: height).map { max(0, ($0 - goodMedian) / range) }
    }

    /// The trees' log-odds per pixel, blurred.
    func logOdds(_ image: [Float], width: Int, height: Int) -> [Float] {
        let planes = TextureFeatures.planes(image, width: width, height: height, channels: channels, sigmas: sigmas,
                                            centred: centred ?? false)
        precondition(planes.count == trees.features, "the critic has \(trees.features) features, the image gives \(planes.count)")
        let odds = (0..<(width * height)).map { p in trees.logit { planes[$0][p] } }
        return GaussianBlur.apply(odds, width: width, height: height, sigma: Self.blurSigma)
    }

    /// A random `width`×`height` crop of an image.
    static func crop(_ item: TrainingImages.Item, channels: Int, width: Int, height: Int, rng: inout SeededGenerator) -> [Float] {
        let x0 = Int(rng.next() % UInt64(item.width - width + 1)), y0 = Int(rng.next() % UInt64(item.height - height + 1))
        return ImageTensor.crop(item.planes, width: item.width, height: item.height, channels: channels, x: x0, y: y0,
                                toWidth: width, toHeight: height)
    }
}
