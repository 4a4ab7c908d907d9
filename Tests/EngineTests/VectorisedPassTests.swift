import Foundation
import Testing
@testable import Engine

/// The hand-vectorised element-wise passes (batch norm, tanh, Adam) against plain references, on
/// sizes that exercise the vector body and the scalar tail.
@Suite struct VectorisedPassTests {
    /// Training-mode batch norm with runs long enough for the vector lanes (49 = 32 + 16 + 1 per
    /// run): forward against the Float64 reference, all gradients against finite differences.
    @Test func batchNormTrainingOnLongRuns() {
        GradientCheckTests.checkBatchNorm(training: true, b: 3, c: 2, h: 7, w: 7, seed: 31)
    }

    /// Statistics of values far from zero (mean 100, σ 0.01): the variance must not drown in the mean.
    @Test func batchNormStatisticsOfOffsetValues() {
        var rng = SeededGenerator(seed: 32)
        let (b, c, h, w) = (4, 3, 16, 16)
        let layer = BatchNorm(c)
        let x = Tensor(Shape(b, c, h, w))
        rng.fillNormal(x.data, count: x.count, mean: 100, std: 0.01)
        let y = layer.forward(x, training: true)
        let reference = Naive.batchNormTrain(x.doubles, b: b, c: c, spatial: h * w, gamma: [1, 1, 1], beta: [0, 0, 0], eps: 1e-5)
        // σ ≈ 0.01 against ε = 10⁻⁵: the output is ≈ (x − μ)/σ·0.95, and x − μ carries Float32
        // rounding of values near 100 (8·10⁻⁶), so the comparison can be no tighter than 10⁻³.
        #expect(relativeError(y.doubles, reference) < 1e-3)
        // Running statistics after one step from (0, 1) with momentum 0.1: 0.1·μ and 0.9 + 0.1·σ²(unbiased).
        let n = Double(b * h * w)
        for ch in 0..<c {
            var mean = 0.0, sq = 0.0
            for s in 0..<b { for i in 0..<(h * w) { mean += Double(x.data[(s * c + ch) * h * w + i]) } }
            mean /= n
            for s in 0..<b { for i in 0..<(h * w) { let d = Double(x.data[(s * c + ch) * h * w + i]) - mean; sq += d * d } }
            #expect(abs(Double(layer.runningMean.data[ch]) - 0.1 * mean) < 1e-5)
            #expect(abs(Double(layer.runningVar.data[ch]) - (0.9 + 0.1 * sq / (n - 1))) < 1e-6)
        }
    }

    @Test func tanhIsWithinFourTenthsOfAMillionth() {
        var values: [Float] = stride(from: Float(-12), to: 12, by: 0.001).map { $0 }
        var t: Float = 1e-9
        while t < 1 { values += [t, -t]; t *= 1.01 }
        values += [0, -0.0, 100, -100, .infinity, -.infinity, .greatestFiniteMagnitude]
        let x = Tensor(Shape(1, values.count), values)  // not a multiple of the chunk or the vector width
        let y = Tanh().forward(x, training: false)
        var worst = 0.0
        for (i, v) in values.enumerated() {
            let exact = Foundation.tanh(Double(v))
            let error = abs(Double(y.data[i]) - exact)
            worst = max(worst, error)
            // Small arguments: relative accuracy too (tanh x ≈ x).
            if abs(v) < 0.1 { #expect(error <= 4e-7 * abs(exact) + 1e-30, "tanh(\(v))") }
        }
        #expect(worst < 4e-7)
        #expect(y.data[values.count - 3] == 1 && y.data[values.count - 2] == -1)
    }

    /// The vectorised Adam body and the scalar tail give every element exactly the scalar formula's
    /// result (parameter sizes around the vector width and across the parallel chunk size).
    @Test func adamMatchesScalarFormulaExactly() {
        var rng = SeededGenerator(seed: 33)
        for count in [1, 3, 4, 7, 33, 70_001] {
            let p = Parameter(Shape(count, 1))
            rng.fillNormal(p.value.data, count: count)
            let adam = Adam([p], learningRate: 0.01, weightDecay: 0.1)
            var w = p.value.toArray(), m = [Float](repeating: 0, count: count), v = m
            for step in 1...3 {
                rng.fillNormal(p.grad.data, count: count)
                let g = p.grad.toArray()
                adam.step()
                let c1 = 1 - Float.exp(Float(step) * Float.log(0.9)), c2 = 1 - Float.exp(Float(step) * Float.log(0.999))
                for i in 0..<count {
                    m[i] = 0.9 * m[i] + (1 - 0.9) * g[i]
                    v[i] = 0.999 * v[i] + (1 - 0.999) * g[i] * g[i]
                    let update = (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
                    w[i] -= 0.01 * (update + 0.1 * w[i])
                }
            }
            #expect(p.value.toArray() == w, "Adam on \(count) elements")
        }
    }
}
