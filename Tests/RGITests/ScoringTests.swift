import Engine
import Foundation
import Testing
@testable import RGI

@Suite struct ScoringTests {
    /// 6×4 map: a 3-pixel plateau at 0.9, a 6-pixel region at 0.5 around it, 0.1 elsewhere.
    let width = 6, height = 4
    var map: [Float] {
        var m = [Float](repeating: 0.1, count: 24)
        for i in [7, 8, 9, 13, 14, 15] { m[i] = 0.5 }
        for i in [8, 14, 15] { m[i] = 0.9 }
        return m
    }

    @Test func imageScoreIsTheLevelAtWhichARegionReachesTheMinimumArea() {
        #expect(AreaOpening.imageScore(map, width: width, height: height, minArea: 1) == 0.9)
        #expect(AreaOpening.imageScore(map, width: width, height: height, minArea: 3) == 0.9)
        #expect(AreaOpening.imageScore(map, width: width, height: height, minArea: 4) == 0.5)
        #expect(AreaOpening.imageScore(map, width: width, height: height, minArea: 7) == 0.1)
    }

    @Test func imageScoresForSeveralAreasMatchOneAreaAtATime() {
        var rng = SeededGenerator(seed: 3)
        let w = 23, h = 17
        let noise = GaussianBlur.apply((0..<(w * h)).map { _ in rng.normal() }, width: w, height: h, sigma: 1.5)
        let areas = [1, 2, 5, 16, 40, 100, 391, 500]
        let together = AreaOpening.imageScores(noise, width: w, height: h, minAreas: areas)
        #expect(together == areas.map { AreaOpening.imageScore(noise, width: w, height: h, minArea: $0) })
        #expect(zip(together, together.dropFirst()).allSatisfy { $0 >= $1 }, "a larger area never scores higher")
        #expect(together.last == noise.min(), "an area beyond the image falls to the lowest score")
    }

    @Test func hysteresisExtentFollowsTheRegionDownToThePixelThreshold() {
        let extent = DefectMask(score: map, width: width, height: height, thresholds: Thresholds(pixel: 0.3, minArea: 3, image: 0.8)).extent
        #expect(extent.enumerated().filter(\.element).map(\.offset) == [7, 8, 9, 13, 14, 15])
        // A seed smaller than the minimum area is no defect, however high it scores.
        let none = DefectMask(score: map, width: width, height: height, thresholds: Thresholds(pixel: 0.3, minArea: 4, image: 0.8)).extent
        #expect(!none.contains(true))
        // Verdict and mask agree: the image score exceeds the decision threshold exactly when the
        // extent, and the mask cut from it, are set.
        for minArea in 1...8 {
            for image: Float in [0.05, 0.3, 0.6, 0.95] {
                let t = Thresholds(pixel: 0.2, minArea: minArea, image: image)
                let defect = AreaOpening.imageScore(map, width: width, height: height, minArea: minArea) > image
                #expect(defect == DefectMask(score: map, width: width, height: height, thresholds: t).extent.contains(true))
                #expect(defect == DefectMask(score: map, width: width, height: height, thresholds: t).mask.contains(true))
            }
        }
    }

    @Test func defectMaskCutsEachRegionAtAFractionOfItsOwnPeak() {
        // One 1×8 row: a region peaking at 2.0 in the middle, fading towards its ends.
        let score: [Float] = [0.1, 0.5, 0.7, 1.2, 2.0, 1.2, 0.7, 0.5]
        let t = Thresholds(pixel: 0.3, minArea: 1, image: 1.0)
        let shaped = DefectMask(score: score, width: 8, height: 1, thresholds: t)
        #expect(shaped.extent == [false, true, true, true, true, true, true, true])
        #expect(shaped.regions.count == 1)
        // Kept: at least 0.4 × 2.0 = 0.8.
        #expect(shaped.mask == [false, false, false, true, true, true, false, false])
        // Where the local evidence finds the defect by itself (here minArea 1 pixel at ≥ 1), it gives the shape…
        let local: [Float] = [0, 0, 0, 0.3, 1.5, 0.3, 0, 0]
        #expect(DefectMask(score: score, localEvidence: local, width: 8, height: 1, thresholds: t).mask
                == [false, false, false, false, true, false, false, false])
        // …where it does not, the score does: too weak, too small for the minimum area, NaN, or outside the extent.
        let weak = local.map { $0 / 2 }
        #expect(DefectMask(score: score, localEvidence: weak, width: 8, height: 1, thresholds: t).mask == shaped.mask)
        let twoPixels = Thresholds(pixel: 0.3, minArea: 2, image: 1.0)
        #expect(DefectMask(score: score, localEvidence: local, width: 8, height: 1, thresholds: twoPixels).mask == shaped.mask)
        let nan = local.map { $0 > 1 ? Float.nan : $0 }
        #expect(DefectMask(score: score, localEvidence: nan, width: 8, height: 1, thresholds: t).mask == shaped.mask)
        let outside: [Float] = [5, 0, 0, 0, 0, 0, 0, 0]
        #expect(DefectMask(score: score, localEvidence: outside, width: 8, height: 1, thresholds: t).mask == shaped.mask)
        // No region, no mask.
        let none = DefectMask(score: score, width: 8, height: 1, thresholds: Thresholds(pixel: 0.3, minArea: 1, image: 3))
        #expect(!none.mask.contains(true) && !none.extent.contains(true))
    }

    @Test func dilationGrowsASquareNeighbourhoodClippedAtTheFrame() {
        let width = 5, height = 4
        var mask = [Bool](repeating: false, count: width * height)
        mask[1 * width + 0] = true
        #expect(DefectMask.dilated(mask, width: width, height: height, radius: 0) == mask)
        let grown = DefectMask.dilated(mask, width: width, height: height, radius: 1)
        #expect(grown.enumerated().filter(\.element).map(\.offset) == [0, 1, 5, 6, 10, 11])
        #expect(!DefectMask.dilated([Bool](repeating: false, count: 20), width: width, height: height, radius: 3).contains(true))
    }

    @Test func defectMaskCutsEveryRegionAtItsOwnPeak() {
        // Two regions in one row, peaks 2.0 and 4.0: a single cut at 0.4 × 4.0 would drop most of the first.
        let score: [Float] = [1.0, 2.0, 1.0, 0, 2.0, 4.0, 2.0]
        let shaped = DefectMask(score: score, width: 7, height: 1, thresholds: Thresholds(pixel: 0.5, minArea: 1, image: 1.5))
        #expect(shaped.regions.count == 2)
        #expect(shaped.mask == [true, true, true, false, true, true, true])
    }

    @Test func outliersOfTheRestorationShapeAThinDefectAndLeaveAChangeOfTextureAlone() {
        // One 1×12 row: the texture score's extent covers pixels 3…8 and its cut keeps 4…7.
        let score: [Float] = [0, 0, 0, 0.6, 1.2, 2.0, 2.0, 1.2, 0.6, 0, 0, 0]
        let t = Thresholds(pixel: 0.5, minArea: 2, image: 1.0)
        let defects = DefectMask(score: score, width: 12, height: 1, thresholds: t)
        #expect(defects.mask == (0..<12).map { (4...7).contains($0) })
        // A two-pixel outlier at 2…3 (reaching into the 1-pixel growth): the region is drawn along it.
        var thin = [Float](repeating: 0.2, count: 12)
        thin[2] = 3; thin[3] = 2.5
        let restored = DefectMask.dilated(defects.extent, width: 12, height: 1, radius: 1)
        let flat = [Float](repeating: 0, count: 12)
        let shaped = defects.shapedByOutliers(thin, shift: flat, restored: restored, width: 12, height: 1, minArea: t.minArea)
        #expect(shaped.extent == (0..<12).map { (2...9).contains($0) })
        #expect(shaped.regions.count == 1)
        #expect(shaped.mask == (0..<12).map { (2...3).contains($0) })
        // One outlier pixel is below the minimum area, and outliers beyond the grown extent do not count:
        // the texture score's shape stays.
        var lone = [Float](repeating: 0.2, count: 12)
        lone[5] = 3; lone[11] = 5; lone[0] = 5
        #expect(defects.shapedByOutliers(lone, shift: flat, restored: restored, width: 12, height: 1, minArea: t.minArea).mask == defects.mask)
        // No defect, nothing to shape.
        let none = DefectMask(score: score, width: 12, height: 1, thresholds: Thresholds(pixel: 0.5, minArea: 2, image: 5))
        #expect(!none.shapedByOutliers(thin, shift: flat, restored: none.extent, width: 12, height: 1, minArea: 2).mask.contains(true))
    }

    @Test func aStainsShiftShapesItsRegionWhereNoPixelIsAnOutlier() {
        // The texture score's extent covers 3…8 and its cut keeps 4…7; restored with 1 px of growth: 2…9.
        let score: [Float] = [0, 0, 0, 0.6, 1.2, 2.0, 2.0, 1.2, 0.6, 0, 0, 0]
        let t = Thresholds(pixel: 0.5, minArea: 2, image: 1.0)
        let defects = DefectMask(score: score, width: 12, height: 1, thresholds: t)
        let restored = DefectMask.dilated(defects.extent, width: 12, height: 1, radius: 1)
        let calm = [Float](repeating: 0.3, count: 12)
        // A darkening over most of the region, below the outlier level at every pixel: drawn where it reaches the cut.
        var darker = [Float](repeating: 0.1, count: 12)
        for i in 2...6 { darker[i] = -1.5 }
        darker[7] = -DefectMask.shiftCut / 2
        let shaped = defects.shapedByOutliers(calm, shift: darker, restored: restored, width: 12, height: 1, minArea: t.minArea)
        #expect(shaped.mask == (0..<12).map { (2...6).contains($0) })
        // A brightening is the same shift with the other sign.
        let brighter = darker.map { -$0 }
        #expect(defects.shapedByOutliers(calm, shift: brighter, restored: restored, width: 12, height: 1, minArea: t.minArea).mask
                == shaped.mask)
        // A region whose median pixel is not shifted (a paste, or a shifted patch in a fraction of the region):
        // the texture score's shape stays.
        var faint = [Float](repeating: 0, count: 12)
        faint[4] = -3; faint[5] = -3; faint[6] = -3
        #expect(defects.shapedByOutliers(calm, shift: faint, restored: restored, width: 12, height: 1, minArea: t.minArea).mask
                == defects.mask)
        // Outliers, where they find the defect, take precedence over the shift.
        var thin = calm
        thin[8] = 3; thin[9] = 3
        #expect(defects.shapedByOutliers(thin, shift: darker, restored: restored, width: 12, height: 1, minArea: t.minArea).mask
                == (0..<12).map { (8...9).contains($0) })
    }

    @Test func theShiftIsTheBlurredSignedDifferenceInUnitsOfTheFramesSpread() {
        // A frame of ±1 stripes (standard deviation 1) with its restoration one level of shift brighter everywhere.
        let width = 16, height = 16
        let frame = (0..<(width * height)).map { Float(($0 % width) % 2 == 0 ? 1 : -1) }
        let restored = frame.map { $0 + Detector.shiftSpread }
        let shift = Detector.shifts(planes: frame, restored: restored, width: width, height: height, channels: 1)
        #expect(shift.allSatisfy { abs($0 + 1) < 1e-4 })
        // Two channels: the mean of their shifts, each against its own spread.
        let twice = frame.map { 2 * $0 }
        let shift2 = Detector.shifts(planes: frame + twice, restored: restored + twice, width: width, height: height, channels: 2)
        #expect(shift2.allSatisfy { abs($0 + 0.5) < 1e-4 })
    }

    @Test func specksAroundADefectAreDroppedButNoRegionLosesItsMask() {
        // A 16×16 frame, min area 16: the smallest piece kept is 4 pixels.
        let side = 16
        var score = [Float](repeating: 0, count: side * side)
        for y in 2..<8 { for x in 2..<8 { score[y * side + x] = 2 } }   // region 1: 36 px
        for y in 11..<13 { for x in 11..<13 { score[y * side + x] = 2 } } // region 2: 4 px, under the minimum area
        let t = Thresholds(pixel: 1, minArea: 16, image: 1.5)
        let found = DefectMask(score: score, width: side, height: side, thresholds: t)
        #expect(found.regions.count == 1, "the second patch is not a defect by itself")
        // Shape region 1 by an evidence that keeps a 3×3 core, a diagonal pair and a single speck.
        var evidence = [Float](repeating: 0.1, count: side * side)
        for y in 3..<6 { for x in 3..<6 { evidence[y * side + x] = 3 } }
        evidence[7 * side + 7] = 3; evidence[6 * side + 6] = 3   // a pair touching the core diagonally: one piece with it
        evidence[2 * side + 7] = 3                              // a speck
        let shaped = found.shapedByThinLines(evidence, width: side, height: side, minArea: t.minArea)
        let clean = shaped.withoutSpecks(width: side, height: side, minArea: t.minArea)
        #expect(clean.mask.filter { $0 }.count == 11 && !clean.mask[2 * side + 7] && clean.mask[7 * side + 7])
        #expect(clean.extent == shaped.extent)
        // A region whose only piece is small keeps it.
        var lone = [Float](repeating: 0.1, count: side * side)
        for x in 3..<7 { lone[4 * side + x] = 3 }
        let small = found.shapedByThinLines(lone, width: side, height: side, minArea: t.minArea)
        #expect(small.withoutSpecks(width: side, height: side, minArea: 32).mask == small.mask)
    }

    @Test func aThinLineStandsOutOfItsNeighbourhoodsMedianAndAnEdgeDoesNot() {
        // 12×12, one channel: a step edge between columns 5 and 6, and a 1-px line along row 3 in the left half.
        let side = 12
        var planes = (0..<(side * side)).map { i -> Float in i % side < 6 ? -0.5 : 0.5 }
        for x in 0..<6 { planes[3 * side + x] = 0.3 }
        let evidence = ThinLines.evidence(planes, width: side, height: side, channels: 1)
        for i in evidence.indices {
            let x = i % side, y = i / side
            if y == 3 && x < 4 { #expect(abs(evidence[i] - 0.8) < 1e-6, "line pixel (\(x), \(y)): \(evidence[i])") }
            if y > 5 { #expect(evidence[i] == 0, "edge pixel (\(x), \(y)): \(evidence[i])") }
        }
        // Where `within` is clear nothing is computed; a second channel's line counts as much.
        let within = (0..<(side * side)).map { $0 / side == 3 && $0 % side == 1 }
        let two = ThinLines.evidence([Float](repeating: 0, count: side * side) + planes, width: side, height: side, channels: 2, within: within)
        #expect(two.enumerated().allSatisfy { i, v in within[i] ? abs(v - 0.8) < 1e-6 : v == 0 })
    }

    @Test func aThinLineInsideARegionShapesItAndTooShortALineDoesNot() {
        // A 10×10 blob of score around a vertical 1-px line in column 4 of a 16×16 frame.
        let side = 16
        let score = (0..<(side * side)).map { i -> Float in (3..<13).contains(i % side) && (3..<13).contains(i / side) ? 2 : 0 }
        let t = Thresholds(pixel: 1, minArea: 16, image: 1.5)
        let defects = DefectMask(score: score, width: side, height: side, thresholds: t)
        #expect(defects.mask.filter { $0 }.count == 100)
        func line(_ rows: Range<Int>) -> [Float] {
            (0..<(side * side)).map { i in i % side == 4 && rows.contains(i / side) ? 3 : 0.5 }
        }
        // Five pixels reach a quarter of the 16-px minimum area: the region is drawn along them.
        let shaped = defects.shapedByThinLines(line(4..<9), width: side, height: side, minArea: t.minArea)
        #expect(shaped.mask == (0..<(side * side)).map { $0 % side == 4 && (4..<9).contains($0 / side) })
        #expect(shaped.extent == defects.extent)
        // A diagonal line is one patch, 8-connected, though no two of its pixels share a side.
        let diagonal = (0..<(side * side)).map { i -> Float in (4..<9).contains(i / side) && i % side == i / side ? 3 : 0.5 }
        #expect(defects.shapedByThinLines(diagonal, width: side, height: side, minArea: t.minArea).mask == diagonal.map { $0 > 1 })
        // Three do not, and a line outside the extent does not count: the blob stays.
        #expect(defects.shapedByThinLines(line(4..<7), width: side, height: side, minArea: t.minArea).mask == defects.mask)
        let outside = (0..<(side * side)).map { i -> Float in i % side == 14 ? 3 : 0 }
        #expect(defects.shapedByThinLines(outside, width: side, height: side, minArea: t.minArea).mask == defects.mask)
    }

    @Test func outliersAreMeasuredInTheFramesOwnSpreadPerChannel() {
        // Two channels of 4 pixels; channel 0 has standard deviation 1, channel 1 deviation 10.
        let planes: [Float] = [-1, 1, -1, 1, -10, 10, -10, 10]
        var restored = planes
        restored[0] += 4     // 4 / (2 × 1) = 2 outlier levels
        restored[5] += 10    // 10 / (2 × 10) = 0.5
        let outliers = Detector.outliers(planes: planes, restored: restored, channels: 2)
        #expect(outliers.count == 4)
        #expect(abs(outliers[0] - 2) < 1e-5 && abs(outliers[1] - 0.5) < 1e-5 && outliers[2] == 0 && outliers[3] == 0)
        // A flat frame does not divide by zero.
        #expect(Detector.outliers(planes: [0, 0], restored: [0, 1], channels: 1)[1].isFinite)
    }

    @Test func componentsAreFourConnectedOrEightWithDiagonals() {
        // Diagonal neighbours are separate components, unless diagonals connect.
        let cc = ConnectedComponents.label([true, false, false, true], width: 2, height: 2)
        #expect(cc.count == 2)
        let on = [true, false, false, false, false, true, false, false, false, false, false, true]  // 4 wide, 3 high
        let eight = ConnectedComponents.label(on, width: 4, height: 3, diagonal: true)
        #expect(eight.count == 2 && eight.labels == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2])
        #expect(ConnectedComponents.label(on, width: 4, height: 3).count == 3)
    }

    @Test func tileOriginsCoverTheImageAndMirrorPaddingRoundTrips() {
        #expect(Detector.origins(length: 128, tile: 64, stride: 48) == [0, 48, 64])
        #expect(Detector.origins(length: 160, tile: 64, stride: 48) == [0, 48, 96])
        #expect(Detector.origins(length: 64, tile: 64, stride: 48) == [0])
        let planes = (0..<(2 * 5 * 3)).map(Float.init)  // 2 channels, 5 wide, 3 high
        let padded = Detector.mirrorPad(planes, width: 5, height: 3, channels: 2, pad: 2)
        #expect(padded.count == 2 * 9 * 7)
        #expect(padded[0] == planes[2 * 5 + 2])  // corner mirrors (2, 2)
        #expect(Detector.crop(padded, width: 9, channels: 2, pad: 2, toWidth: 5, height: 3) == planes)
    }

    @Test func quantileInterpolatesLikeNumpy() {
        #expect(Calibration.quantile([4, 1, 3, 2], 0.5) == 2.5)
        #expect(Calibration.quantile([1, 2, 3, 4, 5], 0.95) == 4.8)
    }

    @Test func imageThresholdIgnoresAFewOutliers() {
        // log-normal scores: median 0.1, log-sd ≈ 0.3; two far outliers must not set the threshold.
        var scores: [Float] = (0..<28).map { i in 0.1 * expf(0.3 * (Float(i) - 13.5) / 8) }
        let clean = Calibration.robustLogNormalQuantile(scores, z: Calibration.imageZ)
        scores += [0.6, 0.9]
        let withOutliers = Calibration.robustLogNormalQuantile(scores, z: Calibration.imageZ)
        #expect(clean > scores.sorted()[26] && clean < 0.3)
        #expect(abs(withOutliers - clean) / clean < 0.15, "\(clean) → \(withOutliers)")
    }

    @Test func gaussianBlurKeepsAConstantAndTheSum() {
        let flat = [Float](repeating: 0.7, count: 30)
        #expect(GaussianBlur.apply(flat, width: 6, height: 5, sigma: 1.5).allSatisfy { abs($0 - 0.7) < 1e-5 })
    }
}
