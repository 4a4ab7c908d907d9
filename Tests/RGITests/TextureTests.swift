import Engine
import Foundation
import Testing
@testable import RGI

/// The texture critic on a synthetic stochastic texture (smoothed noise): defects that a generator
/// could reproduce — a darkened blob, a patch where the texture is missing — stand out against good
/// texture, although the critic saw only good images and its own synthetic defects, and good images
/// sit at the calibrated scale.
@Suite struct TextureTests {
    static let side = 64

    /// Smoothed Gaussian noise: no two images alike, same statistics.
    static func noise(seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let raw = (0..<(side * side)).map { _ in rng.normal() }
        return GaussianBlur.apply(raw, width: side, height: side, sigma: 1).map { 0.8 * $0 }
    }

    static func item(_ planes: [Float]) -> TrainingImages.Item {
        TrainingImages.Item(path: "synthetic", width: side, height: side, planes: planes)
    }

    /// Crops per training image: fewer than the product's default, so that the suite stays fast.
    static let cropsPerImage = 2

    static let critic: TextureCritic = {
        var critic = try! TextureCritic.fit(images: (1...16).map { item(noise(seed: $0)) }, channels: 1, cropsPerImage: cropsPerImage)
        try! critic.rescale(on: (50..<56).map { item(noise(seed: $0)) })
        return critic
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
            let score = Self.critic.score(Self.noise(seed: seed), width: Self.side, height: Self.side)
            above += score.filter { $0 > 1 }.count; total += score.count
            #expect(score.allSatisfy { $0 >= 0 })
        }
        // The scale is the 99.9th percentile of other good images: unseen good images exceed it rarely.
        #expect(Double(above) / Double(total) < 0.01, "\(above) of \(total) good pixels above 1")
    }

    /// The thin-line unit is the held-out good pixels' 99.9th percentile, so unseen good texture
    /// reaches it rarely and a scratch of the texture's contrast stands above it.
    @Test func theThinLineLevelIsTheGoodPixels999thPercentile() throws {
        let level = try #require(Self.critic.thinLevel)
        var above = 0, total = 0
        for seed in UInt64(100)..<104 {
            let evidence = ThinLines.evidence(Self.noise(seed: seed), width: Self.side, height: Self.side, channels: 1)
            above += evidence.filter { $0 > level }.count; total += evidence.count
        }
        #expect(Double(above) / Double(total) < 0.005, "\(above) of \(total) good pixels above the thin-line level \(level)")
        var scratched = Self.noise(seed: 200)
        for y in 10..<50 { scratched[y * Self.side + 30] += 2 }
        let evidence = ThinLines.evidence(scratched, width: Self.side, height: Self.side, channels: 1)
        #expect((10..<50).filter { evidence[$0 * Self.side + 30] > level }.count >= 35)
    }

    /// Pixels near the frame's edge are held to their own band's scale: there the statistics are
    /// partly taken over mirrored texture and good pixels reach higher log-odds.
    @Test func goodImagesSitAtTheCalibratedScaleAtTheEdge() {
        let bands = TextureCritic.edgeBands(starts: TextureCritic.edgeBandStarts, width: Self.side, height: Self.side)
        let scales = Self.critic.edgeScales ?? []
        #expect(scales.map(\.fromEdge) == TextureCritic.edgeBandStarts)
        // What the bands are for: the good pixels at the edge reach higher log-odds than the frame's.
        let edgeHigh = scales.first?.high ?? -.infinity
        #expect(edgeHigh > Self.critic.goodHigh, "edge band's 99.9th percentile \(edgeHigh), the frame's \(Self.critic.goodHigh)")
        var wholeFrame = Self.critic
        wholeFrame.edgeScales = nil
        var above = 0, total = 0, banded: Float = 0, unbanded: Float = 0
        for seed in UInt64(100)..<104 {
            let image = Self.noise(seed: seed)
            let score = Self.critic.score(image, width: Self.side, height: Self.side)
            let oneScale = wholeFrame.score(image, width: Self.side, height: Self.side)
            for i in score.indices where bands[i] == 0 {
                total += 1
                if score[i] > 1 { above += 1 }
                banded = max(banded, score[i]); unbanded = max(unbanded, oneScale[i])
            }
        }
        #expect(Double(above) / Double(total) < 0.01, "\(above) of \(total) good edge pixels above 1")
        #expect(unbanded > banded, "the edge's largest good score: \(unbanded) with one scale, \(banded) by band")
    }

    @Test func edgeBandsCountTheDistanceFromTheNearestEdge() {
        let bands = TextureCritic.edgeBands(starts: [0, 2, 3], width: 8, height: 7)
        func band(_ x: Int, _ y: Int) -> Int { bands[y * 8 + x] }
        #expect(band(0, 0) == 0 && band(1, 1) == 0 && band(2, 2) == 1 && band(3, 3) == 2 && band(4, 3) == 2)
        #expect(band(6, 2) == 0 && band(3, 5) == 0 && band(2, 3) == 1 && band(3, 2) == 1 && band(7, 6) == 0)
        // Only a band with enough held-out pixels gets its own scale: the critic's 64-pixel frames have
        // no pixel 24 from the edge, so the last band keeps the whole frame's.
        let last = Self.critic.edgeScales!.last!
        #expect(last.median == Self.critic.goodMedian && last.high == Self.critic.goodHigh)
    }

    /// Each band's scale holds at its middle and changes linearly between middles, so the score has no
    /// step where one band meets the next.
    @Test func theEdgeScaleChangesSmoothlyBetweenBands() {
        let bands = [TextureCritic.EdgeScale(fromEdge: 0, median: 0, high: 1), TextureCritic.EdgeScale(fromEdge: 2, median: 0, high: 3),
                     TextureCritic.EdgeScale(fromEdge: 4, median: 1, high: 5)]
        let scale = TextureCritic.scaleByDistance(bands, maximum: 6)
        // Middles at 0.5 and 2.5; the last band's scale holds from its start on.
        let expected: [(Float, Float)] = [(0, 1), (0, 1.5), (0, 2.5), (1.0 / 3, 11.0 / 3), (1, 5), (1, 5), (1, 5)]
        for (d, (got, want)) in zip(scale, expected).enumerated() {
            #expect(abs(got.median - want.0) < 1e-6 && abs(got.high - want.1) < 1e-6, "distance \(d): \(got), expected \(want)")
        }
    }

    /// On good images the score changes no more where two bands meet than between neighbouring rows
    /// elsewhere near the edge.
    @Test func theScoreHasNoSeamAtTheEdgeBands() {
        let starts = Set(TextureCritic.edgeBandStarts.dropFirst().filter { $0 < Self.side / 2 })
        var seam: Float = 0, seams = 0, elsewhere: Float = 0, others = 0
        for seed in UInt64(100)..<108 {
            let score = Self.critic.score(Self.noise(seed: seed), width: Self.side, height: Self.side)
            // Rows d − 1 and d near the top, over the columns at least 24 pixels from the sides.
            for d in 1..<24 {
                let jump = (24..<(Self.side - 24)).map { x in abs(score[d * Self.side + x] - score[(d - 1) * Self.side + x]) }.reduce(0, +)
                if starts.contains(d) { seam += jump; seams += 1 } else { elsewhere += jump; others += 1 }
            }
        }
        let ratio = (seam / Float(seams)) / (elsewhere / Float(others))
        #expect(ratio < 1.5, "rows where bands meet change \(ratio)× as much as other rows")
    }

    @Test(arguments: ["darkened", "flat"])
    func defectsAGeneratorCouldReproduceStandOut(kind: String) {
        var image = Self.noise(seed: 200)
        let blob = Self.disk(radius: 10)
        for i in image.indices where blob[i] {
            image[i] = kind == "darkened" ? 0.4 * image[i] - 0.6 : 0.05  // a stain / the texture missing
        }
        let score = Self.critic.score(image, width: Self.side, height: Self.side)
        let inside = Self.disk(radius: 5), far = Self.disk(radius: 20)
        let insideScores = score.indices.filter { inside[$0] }.map { score[$0] }
        let farScores = score.indices.filter { !far[$0] }.map { score[$0] }
        // Log-odds saturate, so the core's typical pixel, not its weakest, is held to good texture's 99.9th percentile.
        let median = insideScores.sorted()[insideScores.count / 2]
        #expect(median > 1, "\(kind): the defect's median pixel scores \(median)")
        #expect(insideScores.min()! > farScores.max()!, "\(kind): defect and good texture overlap")
    }

    /// A photograph that is brighter and more contrasted all over (another lighting, another camera
    /// gain) is the same good part to a centred critic; a critic of absolute statistics, trained on
    /// the same images, calls much of it defective.
    @Test func aCentredCriticIgnoresAChangeOfTheWholePhotograph() throws {
        var absolute = try TextureCritic.fit(images: (1...16).map { Self.item(Self.noise(seed: $0)) }, channels: 1, centred: false,
                                             cropsPerImage: Self.cropsPerImage)
        try absolute.rescale(on: (50..<56).map { Self.item(Self.noise(seed: $0)) })
        #expect(Self.critic.centred == true && absolute.centred == false)
        func shareAboveScale(_ critic: TextureCritic) -> Double {
            var above = 0, total = 0
            for seed in UInt64(100)..<104 {
                let relit = Self.noise(seed: seed).map { min(1, 1.3 * $0 + 0.3) }
                let score = critic.score(relit, width: Self.side, height: Self.side)
                above += score.filter { $0 > 1 }.count; total += score.count
            }
            return Double(above) / Double(total)
        }
        let centredShare = shareAboveScale(Self.critic), absoluteShare = shareAboveScale(absolute)
        #expect(centredShare < 0.02, "centred critic: \(centredShare) of a relit good image's pixels above 1")
        #expect(absoluteShare > 0.1, "absolute critic: only \(absoluteShare) of the relit pixels above 1")
    }

    @Test func selectionFindsWhatSortingWouldPutAtTheRank() {
        var rng = SeededGenerator(seed: 3)
        for count in [1, 2, 3, 10, 101, 1000] {
            // Few distinct values, so that ties are common.
            let values = (0..<count).map { _ in Float(Int(rng.next() % 7)) - 3 }
            let sorted = values.sorted()
            for rank in Set([0, count / 2, count - 1]) {
                var copy = values
                #expect(orderStatistic(&copy, rank: rank) == sorted[rank], "\(count) values, rank \(rank)")
            }
        }
        let long = (0..<40_000).map { Float($0 % 977) }
        #expect(TextureFeatures.subsampledMedian(long) == Swift.stride(from: 0, to: 40_000, by: 2).map { long[$0] }.sorted()[10_000])
    }

    /// White noise with a disk of radius 12 in the middle replaced by `resampled(texture, x, y)`: the same
    /// texture at another scale, as a pasted or smeared patch can be. Also the disk, and a wider one
    /// (radius 20) outside which lies the untouched texture.
    static func noiseWithResampledPatch(seed: UInt64, _ resampled: ([Float], Int, Int) -> Float)
        -> (image: [Float], patch: [Bool], far: [Bool]) {
        var rng = SeededGenerator(seed: seed)
        let texture = (0..<(side * side)).map { _ in 0.3 * rng.normal() }
        let patch = disk(radius: 12)
        var image = texture
        for i in image.indices where patch[i] { image[i] = resampled(texture, i % side, i / side) }
        return (image, patch, disk(radius: 20))
    }

    static func mean(_ values: [Float], where region: (Int) -> Bool) -> Float {
        let picked = values.indices.filter(region).map { values[$0] }
        return picked.reduce(0, +) / Float(picked.count)
    }

    /// The share of smooth steps sees a patch of the same texture at twice the scale and the same
    /// contrast (what a pasted or smeared patch can be), whatever the photograph's contrast, and a
    /// flat frame is all smooth steps.
    @Test func smoothStepsTellAResampledPatchWhateverTheContrast() {
        let side = Self.side
        // The texture at twice the scale: 2×2 blocks of equal pixels.
        let (image, patch, far) = Self.noiseWithResampledPatch(seed: 21) { texture, x, y in texture[(y / 2) * side + x / 2] }
        for contrast: Float in [1, 0.25] {
            let shares = TextureFeatures.smoothStepShares(image.map { contrast * $0 }, width: side, height: side)
            let inside = Self.mean(shares) { patch[$0] }, outside = Self.mean(shares) { !far[$0] }
            #expect(inside > outside + 0.2, "contrast \(contrast): share inside \(inside), outside \(outside)")
        }
        #expect(TextureFeatures.smoothStepShares([Float](repeating: 0.2, count: 64), width: 8, height: 8).allSatisfy { $0 == 1 })
        #expect(Self.critic.smoothSteps == true && Self.critic.nonUniformPatterns == true
            && Self.critic.trees.features == 4 * TextureFeatures.perScale(smoothSteps: true, nonUniformPatterns: true))
    }

    /// The share of non-uniform patterns sees a patch of the same texture magnified (bilinear, the
    /// softer resampling a paste or a coarser lot has) at the same contrast: its irregular grain is
    /// gone. A flat frame and a ramp are uniform everywhere; about half of white noise is not.
    @Test func nonUniformPatternsTellAMagnifiedPatch() {
        let side = Self.side
        let (image, patch, far) = Self.noiseWithResampledPatch(seed: 22) { texture, x, y in
            let fx = Float(x) / 2, fy = Float(y) / 2
            let x0 = Int(fx), y0 = Int(fy), ax = fx - Float(x0), ay = fy - Float(y0)
            let at = { (x: Int, y: Int) in texture[y * side + x] }
            return (at(x0, y0) * (1 - ax) + at(x0 + 1, y0) * ax) * (1 - ay) + (at(x0, y0 + 1) * (1 - ax) + at(x0 + 1, y0 + 1) * ax) * ay
        }
        let map = TextureFeatures.nonUniformPatternMap(image, width: side, height: side)
        let inside = Self.mean(map) { patch[$0] }, outside = Self.mean(map) { !far[$0] }
        #expect(outside > 0.35 && inside < outside - 0.2, "share inside \(inside), outside \(outside)")
        #expect(TextureFeatures.nonUniformPatternMap([Float](repeating: 0.2, count: 64), width: 8, height: 8).allSatisfy { $0 == 0 })
        let ramp = (0..<64).map { Float($0 % 8) + 0.5 * Float($0 / 8) }
        #expect(TextureFeatures.nonUniformPatternMap(ramp, width: 8, height: 8).allSatisfy { $0 == 0 })
    }

    /// A bundle written before the share of smooth steps, or before the share of non-uniform patterns,
    /// existed decodes the missing field as nil and keeps the nine or ten statistics its trees were fitted on.
    @Test(arguments: [false, true])
    func aCriticFromBeforeAStatisticKeepsItsStatistics(smoothSteps: Bool) throws {
        var old = try TextureCritic.fit(images: (1...8).map { Self.item(Self.noise(seed: $0)) }, channels: 1, smoothSteps: smoothSteps,
                                        nonUniformPatterns: false, cropsPerImage: 1)
        #expect(old.trees.features == 4 * (smoothSteps ? 10 : 9))
        let image = Self.noise(seed: 300)
        let scored = old.score(image, width: Self.side, height: Self.side)
        if !smoothSteps { old.smoothSteps = nil }
        old.nonUniformPatterns = nil
        let decoded = try Manifest.decoder.decode(TextureCritic.self, from: Manifest.encoder.encode(old))
        #expect(decoded.smoothSteps == (smoothSteps ? true : nil) && decoded.nonUniformPatterns == nil)
        #expect(decoded.score(image, width: Self.side, height: Self.side) == scored)
    }

    /// New critics blur their log-odds with `defaultBlurSigma`, written to the manifest; a critic from
    /// before the setting (no `blur_sigma`) keeps the blur its units were measured with.
    @Test func aCriticFromBeforeTheBlurSettingKeepsItsBlur() throws {
        #expect(Self.critic.blurSigma == TextureCritic.defaultBlurSigma)
        let json = try JSONSerialization.jsonObject(with: Manifest.encoder.encode(Self.critic)) as! [String: Any]
        #expect(json["blur_sigma"] as? Double == Double(TextureCritic.defaultBlurSigma))
        var old = Self.critic
        old.blurSigma = nil
        var earlier = Self.critic
        earlier.blurSigma = TextureCritic.earlierBlurSigma
        let decoded = try Manifest.decoder.decode(TextureCritic.self, from: Manifest.encoder.encode(old))
        let image = Self.noise(seed: 301)
        let scored = decoded.score(image, width: Self.side, height: Self.side)
        #expect(decoded.blurSigma == nil)
        #expect(scored == earlier.score(image, width: Self.side, height: Self.side))
        #expect(scored != Self.critic.score(image, width: Self.side, height: Self.side))
    }

    @Test func criticSurvivesAJSONRoundTrip() throws {
        let data = try Manifest.encoder.encode(Self.critic)
        #expect(try Manifest.decoder.decode(TextureCritic.self, from: data) == Self.critic)
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
                "without a texture critic the score is the residual")
    }

    @Test func theTextureScoreAloneLeavesGUnsolvedUntilThereIsSomethingToRestore() {
        let detector = Self.untrainedDetector(seed: 7, steps: 3), side = Self.side
        let frame = Self.noise(seed: 410).enumerated().map { Self.disk(radius: 8)[$0.offset] ? -0.9 : $0.element }
        detector.settings.score = .combined
        let both = detector.inspect(planes: frame, width: side, height: side, minArea: 4)
        detector.settings.score = .texture
        let texture = detector.inspect(planes: frame, width: side, height: side, minArea: 4)
        #expect(both.solverSteps > 0 && both.reconstruction != nil && both.residual != nil)
        #expect(texture.solverSteps == 0 && texture.reconstruction == nil && texture.residual == nil, "G was solved")
        #expect(texture.score == both.texture!, "the texture score is the critic's, with or without G")
        // Restoring still solves G, from the frame with the mask filled by its surroundings.
        let mask = Self.disk(radius: 8)
        let restored = detector.inpaint(planes: frame, width: side, height: side, mask: mask, reconstruction: nil)
        #expect(frame.indices.allSatisfy { mask[$0] || restored[$0] == frame[$0] })
        #expect(frame.indices.contains { mask[$0] && abs(restored[$0] + 0.9) > 0.1 }, "the mask is drawn by G")
    }

    @Test func restoringStepsAreTheirOwnAndChosenOnSyntheticDefects() {
        let detector = Self.untrainedDetector(seed: 8, steps: 4), side = Self.side
        let frame = Self.noise(seed: 420), mask = Self.disk(radius: 8)
        detector.settings.score = .texture
        detector.settings.restoreSteps = 0
        let encoded = detector.inpaint(planes: frame, width: side, height: side, mask: mask, reconstruction: nil)
        detector.settings.restoreSteps = 6
        let fitted = detector.inpaint(planes: frame, width: side, height: side, mask: mask, reconstruction: nil)
        #expect(encoded != fitted, "the restoring steps were not used")
        #expect(detector.settings.steps == 4 && detector.settings.restoreSteps == 6, "inpainting leaves the settings as they were")
        detector.settings.restoreSteps = nil
        #expect(detector.inpaint(planes: frame, width: side, height: side, mask: mask, reconstruction: nil)
                == { detector.settings.restoreSteps = 4; defer { detector.settings.restoreSteps = nil }
                     return detector.inpaint(planes: frame, width: side, height: side, mask: mask, reconstruction: nil) }(),
                "without restoring steps the detecting ones apply")

        let choice = Calibration.chooseRestoreSteps(detector: detector, images: Self.heldOut, seed: 1, score: .combined)
        #expect(Set(choice.gainDB.keys) == Set(Calibration.restoreStepCandidates) && choice.gainDB.values.allSatisfy(\.isFinite))
        let best = choice.gainDB.values.max()!
        #expect(choice.gainDB[choice.steps]! >= best - Calibration.restoreGainMarginDB)
        #expect(Calibration.restoreStepCandidates.filter { $0 < choice.steps }.allSatisfy { choice.gainDB[$0]! < best - Calibration.restoreGainMarginDB },
                "the fewest steps within the margin: \(choice)")
        #expect(detector.settings.score == .texture && detector.settings.restoreSteps == nil, "the settings are restored")
    }

    @Test func restorationGainIsMeasuredInsideTheMask() {
        let clean: [Float] = [0, 0, 0, 0], defective: [Float] = [1, 1, 5, 0], mask = [true, true, false, false]
        // Inside the mask the error falls from 1 to 0.1 per pixel: 20 dB; outside it does not count.
        let restored: [Float] = [0.1, -0.1, 5, 3]
        #expect(abs(Calibration.psnrGain(restored: restored, defective: defective, clean: clean, mask: mask) - 20) < 1e-5)
        #expect(Calibration.psnrGain(restored: clean, defective: defective, clean: clean, mask: mask).isFinite)
    }

    /// A detector with an untrained 16×16 generator (its residual is noise) and the critic.
    static func untrainedDetector(seed: UInt64, steps: Int) -> Detector {
        var rng = SeededGenerator(seed: seed)
        let spec = GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 8)
        var settings = SolverSettings()
        settings.steps = steps
        let solver = Solver(generator: GeneratorBuilder.make(spec, rng: &rng), encoder: EncoderBuilder.make(spec, rng: &rng),
                            latentSize: spec.latent, maxTiles: 16, settings: settings)
        return Detector(solver: solver, tile: 16, channels: 1, maxTiles: 16, texture: critic)
    }

    static let heldOut = (300..<303).map { item(noise(seed: UInt64($0))) }
    /// Enough clean images for an image threshold (a robust fit to their image scores).
    static let heldOutForChoice = (300..<308).map { item(noise(seed: UInt64($0))) }

    @Test func calibrationSetsTheResidualScaleAndThresholdsForEveryScore() {
        let detector = Self.untrainedDetector(seed: 5, steps: 3), images = Self.heldOut
        detector.settings.score = .residual
        let result = Calibration.calibrate(detector: detector, images: images, minArea: 4)
        #expect(Set(result.thresholds.keys) == Set(SolverSettings.Score.allCases))
        #expect(detector.residualScale == result.residualScale && result.residualScale > 0)
        let combined = result.thresholds[.combined]!
        #expect(combined.pixel <= combined.image && combined.pixel >= 1, "good pixels reach 1 in both evidences' units")
        #expect(detector.settings.score == .residual, "the setting is restored")

        detector.texture = nil
        #expect(Set(Calibration.calibrate(detector: detector, images: images, minArea: 4).thresholds.keys) == [.residual])
    }

    @Test func scoreIsChosenOnSyntheticDefectsOfTheHeldOutImages() {
        let detector = Self.untrainedDetector(seed: 6, steps: 2), images = Self.heldOut
        _ = Calibration.calibrate(detector: detector, images: images, minArea: 4)
        detector.settings.score = .residual
        let choice = Calibration.chooseScore(detector: detector, images: images, seed: 1)
        #expect(Set(choice.pixelAUROC.keys) == Set(SolverSettings.Score.allCases))
        // Not higher: on these white-noise images a fine-grained foreign pattern is almost noise itself.
        #expect(choice.pixelAUROC[.texture]! > 0.85, "\(choice)")
        #expect(choice.score == .texture, "\(choice)")
        #expect(detector.settings.score == .residual, "the setting is restored")
    }

    @Test func minimumAreaIsChosenPerScoreOnSyntheticDefects() {
        let detector = Self.untrainedDetector(seed: 6, steps: 2), images = Self.heldOutForChoice
        _ = Calibration.calibrate(detector: detector, images: images, minArea: 4)
        let candidates = [4, 16, 64]
        let choice = Calibration.chooseScore(detector: detector, images: images, seed: 1, minAreas: candidates)
        for kind in SolverSettings.Score.allCases {
            let recall = choice.recall[kind]!, area = choice.minArea[kind]!
            #expect(Set(recall.keys) == Set(candidates) && recall.values.allSatisfy { (0...1).contains($0) }, "\(choice)")
            // The smallest candidate whose recall is within the margin of the best.
            let best = recall.values.max()!
            #expect(recall[area]! >= best - Calibration.minAreaRecallMargin, "\(kind): \(choice)")
            #expect(candidates.filter { $0 < area }.allSatisfy { recall[$0]! < best - Calibration.minAreaRecallMargin }, "\(kind): \(choice)")
        }
        // The texture critic calls ten times more synthetic defects than the ~1 % of clean images its
        // threshold allows (a fifth of them, foreign texture, are the same smoothed noise: no detector
        // can tell those apart).
        #expect(choice.recall[.texture]!.values.max()! > 0.1, "\(choice)")
    }

    @Test func calibrationStoresEachScoresChosenAreaWithItsThresholds() throws {
        let detector = Self.untrainedDetector(seed: 7, steps: 2), images = Self.heldOut
        var manifest = Manifest.forTests(spec: GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 8))
        var chosen: Calibration.ScoreChoice?, restoring: Calibration.RestoreChoice?
        Calibration.calibrateAllModes(detector: detector, images: images, minArea: nil, manifest: &manifest,
                                      chose: { chosen = $0 }, choseRestoring: { restoring = $0 })
        let choice = try #require(chosen)
        #expect(manifest.solver.restoreSteps == restoring?.steps && Calibration.restoreStepCandidates.contains(manifest.solver.restoreSteps!))
        for mode in SolverSettings.Mode.allCases {
            for kind in SolverSettings.Score.allCases {
                let t = manifest.calibration![Manifest.calibrationKey(mode, kind)]!
                #expect(t.minArea == choice.minArea[kind]!, "\(mode) \(kind)")
                #expect(t.image.isFinite && t.pixel <= t.image, "\(mode) \(kind): \(t)")
            }
        }
        #expect(manifest.thresholds == manifest.calibration![Manifest.calibrationKey(manifest.solver.mode, choice.score)])
        Calibration.calibrateAllModes(detector: detector, images: images, minArea: 9, manifest: &manifest)
        #expect(manifest.calibration!.values.allSatisfy { $0.minArea == 9 }, "a given area is kept for every score")
    }

    @Test func bundlesFromBeforeTheTextureEvidenceKeepScoringTheResidual() throws {
        let old = try Manifest.decoder.decode(SolverSettings.self, from: Data(#"{"mode": "rgi", "steps": 7}"#.utf8))
        #expect(old.score == .residual && old.steps == 7 && old.restoreSteps == nil, "restoring takes the detecting steps")
        var settings = SolverSettings()
        settings.restoreSteps = 3
        let json = try Manifest.encoder.encode(settings)
        #expect(try Manifest.decoder.decode(SolverSettings.self, from: json).restoreSteps == 3)
        #expect(String(decoding: json, as: UTF8.self).contains("\"restore_steps\" : 3"))
        #expect(SolverSettings().score == .combined)
        #expect(Manifest.calibrationKey(.rgi, .residual) == "rgi" && Manifest.calibrationKey(.rrgi, .combined) == "r-rgi+combined")
    }
}
