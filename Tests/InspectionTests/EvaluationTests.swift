import Testing
@testable import Inspection

@Suite struct EvaluationTests {
    /// 2×2 images: two good ones, a scratch whose defect pixel scores above every good pixel, and a
    /// stain whose defect pixels score among them.
    func sample(_ kind: String, _ score: [Float], truth: [Bool] = [false, false, false, false],
                mask: [Bool] = [false, false, false, false], defective: Bool) -> Evaluation.Sample {
        Evaluation.Sample(kind: kind, name: "\(kind)-\(score)", width: 2, height: 2, score: score, truth: truth, mask: mask,
                          imageScore: score.max()!, defective: defective, input: nil, restored: nil, clean: nil)
    }

    @Test func perKindMetricsAddUpToThePooledOnes() {
        let samples = [
            sample("good", [0.1, 0.2, 0.3, 0.4], defective: false),
            sample("good", [0.1, 0.2, 0.3, 0.9], defective: true),
            sample("scratch", [0.95, 0.1, 0.1, 0.1], truth: [true, false, false, false], mask: [true, true, false, false], defective: true),
            sample("stain", [0.5, 0.1, 0.1, 0.1], truth: [true, true, false, false], mask: [false, false, false, false], defective: false),
        ]
        let m = Evaluation.metrics(samples)
        #expect(Set(m.kinds.keys) == ["good", "scratch", "stain"])
        let good = m.kinds["good"]!, scratch = m.kinds["scratch"]!, stain = m.kinds["stain"]!
        #expect(good.images == 2 && good.calledDefective == 0.5 && good.pixelAUROC.isNaN && good.maskF1.isNaN)
        #expect(good.calledDefective == m.falseCallRate)
        #expect((scratch.calledDefective + stain.calledDefective) / 2 == m.defectRecall)
        // The scratch pixel (0.95) outranks all 8 good pixels. Of the stain's two, 0.5 beats 7 of the 8
        // (all but 0.9) and 0.1 ties two (half each): (7 + 1) / 16.
        #expect(scratch.pixelAUROC == 1)
        #expect(abs(stain.pixelAUROC - 8.0 / 16) < 1e-12)
        // Scratch mask: 1 true positive, 1 false positive: F1 = 2 / (2 + 1).
        #expect(abs(scratch.maskF1 - 2.0 / 3) < 1e-12 && stain.maskF1 == 0)
    }
}
