import Testing
@testable import Engine

/// Transposed convolution run over the batch in chunks (`ConvGeometry.imagesPerChunk`) against the
/// same computation in one piece, which the other suites check against the naive loops.
@Suite struct ChunkedConvolutionTests {
    @Test func chunkSizes() {
        // 32 images of 32×32 with 512 column rows (the benchmark's 64→32 layer): 2 MB of columns per
        // image, so the 4096-column minimum decides: 4 images.
        let g = ConvGeometry(batch: 32, channels: 32, height: 64, width: 64, kernel: 4, stride: 2, pad: 1)
        #expect(g.imagesPerChunk == 4)
        // Small layers stay whole.
        #expect(ConvGeometry(batch: 32, channels: 256, height: 8, width: 8, kernel: 4, stride: 2, pad: 1).imagesPerChunk == 32)
        #expect(ConvGeometry(batch: 3, channels: 2, height: 8, width: 8, kernel: 4, stride: 2, pad: 1).imagesPerChunk == 3)
        // 64×64 outputs of 16 channels: 256 rows × 4096 columns = 4 MB per image.
        #expect(ConvGeometry(batch: 5, channels: 16, height: 128, width: 128, kernel: 4, stride: 2, pad: 1).imagesPerChunk == 1)
    }

    /// Forward and backward with chunks of 2 over a batch of 5 (a short last chunk), for the fast
    /// kernel-4 path and a generic geometry, with the direct and the transposed weight gradient.
    @Test(arguments: [(4, 2, 1, 8, 8), (3, 1, 0, 7, 5)])
    func chunksMatchWholeBatch(_ kernel: Int, _ stride: Int, _ pad: Int, _ h: Int, _ w: Int) {
        var rng = SeededGenerator(seed: 51)
        let (b, cin, cout) = (5, 3, 4)
        let layer = ConvTranspose2D(cin, cout, kernel: kernel, stride: stride, pad: pad, rng: &rng)
        let g = layer.geometry(for: Shape(b, cin, h, w))
        let x = randomTensor(Shape(b, cin, h, w), &rng)
        let weight = layer.weight.value.data
        let bias = randomTensor(Shape(cout, 1), &rng)
        let gemmIn = Tensor(Shape(1, cin, 1, g.colColumns)), col = Tensor(Shape(1, g.colRows, 1, g.colColumns))
        let whole = Tensor(Shape(b, cout, g.height, g.width)), chunked = Tensor(whole.shape)
        convTranspose2dForward(input: x.data, geometry: g, inChannels: cin, weight: weight, bias: bias.data,
                               gemmIn: gemmIn.data, col: col.data, output: whole.data)
        convTranspose2dForward(input: x.data, geometry: g, inChannels: cin, weight: weight, bias: bias.data,
                               gemmIn: gemmIn.data, col: col.data, output: chunked.data, chunk: 2)
        #expect(relativeError(chunked.doubles, whole.doubles) < 1e-6)

        let dy = randomTensor(whole.shape, &rng)
        for transposed in [false, true] {
            var results: [[Double]] = []
            for chunk in [nil, 2] as [Int?] {
                let gradWeight = Tensor(layer.weight.value.shape), gradBias = Tensor(Shape(cout, 1))
                gradWeight.fill(0.5); gradBias.fill(0.25)  // accumulated into, not overwritten
                let scratch = Tensor(layer.weight.value.shape)
                let gradCol = Tensor(col.shape), gradGemm = Tensor(gemmIn.shape), dx = Tensor(x.shape)
                convTranspose2dBackward(gradOutput: dy.data, geometry: g, inChannels: cin, weight: weight, gemmIn: gemmIn.data,
                                        gradWeight: gradWeight.data, gradBias: gradBias.data, gradCol: gradCol.data,
                                        gradGemm: gradGemm.data, gradInput: dx.data,
                                        weightScratch: transposed ? scratch.data : nil, chunk: chunk)
                results.append(gradWeight.doubles + gradBias.doubles + dx.doubles)
            }
            #expect(relativeError(results[1], results[0]) < 1e-6, "transposed weight gradient: \(transposed)")
        }
    }

    /// A layer whose batch is split (1 image per chunk) against the naive loop on its first image.
    @Test func layerWithOneImagePerChunk() {
        var rng = SeededGenerator(seed: 52)
        let (b, cin, cout, h, w) = (2, 1, 16, 64, 64)
        let layer = ConvTranspose2D(cin, cout, kernel: 4, stride: 2, pad: 1, rng: &rng)
        #expect(layer.geometry(for: Shape(b, cin, h, w)).imagesPerChunk == 1)
        let x = randomTensor(Shape(b, cin, h, w), &rng)
        let y = layer.forward(x, training: true)
        let ref = Naive.convTranspose2d(x.doubles, b: b, cin: cin, h: h, w: w, weight: layer.weight.value.doubles,
                                        bias: layer.bias!.value.doubles, cout: cout, k: 4, stride: 2, pad: 1)
        #expect(relativeError(y.doubles, ref) < 1e-5)
        let r = randomTensor(y.shape, &rng)
        let dx = layer.backward(r, weightGradients: false)
        let refDx = Naive.conv2d(r.doubles, b: b, cin: cout, h: y.shape.h, w: y.shape.w, weight: layer.weight.value.doubles,
                                 bias: nil, cout: cin, k: 4, stride: 2, pad: 1)
        #expect(relativeError(dx.doubles, refDx) < 1e-5)
    }
}
