import Testing
@testable import Engine

/// The transposed weight-gradient GEMM (`WeightGradient`) against the direct one, and the layers'
/// weight gradients on shapes large enough to take it against a naive loop.
@Suite struct WeightGradientTests {
    @Test func transposedProductMatchesDirect() {
        var rng = SeededGenerator(seed: 41)
        for (p, q, k) in [(3, 37, 8192), (16, 48, 8200), (5, 17, 9000)] {
            #expect(WeightGradient.transposes(p: p, q: q, k: k))
            let a = randomTensor(Shape(p, k), &rng), b = randomTensor(Shape(q, k), &rng)
            let start = randomTensor(Shape(p, q), &rng)
            let direct = Tensor(start.shape), transposed = Tensor(start.shape)
            direct.copy(from: start); transposed.copy(from: start)
            sgemm(transA: false, transB: true, m: p, n: q, k: k, a: a.data, lda: k, b: b.data, ldb: k, beta: 1, c: direct.data, ldc: q)
            let scratch = Tensor(Shape(q, p))
            WeightGradient.accumulate(p: p, q: q, k: k, a: a.data, lda: k, b: b.data, ldb: k, into: transposed.data, scratch: scratch.data)
            #expect(relativeError(transposed.doubles, direct.doubles) < 1e-6, "p \(p) q \(q) k \(k)")
        }
        #expect(!WeightGradient.transposes(p: 64, q: 32, k: 4096))
        #expect(!WeightGradient.transposes(p: 32, q: 64, k: 4096))
    }

    /// ConvTranspose2D and Conv2D weight gradients with B·H·W ≥ 8192 columns (the transposed
    /// product), accumulated over two backward passes, against naive loops.
    @Test func layerWeightGradientsOnLongColumns() {
        var rng = SeededGenerator(seed: 42)
        let (b, cin, cout, h, w) = (2, 3, 2, 64, 64)
        let x = randomTensor(Shape(b, cin, h, w), &rng)

        let convT = ConvTranspose2D(cin, cout, kernel: 4, stride: 2, pad: 1, rng: &rng)
        let yT = convT.forward(x, training: true)
        let rT = randomTensor(yT.shape, &rng)
        convT.zeroGradients()
        _ = convT.backward(rT, weightGradients: true)
        _ = convT.backward(rT, weightGradients: true)
        // dW[ci, co, ky, kx] = Σ x[b, ci, iy, ix]·r[b, co, 2iy − 1 + ky, 2ix − 1 + kx]
        var refT = [Double](repeating: 0, count: cin * cout * 16)
        let (oh, ow) = (yT.shape.h, yT.shape.w)
        for n in 0..<b { for ci in 0..<cin { for iy in 0..<h { for ix in 0..<w {
            let v = Double(x.data[((n * cin + ci) * h + iy) * w + ix])
            for co in 0..<cout { for ky in 0..<4 { for kx in 0..<4 {
                let oy = 2 * iy - 1 + ky, ox = 2 * ix - 1 + kx
                guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                refT[((ci * cout + co) * 4 + ky) * 4 + kx] += 2 * v * Double(rT.data[((n * cout + co) * oh + oy) * ow + ox])
            } } }
        } } } }
        #expect(relativeError(convT.weight.grad.doubles, refT) < 1e-5)

        let xs = randomTensor(Shape(b, cin, 2 * h, 2 * w), &rng)  // output 64×64: 8192 columns
        let conv = Conv2D(cin, cout, kernel: 4, stride: 2, pad: 1, rng: &rng)
        let y = conv.forward(xs, training: true)
        let r = randomTensor(y.shape, &rng)
        conv.zeroGradients()
        _ = conv.backward(r, weightGradients: true)
        // dW[co, ci, ky, kx] = Σ r[b, co, oy, ox]·x[b, ci, 2oy − 1 + ky, 2ox − 1 + kx]
        var ref = [Double](repeating: 0, count: cout * cin * 16)
        let (sh, sw) = (2 * h, 2 * w)
        for n in 0..<b { for co in 0..<cout { for oy in 0..<y.shape.h { for ox in 0..<y.shape.w {
            let v = Double(r.data[((n * cout + co) * y.shape.h + oy) * y.shape.w + ox])
            for ci in 0..<cin { for ky in 0..<4 { for kx in 0..<4 {
                let iy = 2 * oy - 1 + ky, ix = 2 * ox - 1 + kx
                guard iy >= 0, iy < sh, ix >= 0, ix < sw else { continue }
                ref[((co * cin + ci) * 4 + ky) * 4 + kx] += v * Double(xs.data[((n * cin + ci) * sh + iy) * sw + ix])
            } } }
        } } } }
        #expect(relativeError(conv.weight.grad.doubles, ref) < 1e-5)
    }
}

/// GEMMs split into blocks of C for the worker pool (`BLAS.Threading.workerPool`) against one
/// OpenBLAS call, for every transposition, row and column splits, parts that do not divide the size.
@Suite struct SplitGEMMTests {
    @Test func splitMatchesSingleCall() {
        var rng = SeededGenerator(seed: 43)
        for (m, n, k) in [(7, 45, 13), (45, 7, 13), (1, 9, 5), (33, 33, 64)] {
            for transA in [false, true] { for transB in [false, true] {
                let a = randomTensor(Shape(m, k), &rng), b = randomTensor(Shape(k, n), &rng), c0 = randomTensor(Shape(m, n), &rng)
                let lda = transA ? m : k, ldb = transB ? k : n
                let whole = Tensor(c0.shape)
                whole.copy(from: c0)
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda, b: b.data, ldb: ldb,
                      beta: 0.25, c: whole.data, ldc: n)
                for parts in [2, 3, 8] {
                    let split = Tensor(c0.shape)
                    split.copy(from: c0)
                    sgemm(parts: parts, transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                          b: b.data, ldb: ldb, beta: 0.25, c: split.data, ldc: n)
                    #expect(relativeError(split.doubles, whole.doubles) < 1e-6, "\(m)×\(n)×\(k) \(transA) \(transB) in \(parts)")
                }
            } }
        }
    }
}
