import Testing
@testable import Inspection
import RGI

@Suite struct DefectRegionsTests {
    /// A 7×3 frame: one extent region (row 1, x 0…6) whose cut mask keeps two pieces, x 0…1 and x 5…6.
    @Test func aDefectCutIntoPiecesIsStillOneRegion() {
        var score = [Float](repeating: 0, count: 21)
        for (x, v) in [Float(2.0), 1.9, 0.6, 0.6, 0.6, 1.8, 2.0].enumerated() { score[7 + x] = v }
        let defects = DefectMask(score: score, width: 7, height: 3, thresholds: Thresholds(pixel: 0.5, minArea: 1, image: 1.5))
        #expect(defects.regions.count == 1)
        #expect(defects.mask.filter { $0 }.count == 4)
        let regions = DefectRegions.find(defects, score: score, width: 7)
        #expect(regions.count == 1)
        let r = regions[0]
        #expect((r.x, r.y, r.width, r.height, r.area) == (0, 1, 7, 1, 4))
        #expect(r.peakScore == 2.0)
        #expect(abs(r.meanScore - (2.0 + 1.9 + 1.8 + 2.0) / 4) < 1e-6)
    }

    @Test func noDefectNoRegion() {
        let score = [Float](repeating: 0.1, count: 12)
        let defects = DefectMask(score: score, width: 4, height: 3, thresholds: Thresholds(pixel: 0.5, minArea: 1, image: 1))
        #expect(DefectRegions.find(defects, score: score, width: 4).isEmpty)
    }
}
