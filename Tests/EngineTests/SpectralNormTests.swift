import Testing
@testable import Engine

@Suite struct SpectralNormTests {
    /// σ(W) in Float64 by many power iterations.
    func largestSingularValue(_ w: [Double], rows: Int, cols: Int) -> Double {
        var u = [Double](repeating: 1, count: rows)
        var sigma = 0.0
        for _ in 0..<500 {
            var v = [Double](repeating: 0, count: cols)
            for i in 0..<rows { for j in 0..<cols { v[j] += w[i * cols + j] * u[i] } }
            let nv = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); v = v.map { $0 / nv }
            u = [Double](repeating: 0, count: rows)
            for i in 0..<rows { for j in 0..<cols { u[i] += w[i * cols + j] * v[j] } }
            sigma = u.reduce(0) { $0 + $1 * $1 }.squareRoot(); u = u.map { $0 / sigma }
        }
        return sigma
    }

    @Test func normalizedLayerHasUnitSpectralNormAndCorrectGradient() {
        var rng = SeededGenerator(seed: 41)
        let (b, inF, outF) = (3, 6, 4)
        let sn = SpectralNorm(Linear(inF, outF, rng: &rng), rng: &rng)
        let x = randomTensor(Shape(b, inF), &rng)
        for _ in 0..<100 { _ = sn.forward(x, training: true) }  // converge the power iteration
        let wd = sn.weight.value.doubles
        let sigma = largestSingularValue(wd, rows: outF, cols: inF)
        #expect(abs(Double(sn.sigma) - sigma) / sigma < 1e-4)

        let y = sn.forward(x, training: true)
        let r = randomTensor(y.shape, &rng)
        sn.zeroGradients()
        _ = sn.backward(r, weightGradients: true)
        let bias = (sn.inner as! Linear).bias!.value.doubles, xd = x.doubles, rd = r.doubles
        func f(_ w: [Double]) -> Double {
            let s = largestSingularValue(w, rows: outF, cols: inF)
            return projection(Naive.linear(xd, b: b, inF: inF, outF: outF, weight: w.map { $0 / s }, bias: bias), rd)
        }
        #expect(relativeError(y.doubles, Naive.linear(xd, b: b, inF: inF, outF: outF, weight: wd.map { $0 / sigma }, bias: bias)) < 1e-4)
        #expect(relativeError(sn.weight.grad.doubles, numericalGradient(wd, f)) < 1e-3)
        #expect(sn.parameters.count == 2)
        #expect(sn.namedTensors.map(\.name) == ["weight_orig", "weight_u", "weight_v", "bias"])
    }
}
