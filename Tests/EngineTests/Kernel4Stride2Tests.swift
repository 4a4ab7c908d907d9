import Testing
@testable import Engine

/// The kernel-4, stride-2, pad-1 fast paths (every DCGAN up/downsampling layer) against the generic
/// im2col/col2im and against the naive loops, on odd and even sizes; shapes the fast path does not
/// cover must take the generic one.
@Suite struct Kernel4Stride2Tests {
    /// (batch, channels, output height, output width) of the column side.
    static let shapes = [(1, 1, 1, 1), (2, 3, 1, 4), (3, 2, 5, 1), (2, 2, 3, 7), (1, 4, 8, 8), (4, 3, 6, 2), (2, 1, 2, 9)]

    @Test func fastPathIsTakenOnlyForEvenSizes() {
        #expect(ConvGeometry(batch: 1, channels: 1, height: 8, width: 6, kernel: 4, stride: 2, pad: 1).isKernel4Stride2)
        #expect(ConvGeometry(batch: 1, channels: 1, height: 2, width: 2, kernel: 4, stride: 2, pad: 1).isKernel4Stride2)
        #expect(!ConvGeometry(batch: 1, channels: 1, height: 7, width: 6, kernel: 4, stride: 2, pad: 1).isKernel4Stride2)
        #expect(!ConvGeometry(batch: 1, channels: 1, height: 8, width: 9, kernel: 4, stride: 2, pad: 1).isKernel4Stride2)
        #expect(!ConvGeometry(batch: 1, channels: 1, height: 8, width: 8, kernel: 4, stride: 2, pad: 0).isKernel4Stride2)
        #expect(!ConvGeometry(batch: 1, channels: 1, height: 8, width: 8, kernel: 3, stride: 2, pad: 1).isKernel4Stride2)
        #expect(!ConvGeometry(batch: 1, channels: 1, height: 9, width: 9, kernel: 4, stride: 3, pad: 1).isKernel4Stride2)
    }

    @Test func im2colAndCol2imMatchGenericLoops() {
        var rng = SeededGenerator(seed: 21)
        for (b, c, oh, ow) in Self.shapes {
            let g = ConvGeometry(batch: b, channels: c, height: 2 * oh, width: 2 * ow, kernel: 4, stride: 2, pad: 1)
            #expect(g.isKernel4Stride2 && g.outHeight == oh && g.outWidth == ow)
            let image = randomTensor(Shape(b, c, 2 * oh, 2 * ow), &rng)
            let colShape = Shape(1, g.colRows, 1, g.colColumns)
            // Garbage in the outputs first: both paths must overwrite every element.
            let generic = Tensor(colShape), fast = Tensor(colShape)
            generic.fill(7); fast.fill(-3)
            im2colGeneric(image.data, g, generic.data)
            im2colKernel4Stride2(image.data, g, fast.data)
            #expect(fast.toArray() == generic.toArray(), "im2col B\(b) C\(c) \(2 * oh)×\(2 * ow)")

            let col = randomTensor(colShape, &rng)
            let genericImage = Tensor(image.shape), fastImage = Tensor(image.shape)
            genericImage.fill(7); fastImage.fill(-3)
            col2imGeneric(col.data, g, genericImage.data)
            col2imKernel4Stride2(col.data, g, fastImage.data)
            // The gather sums the (at most four) contributions in another order than the scatter.
            #expect(relativeError(fastImage.doubles, genericImage.doubles) < 1e-6, "col2im B\(b) C\(c) \(2 * oh)×\(2 * ow)")
        }
    }

    /// Conv2D and ConvTranspose2D with kernel 4, stride 2, pad 1 against the naive loops, on sizes that
    /// take the fast path (even) and sizes that must fall back (odd), forward and input gradient.
    @Test func layersMatchNaiveLoops() {
        var rng = SeededGenerator(seed: 22)
        for (b, cin, cout, h, w) in [(2, 3, 2, 8, 6), (1, 2, 3, 7, 8), (3, 1, 1, 2, 4), (2, 2, 2, 9, 5)] {
            let x = randomTensor(Shape(b, cin, h, w), &rng)
            let conv = Conv2D(cin, cout, kernel: 4, stride: 2, pad: 1, rng: &rng)
            rng.fillNormal(conv.bias!.value.data, count: cout)
            let y = conv.forward(x, training: true)
            let ref = Naive.conv2d(x.doubles, b: b, cin: cin, h: h, w: w, weight: conv.weight.value.doubles,
                                   bias: conv.bias!.value.doubles, cout: cout, k: 4, stride: 2, pad: 1)
            #expect(relativeError(y.doubles, ref) < 1e-5, "conv B\(b) \(cin)→\(cout) \(h)×\(w)")
            // dL/dx for L = Σ y·r, by the adjoint loop (an odd input's last row is reached by the
            // convolution but not by a transposed convolution of its output).
            let r = randomTensor(y.shape, &rng)
            let dx = conv.backward(r, weightGradients: false)
            let refDxConv = Self.conv2dInputGradient(r.doubles, weight: conv.weight.value.doubles, b: b, cin: cin, cout: cout,
                                                     h: h, w: w, oh: y.shape.h, ow: y.shape.w)
            #expect(relativeError(dx.doubles, refDxConv) < 1e-5, "conv dx B\(b) \(cin)→\(cout) \(h)×\(w)")

            let convT = ConvTranspose2D(cin, cout, kernel: 4, stride: 2, pad: 1, rng: &rng)
            rng.fillNormal(convT.bias!.value.data, count: cout)
            let yT = convT.forward(x, training: true)
            let refT = Naive.convTranspose2d(x.doubles, b: b, cin: cin, h: h, w: w, weight: convT.weight.value.doubles,
                                             bias: convT.bias!.value.doubles, cout: cout, k: 4, stride: 2, pad: 1)
            #expect(relativeError(yT.doubles, refT) < 1e-5, "convT B\(b) \(cin)→\(cout) \(h)×\(w)")
            let rT = randomTensor(yT.shape, &rng)
            let dxT = convT.backward(rT, weightGradients: false)
            // The input gradient of a transposed convolution is the convolution with the same weights.
            let refDx = Naive.conv2d(rT.doubles, b: b, cin: cout, h: yT.shape.h, w: yT.shape.w,
                                     weight: convT.weight.value.doubles,
                                     bias: nil, cout: cin, k: 4, stride: 2, pad: 1)
            #expect(relativeError(dxT.doubles, refDx) < 1e-5, "convT dx B\(b) \(cin)→\(cout) \(h)×\(w)")
        }
    }

    /// dL/dx of a kernel-4, stride-2, pad-1 convolution for dL/dy = r: scatters r back through the taps.
    static func conv2dInputGradient(_ r: [Double], weight: [Double], b: Int, cin: Int, cout: Int,
                                    h: Int, w: Int, oh: Int, ow: Int) -> [Double] {
        var dx = [Double](repeating: 0, count: b * cin * h * w)
        for n in 0..<b { for o in 0..<cout { for oy in 0..<oh { for ox in 0..<ow {
            let v = r[((n * cout + o) * oh + oy) * ow + ox]
            for c in 0..<cin { for ky in 0..<4 { for kx in 0..<4 {
                let iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                dx[((n * cin + c) * h + iy) * w + ix] += v * weight[((o * cin + c) * 4 + ky) * 4 + kx]
            } } }
        } } } }
        return dx
    }
}
