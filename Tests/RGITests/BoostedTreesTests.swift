import Engine
import Foundation
import Testing
@testable import RGI

@Suite struct BoostedTreesTests {
    /// Two features, positive inside a box: depth-2 splits can express it, a linear model cannot.
    static func box(count: Int, seed: UInt64) -> (samples: [Float], labels: [Bool]) {
        var rng = SeededGenerator(seed: seed)
        var samples: [Float] = [], labels: [Bool] = []
        for _ in 0..<count {
            let a = rng.uniform(), b = rng.uniform()
            samples += [a, b]
            labels.append(a > 0.3 && a < 0.7 && b > 0.5)
        }
        return (samples, labels)
    }

    @Test func learnsABoxThatNoSingleThresholdSeparates() {
        let train = Self.box(count: 4000, seed: 1), test = Self.box(count: 2000, seed: 2)
        var settings = BoostedTrees.Settings()
        settings.trees = 30; settings.depth = 3
        let model = BoostedTrees.fit(samples: train.samples, labels: train.labels, features: 2, settings: settings)
        var correct = 0
        for i in test.labels.indices {
            let logit = model.logit { test.samples[i * 2 + $0] }
            if (logit > 0) == test.labels[i] { correct += 1 }
        }
        #expect(Double(correct) / Double(test.labels.count) > 0.97, "\(correct) of \(test.labels.count) right")
        #expect(model.trees.count == 30 && model.trees.allSatisfy { $0.leaf.count == 8 && $0.feature.count == 7 })
    }

    @Test func blockedLogitsEqualOneSampleAtATime() {
        // Five features, 300 samples: not a multiple of the block, and a range that starts inside it.
        let d = 5, n = 300
        var rng = SeededGenerator(seed: 3)
        let rows = (0..<(n * d)).map { _ in rng.uniform() }
        let labels = (0..<n).map { rows[$0 * d] + rows[$0 * d + 3] > 1 }
        var settings = BoostedTrees.Settings()
        settings.trees = 12; settings.depth = 3; settings.minLeaf = 5
        let model = BoostedTrees.fit(samples: rows, labels: labels, features: d, settings: settings)
        let featureMajor = (0..<d).flatMap { f in (0..<n).map { rows[$0 * d + f] } }
        var out = [Float](repeating: .nan, count: n)
        featureMajor.withUnsafeBufferPointer { values in
            out.withUnsafeMutableBufferPointer { model.logits(featureMajor: values, sampleCount: n, range: 7..<n, into: $0) }
        }
        #expect(out[0..<7].allSatisfy { $0.isNaN }, "samples outside the range are not written")
        #expect((7..<n).allSatisfy { i in out[i] == model.logit { rows[i * d + $0] } })
    }

    @Test func withoutSamplesTheModelIsItsBias() {
        let model = BoostedTrees.fit(samples: [], labels: [], features: 3)
        #expect(model.trees.isEmpty && model.logit { _ in 0 } == model.bias)
    }

    @Test func constantFeaturesGiveNoSplitAndSurviveJSON() throws {
        // Nothing to split on: every node keeps all samples left, with a finite threshold (JSON has no ∞).
        let labels = (0..<200).map { $0 % 3 == 0 }
        var settings = BoostedTrees.Settings()
        settings.trees = 2
        let model = BoostedTrees.fit(samples: [Float](repeating: 1, count: 200), labels: labels, features: 1, settings: settings)
        #expect(model.trees.allSatisfy { $0.threshold.allSatisfy { $0 == .greatestFiniteMagnitude } })
        let share = 67.0 / 200
        #expect(abs(Double(model.logit { _ in 1 }) - log(share / (1 - share))) < 0.05, "leaves stay near the prior")
        let decoded = try Manifest.decoder.decode(BoostedTrees.self, from: Manifest.encoder.encode(model))
        #expect(decoded == model)
    }

    @Test func binsFollowTheirUpperEdges() {
        let edges: [Float] = [0, 1, 2]
        #expect([-1, 0, 0.5, 1, 1.5, 2, 3].map { BoostedTrees.bin($0, edges: edges) } == [0, 0, 1, 1, 2, 2, 3])
        let quantiles = BoostedTrees.binEdges((0..<100).map(Float.init), bins: 4)
        #expect(quantiles == [25, 50, 75])
    }
}
