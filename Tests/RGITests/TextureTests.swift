import Engine
import Foundation
import Testing
@testable import RGI

/// The texture model on a synthetic stochastic texture (smoothed noise): defects that a generator
/// could reproduce — a darkened blob, a patch where the texture is missing — stand out against the
/// statistics of good images, and good images sit at the calibrated scale.
@Suite struct TextureTests {
    static let side = 64

    /// Smoothed Gaussian noise with a random mean shift: no two images alike, same statistics.
    static func noise(seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let raw = (0..<(side * side)).map { _ in rng.normal() }
        return GaussianBlur.apply(raw, width: side, height: side, sigma: 1).map { 0.8 * $0 }
    }

    static func item(_ planes: [Float]) -> TrainingImages.Item {
        TrainingImages.Item(path: "synthetic", width: side, height: side, planes: planes)
    }

    static let model: TextureModel = {
        let images = (1...12).map { item(noise(seed: $0)) }
        var model = try! TextureModel.fit(images: images, channels: 1)
        try! model.rescale(on: images)
        return model
    }()

    /// Pixels within `radius` of the image centre.
    static func disk(radius: Int) -> [Bool] {
        (0..<(side * side)).map { i in
            let dx = i % side - side / 2, dy = i / side - side / 2
            return dx * dx + dy * dy <= radius * radius
        }
    }

    @Test func goodImagesSitAtTheCalibratedScale() {
        var above = 0, total = 0
        for seed in UInt64(100)..<104 {
            let score = Self.model.score(Self.noise(seed: seed), width: Self.side, height: Self.side)
            above += score.filter { $0 > 1 }.count; total += score.count
        }
        // Each Gaussian's scale is its 99.9th percentile on the fitting images: unseen good images
        // exceed it rarely (two Gaussians, so up to about 0.2 %, plus sampling noise).
        #expect(Double(above) / Double(total) < 0.01, "\(above) of \(total) good pixels above 1")
    }

    @Test(arguments: ["darkened", "flat"])
    func defectsAGeneratorCouldReproduceStandOut(kind: String) {
        var image = Self.noise(seed: 200)
        let blob = Self.disk(radius: 10)
        for i in image.indices where blob[i] {
            image[i] = kind == "darkened" ? 0.4 * image[i] - 0.6 : 0.05  // a stain / the texture missing
        }
        let score = Self.model.score(image, width: Self.side, height: Self.side)
        let inside = Self.disk(radius: 5)
        let insideScores = score.indices.filter { inside[$0] }.map { score[$0] }
        let farScores = score.indices.filter { !Self.disk(radius: 24)[$0] }.map { score[$0] }
        #expect(insideScores.min()! > 1, "\(kind): weakest defect pixel scores \(insideScores.min()!)")
        #expect(insideScores.min()! > farScores.max()!, "\(kind): defect and good texture overlap")
    }

    @Test func whiteningTurnsTheCovarianceIntoTheIdentity() {
        var rng = SeededGenerator(seed: 3)
        let k = 5
        let a = (0..<(k * k)).map { _ in Double(rng.normal()) }
        var covariance = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k {
            // A A^T with very different scales per dimension, as the texture statistics have.
            let scale = pow(10.0, Double(i + j) / -2)
            covariance[i * k + j] = (0..<k).reduce(0) { $0 + a[i * k + $1] * a[j * k + $1] } * scale + (i == j ? 0.1 * scale : 0)
        } }
        let w = TextureModel.whitening(covariance, size: k).map(Double.init)
        for i in 0..<k { for j in 0..<k {
            var s = 0.0
            for p in 0..<k { for q in 0..<k { s += w[i * k + p] * covariance[p * k + q] * w[j * k + q] } }
            #expect(abs(s - (i == j ? 1 : 0)) < 1e-3, "(W Σ Wᵀ)[\(i), \(j)] = \(s)")
        } }
    }

    @Test func blurMatchesTheDirectSumWithMirroredBorders() {
        var rng = SeededGenerator(seed: 9)
        let w = 11, h = 7, sigma: Float = 1.7
        let values = (0..<(w * h)).map { _ in rng.normal() }
        let kernel = GaussianBlur.weights(sigma: sigma), r = kernel.count / 2
        let blurred = GaussianBlur.apply(values, width: w, height: h, sigma: sigma)
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for dy in -r...r { for dx in -r...r {
                s += kernel[dy + r] * kernel[dx + r] * values[GaussianBlur.mirror(y + dy, h) * w + GaussianBlur.mirror(x + dx, w)]
            } }
            #expect(abs(blurred[y * w + x] - s) < 1e-5)
        } }
    }

    @Test func combinedScoreIsTheLargerEvidenceInGoodUnits() {
        let residual: [Float] = [0.1, 0.4, 0.2], texture: [Float] = [0.5, 0.5, 3]
        #expect(Detector.combine(.combined, residual: residual, texture: texture, residualScale: 0.2) == [0.5, 2, 3])
        #expect(Detector.combine(.texture, residual: residual, texture: texture, residualScale: 0.2) == texture)
        #expect(Detector.combine(.residual, residual: residual, texture: texture, residualScale: 0.2) == residual)
        #expect(Detector.combine(.combined, residual: residual, texture: nil, residualScale: 0.2) == residual,
                "without a texture model the score is the residual")
    }

    @Test func calibrationSetsTheResidualScaleAndThresholdsForEveryScore() {
        var rng = SeededGenerator(seed: 5)
        let spec = GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 8)
        var settings = SolverSettings()
        settings.steps = 3
        let solver = Solver(generator: GeneratorBuilder.make(spec, rng: &rng), encoder: EncoderBuilder.make(spec, rng: &rng),
                            latentSize: spec.latent, maxTiles: 16, settings: settings)
        let detector = Detector(solver: solver, tile: 16, channels: 1, maxTiles: 16, texture: Self.model)
        let images = (300..<303).map { Self.item(Self.noise(seed: UInt64($0))) }
        let result = Calibration.calibrate(detector: detector, images: images, minArea: 4)
        #expect(Set(result.thresholds.keys) == Set(SolverSettings.Score.allCases))
        #expect(detector.residualScale == result.residualScale && result.residualScale > 0)
        let combined = result.thresholds[.combined]!
        #expect(combined.pixel <= combined.image && combined.pixel >= 1, "good pixels reach 1 in both evidences' units")
        #expect(detector.settings.score == .combined, "the setting is restored")

        detector.texture = nil
        #expect(Set(Calibration.calibrate(detector: detector, images: images, minArea: 4).thresholds.keys) == [.residual])
    }

    @Test func bundlesFromBeforeTheTextureModelKeepScoringTheResidual() throws {
        let old = try Manifest.decoder.decode(SolverSettings.self, from: Data(#"{"mode": "rgi", "steps": 7}"#.utf8))
        #expect(old.score == .residual && old.steps == 7)
        #expect(SolverSettings().score == .combined)
        #expect(Manifest.calibrationKey(.rgi, .residual) == "rgi" && Manifest.calibrationKey(.rrgi, .combined) == "r-rgi+combined")
    }
}
