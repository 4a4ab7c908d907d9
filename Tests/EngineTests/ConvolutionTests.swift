import Testing
@testable import Engine

/// Convolution and transposed convolution against the naive loops on many random shapes, plus
/// batch-norm folding.
@Suite struct ConvolutionTests {
    @Test func randomShapesMatchNaiveLoops() {
        var rng = SeededGenerator(seed: 11)
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        for _ in 0..<40 {
            let k = pick(1...5), stride = pick(1...3), pad = pick(0...min(2, k - 1))
            let b = pick(1...3), cin = pick(1...4), cout = pick(1...4)
            let h = pick(k...9), w = pick(k...9)
            let x = randomTensor(Shape(b, cin, h, w), &rng)

            let conv = Conv2D(cin, cout, kernel: k, stride: stride, pad: pad, rng: &rng)
            rng.fillNormal(conv.bias!.value.data, count: cout)
            let y = conv.forward(x, training: false)
            let ref = Naive.conv2d(x.doubles, b: b, cin: cin, h: h, w: w, weight: conv.weight.value.doubles,
                                   bias: conv.bias!.value.doubles, cout: cout, k: k, stride: stride, pad: pad)
            #expect(relativeError(y.doubles, ref) < 1e-5, "conv B\(b) \(cin)→\(cout) \(h)×\(w) k\(k) s\(stride) p\(pad)")

            let convT = ConvTranspose2D(cin, cout, kernel: k, stride: stride, pad: pad, rng: &rng)
            let yT = convT.forward(x, training: false)
            let refT = Naive.convTranspose2d(x.doubles, b: b, cin: cin, h: h, w: w, weight: convT.weight.value.doubles,
                                             bias: convT.bias!.value.doubles, cout: cout, k: k, stride: stride, pad: pad)
            #expect(relativeError(yT.doubles, refT) < 1e-5, "convT B\(b) \(cin)→\(cout) \(h)×\(w) k\(k) s\(stride) p\(pad)")
        }
    }

    /// Buffers are reused across calls: a smaller batch after a larger one must not see stale data.
    @Test func batchSizeChangesReuseBuffersCorrectly() {
        var rng = SeededGenerator(seed: 12)
        let conv = Conv2D(2, 3, kernel: 3, stride: 1, pad: 1, rng: &rng)
        let big = randomTensor(Shape(4, 2, 6, 6), &rng)
        _ = conv.forward(big, training: false)
        let small = randomTensor(Shape(1, 2, 6, 6), &rng)
        let y = conv.forward(small, training: false)
        let ref = Naive.conv2d(small.doubles, b: 1, cin: 2, h: 6, w: 6, weight: conv.weight.value.doubles,
                               bias: conv.bias!.value.doubles, cout: 3, k: 3, stride: 1, pad: 1)
        #expect(y.shape == Shape(1, 3, 6, 6))
        #expect(relativeError(y.doubles, ref) < 1e-5)
    }

    @Test func foldedBatchNormMatchesEvaluationMode() {
        var rng = SeededGenerator(seed: 13)
        let layers: [Layer] = [
            Conv2D(3, 4, kernel: 3, stride: 1, pad: 1, bias: false, rng: &rng), BatchNorm(4), LeakyReLU(),
            ConvTranspose2D(4, 2, kernel: 4, stride: 2, pad: 1, bias: false, rng: &rng), BatchNorm(2), Tanh(),
        ]
        let net = Sequential(layers)
        for case let bn as BatchNorm in layers {
            rng.fillNormal(bn.gamma.value.data, count: bn.channels, mean: 1, std: 0.2)
            rng.fillNormal(bn.beta.value.data, count: bn.channels, std: 0.2)
            rng.fillNormal(bn.runningMean.data, count: bn.channels, std: 0.3)
            for c in 0..<bn.channels { bn.runningVar.data[c] = 0.3 + rng.uniform() }
        }
        let x = randomTensor(Shape(2, 3, 5, 5), &rng)
        let expected = net.forward(x, training: false).doubles
        let folded = net.foldingBatchNorm()
        #expect(folded.layers.count == 4)
        #expect(relativeError(folded.forward(x, training: false).doubles, expected) < 1e-5)
    }
}
