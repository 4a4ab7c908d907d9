import Foundation

/// What good texture looks like locally: Gaussians fitted to the `TextureFeatures` of the good
/// training images. A pixel's texture score is its Mahalanobis distance from them, in units of the
/// distance good texture reaches at its 99.9th percentile (1 = as unusual as the most unusual
/// good pixels). It sees defects that a generator reproduces — a darkened blob, a hole, a patch of
/// another texture — because it compares the frame with good parts, not with G(z) (docs/METHOD.md).
///
/// Two Gaussians: one on brightness and contrast only, and one on all statistics. The small one
/// keeps the brightness evidence of stains and holes from being diluted by the many structure
/// dimensions on a texture whose structure varies a lot (grass: stain pixel AUROC 0.89 against
/// 0.75 with all statistics in one Gaussian); the large one sees foreign texture and scratches.
public struct TextureModel: Codable, Equatable, Sendable {
    public enum Statistics: String, Codable, CaseIterable, Sendable {
        /// Mean and standard deviation at every scale.
        case intensity
        /// Every statistic of `TextureFeatures`.
        case structure

        /// Which of `count` feature planes (`TextureFeatures` order) this Gaussian uses.
        func featureIndices(count: Int) -> [Int] {
            (0..<count).filter { self == .structure || $0 % TextureFeatures.perScale < TextureFeatures.intensityCount }
        }
    }

    public struct Gaussian: Codable, Equatable, Sendable {
        public var statistics: Statistics
        public var mean: [Float]
        /// Lower-triangular W, row-major, with W Σ Wᵀ = I: distance² = ‖W (f − mean)‖².
        public var whitening: [Float]
        /// The distance good texture reaches at its 99.9th percentile (1 until `rescale(on:)`).
        public var scale: Float
    }

    public var sigmas: [Float]
    public var channels: Int
    public var gaussians: [Gaussian]

    public static let defaultSigmas: [Float] = [2, 4, 8]
    public static let scaleQuantile = 0.999
    /// Every third pixel in each direction: neighbouring pixels' statistics are nearly equal.
    static let sampleStride = 3
    /// Ridge added to the correlation matrix, so a statistic that never varies cannot blow up.
    static let ridge = 1e-5

    public enum FitError: Error, CustomStringConvertible {
        case noImages
        public var description: String { "the texture model needs at least one good image" }
    }

    /// Fits both Gaussians to the images (CHW planes of `channels`). Their scales are left at 1 for
    /// `rescale(on:)`: calibration sets them from its held-out images (`Calibration.calibrateAllModes`),
    /// so scaling on the training images here would be a second pass over them, thrown away.
    public static func fit(images: [TrainingImages.Item], channels: Int, sigmas: [Float] = defaultSigmas) throws(FitError) -> TextureModel {
        guard !images.isEmpty else { throw .noImages }
        let d = channels * sigmas.count * TextureFeatures.perScale
        var sum = [Double](repeating: 0, count: d), outer = [Double](repeating: 0, count: d * d), n = 0.0
        var f = [Double](repeating: 0, count: d)
        for item in images {
            let planes = TextureFeatures.planes(item.planes, width: item.width, height: item.height, channels: channels, sigmas: sigmas)
            for y in Swift.stride(from: 0, to: item.height, by: sampleStride) {
                for x in Swift.stride(from: 0, to: item.width, by: sampleStride) {
                    let p = y * item.width + x
                    for i in 0..<d { f[i] = Double(planes[i][p]); sum[i] += f[i] }
                    for i in 0..<d { for j in 0...i { outer[i * d + j] += f[i] * f[j] } }
                    n += 1
                }
            }
        }
        let mean = sum.map { $0 / n }
        var model = TextureModel(sigmas: sigmas, channels: channels, gaussians: [])
        for statistics in Statistics.allCases {
            let index = statistics.featureIndices(count: d)
            let k = index.count
            var covariance = [Double](repeating: 0, count: k * k)
            for (a, i) in index.enumerated() {
                for (b, j) in index.enumerated() where b <= a {
                    let c = outer[i * d + j] / n - mean[i] * mean[j]
                    covariance[a * k + b] = c; covariance[b * k + a] = c
                }
            }
            model.gaussians.append(Gaussian(statistics: statistics, mean: index.map { Float(mean[$0]) },
                                            whitening: whitening(covariance, size: k), scale: 1))
        }
        return model
    }

    /// Sets each Gaussian's scale to the 99.9th percentile of its distances on these good images.
    public mutating func rescale(on images: [TrainingImages.Item]) throws(FitError) {
        guard !images.isEmpty else { throw .noImages }
        var perGaussian = [[Float]](repeating: [], count: gaussians.count)
        for item in images {
            for (g, map) in distances(item.planes, width: item.width, height: item.height).enumerated() { perGaussian[g] += map }
        }
        for g in gaussians.indices {
            gaussians[g].scale = max(linearQuantile(sorted: perGaussian[g].sorted(), Self.scaleQuantile), 1e-6)
        }
    }

    /// The texture score: per pixel, the largest of the Gaussians' distances divided by their scales.
    public func score(_ image: [Float], width: Int, height: Int) -> [Float] {
        let maps = distances(image, width: width, height: height)
        var out = [Float](repeating: 0, count: width * height)
        for (g, map) in maps.enumerated() {
            let s = gaussians[g].scale
            for i in out.indices { out[i] = max(out[i], map[i] / s) }
        }
        return out
    }

    /// Unscaled Mahalanobis distances, one map per Gaussian.
    func distances(_ image: [Float], width: Int, height: Int) -> [[Float]] {
        let planes = TextureFeatures.planes(image, width: width, height: height, channels: channels, sigmas: sigmas)
        let pixels = width * height
        return gaussians.map { g in
            let index = g.statistics.featureIndices(count: planes.count)
            let k = index.count
            var out = [Float](repeating: 0, count: pixels), centred = [Float](repeating: 0, count: k)
            for p in 0..<pixels {
                for a in 0..<k { centred[a] = planes[index[a]][p] - g.mean[a] }
                var total: Float = 0
                for a in 0..<k {
                    var s: Float = 0
                    for b in 0...a { s += g.whitening[a * k + b] * centred[b] }
                    total += s * s
                }
                out[p] = total.squareRoot()
            }
            return out
        }
    }

    /// W = L⁻¹ D^-½ for the correlation matrix D^-½ Σ D^-½ + ridge·I = L Lᵀ (Cholesky): the ridge is
    /// relative to each statistic's own variance, whose scales differ by orders of magnitude.
    static func whitening(_ covariance: [Double], size k: Int) -> [Float] {
        let sd = (0..<k).map { max(covariance[$0 * k + $0], 1e-20).squareRoot() }
        var l = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0...i {
                var s = covariance[i * k + j] / (sd[i] * sd[j]) + (i == j ? ridge : 0)
                for m in 0..<j { s -= l[i * k + m] * l[j * k + m] }
                l[i * k + j] = i == j ? max(s, 1e-12).squareRoot() : s / l[j * k + j]
            }
        }
        // Inverse of the lower-triangular L by forward substitution, column by column.
        var inverse = [Double](repeating: 0, count: k * k)
        for col in 0..<k {
            for i in col..<k {
                var s = i == col ? 1.0 : 0.0
                for m in col..<i { s -= l[i * k + m] * inverse[m * k + col] }
                inverse[i * k + col] = s / l[i * k + i]
            }
        }
        var w = [Float](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0...i { w[i * k + j] = Float(inverse[i * k + j] / sd[j]) } }
        return w
    }
}
