import Testing
@testable import Engine

/// Every layer's backward against central finite differences of an independent Float64 forward.
/// Bound: norm-wise relative error < 1e-3 (observed values are around 1e-6, Float32 rounding).
@Suite struct GradientCheckTests {
    static let bound = 1e-3

    struct ConvCase: CustomTestStringConvertible, Sendable {
        var b, cin, h, w, cout, k, stride, pad: Int
        var testDescription: String { "B\(b) \(cin)→\(cout) \(h)×\(w) k\(k) s\(stride) p\(pad)" }
    }

    static let convCases = [
        ConvCase(b: 2, cin: 3, h: 7, w: 6, cout: 4, k: 3, stride: 1, pad: 1),
        ConvCase(b: 2, cin: 2, h: 8, w: 8, cout: 3, k: 4, stride: 2, pad: 1),
        ConvCase(b: 1, cin: 2, h: 5, w: 4, cout: 2, k: 1, stride: 1, pad: 0),
        ConvCase(b: 3, cin: 1, h: 9, w: 7, cout: 2, k: 5, stride: 3, pad: 2),
    ]

    @Test(arguments: convCases)
    func conv2d(_ c: ConvCase) {
        var rng = SeededGenerator(seed: 1)
        let layer = Conv2D(c.cin, c.cout, kernel: c.k, stride: c.stride, pad: c.pad, rng: &rng)
        rng.fillNormal(layer.bias!.value.data, count: c.cout)
        let x = randomTensor(Shape(c.b, c.cin, c.h, c.w), &rng)
        let y = layer.forward(x, training: true)
        let r = randomTensor(y.shape, &rng)
        layer.zeroGradients()
        let dx = layer.backward(r, weightGradients: true)

        let wd = layer.weight.value.doubles, bd = layer.bias!.value.doubles, xd = x.doubles, rd = r.doubles
        func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            Naive.conv2d(x, b: c.b, cin: c.cin, h: c.h, w: c.w, weight: w, bias: b, cout: c.cout, k: c.k, stride: c.stride, pad: c.pad)
        }
        #expect(relativeError(y.doubles, f(xd, wd, bd)) < 1e-5)
        #expect(relativeError(dx.doubles, numericalGradient(xd) { projection(f($0, wd, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.weight.grad.doubles, numericalGradient(wd) { projection(f(xd, $0, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.bias!.grad.doubles, numericalGradient(bd) { projection(f(xd, wd, $0), rd) }) < Self.bound)
    }

    @Test(arguments: convCases)
    func convTranspose2d(_ c: ConvCase) {
        var rng = SeededGenerator(seed: 2)
        let layer = ConvTranspose2D(c.cin, c.cout, kernel: c.k, stride: c.stride, pad: c.pad, rng: &rng)
        rng.fillNormal(layer.bias!.value.data, count: c.cout)
        // A transposed conv needs (H−1)s − 2p + K > 0: use input sizes that satisfy it for every case.
        let x = randomTensor(Shape(c.b, c.cin, c.h, c.w), &rng)
        let y = layer.forward(x, training: true)
        let r = randomTensor(y.shape, &rng)
        layer.zeroGradients()
        let dx = layer.backward(r, weightGradients: true)

        let wd = layer.weight.value.doubles, bd = layer.bias!.value.doubles, xd = x.doubles, rd = r.doubles
        func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            Naive.convTranspose2d(x, b: c.b, cin: c.cin, h: c.h, w: c.w, weight: w, bias: b, cout: c.cout, k: c.k, stride: c.stride, pad: c.pad)
        }
        #expect(relativeError(y.doubles, f(xd, wd, bd)) < 1e-5)
        #expect(relativeError(dx.doubles, numericalGradient(xd) { projection(f($0, wd, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.weight.grad.doubles, numericalGradient(wd) { projection(f(xd, $0, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.bias!.grad.doubles, numericalGradient(bd) { projection(f(xd, wd, $0), rd) }) < Self.bound)
    }

    @Test func linear() {
        var rng = SeededGenerator(seed: 3)
        let (b, inF, outF) = (3, 7, 5)
        let layer = Linear(inF, outF, rng: &rng)
        rng.fillNormal(layer.bias!.value.data, count: outF)
        let x = randomTensor(Shape(b, inF), &rng)
        let y = layer.forward(x, training: true)
        let r = randomTensor(y.shape, &rng)
        layer.zeroGradients()
        let dx = layer.backward(r, weightGradients: true)
        let wd = layer.weight.value.doubles, bd = layer.bias!.value.doubles, xd = x.doubles, rd = r.doubles
        func f(_ x: [Double], _ w: [Double], _ bias: [Double]) -> [Double] {
            Naive.linear(x, b: b, inF: inF, outF: outF, weight: w, bias: bias)
        }
        #expect(relativeError(y.doubles, f(xd, wd, bd)) < 1e-5)
        #expect(relativeError(dx.doubles, numericalGradient(xd) { projection(f($0, wd, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.weight.grad.doubles, numericalGradient(wd) { projection(f(xd, $0, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.bias!.grad.doubles, numericalGradient(bd) { projection(f(xd, wd, $0), rd) }) < Self.bound)
    }

    @Test(arguments: [true, false])
    func batchNorm(training: Bool) {
        Self.checkBatchNorm(training: training, b: 3, c: 4, h: 3, w: 2, seed: 4)
    }

    /// Batch norm of a random `b×c×h×w` input: forward against the Float64 reference, every gradient
    /// against finite differences.
    static func checkBatchNorm(training: Bool, b: Int, c: Int, h: Int, w: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let layer = BatchNorm(c)
        rng.fillNormal(layer.gamma.value.data, count: c, mean: 1, std: 0.3)
        rng.fillNormal(layer.beta.value.data, count: c, std: 0.3)
        rng.fillNormal(layer.runningMean.data, count: c, std: 0.5)
        for i in 0..<c { layer.runningVar.data[i] = 0.5 + rng.uniform() }
        let x = randomTensor(Shape(b, c, h, w), &rng, scale: 2)
        let mean = layer.runningMean.doubles, variance = layer.runningVar.doubles
        let y = layer.forward(x, training: training)
        let r = randomTensor(y.shape, &rng)
        layer.zeroGradients()
        let dx = layer.backward(r, weightGradients: true)
        let gd = layer.gamma.value.doubles, bd = layer.beta.value.doubles, xd = x.doubles, rd = r.doubles
        func f(_ x: [Double], _ g: [Double], _ bt: [Double]) -> [Double] {
            training
                ? Naive.batchNormTrain(x, b: b, c: c, spatial: h * w, gamma: g, beta: bt, eps: 1e-5)
                : Naive.batchNormEval(x, b: b, c: c, spatial: h * w, gamma: g, beta: bt, mean: mean, variance: variance, eps: 1e-5)
        }
        #expect(relativeError(y.doubles, f(xd, gd, bd)) < 1e-5)
        #expect(relativeError(dx.doubles, numericalGradient(xd) { projection(f($0, gd, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.gamma.grad.doubles, numericalGradient(gd) { projection(f(xd, $0, bd), rd) }) < Self.bound)
        #expect(relativeError(layer.beta.grad.doubles, numericalGradient(bd) { projection(f(xd, gd, $0), rd) }) < Self.bound)
    }

    @Test(arguments: ["relu", "leaky", "tanh"])
    func activation(_ kind: String) {
        var rng = SeededGenerator(seed: 5)
        let layer: Layer = kind == "relu" ? ReLU() : kind == "leaky" ? LeakyReLU(slope: 0.2) as Layer : Tanh() as Layer
        let reference: (Double) -> Double = kind == "relu" ? { max($0, 0) } : kind == "leaky" ? { $0 > 0 ? $0 : 0.2 * $0 } : { Foundation.tanh($0) }
        let x = randomTensor(Shape(2, 3, 4, 5), &rng)
        let y = layer.forward(x, training: true)
        let r = randomTensor(y.shape, &rng)
        let dx = layer.backward(r, weightGradients: true)
        let rd = r.doubles
        #expect(relativeError(y.doubles, x.doubles.map(reference)) < 1e-6)
        #expect(relativeError(dx.doubles, numericalGradient(x.doubles) { projection($0.map(reference), rd) }) < Self.bound)
    }

    @Test(arguments: ["mse", "l1"])
    func loss(_ kind: String) {
        var rng = SeededGenerator(seed: 6)
        let p = randomTensor(Shape(2, 3, 4, 4), &rng), t = randomTensor(Shape(2, 3, 4, 4), &rng)
        let grad = Tensor(p.shape)
        let value = kind == "mse" ? mseLoss(prediction: p, target: t, grad: grad) : l1Loss(prediction: p, target: t, grad: grad)
        let td = t.doubles
        func f(_ p: [Double]) -> Double {
            zip(p, td).reduce(0) { $0 + (kind == "mse" ? ($1.0 - $1.1) * ($1.0 - $1.1) : abs($1.0 - $1.1)) } / Double(p.count)
        }
        #expect(abs(Double(value) - f(p.doubles)) < 1e-5)
        #expect(relativeError(grad.doubles, numericalGradient(p.doubles, f)) < Self.bound)
    }

    /// A small generator, end to end: the gradient with respect to the latent (what inversion
    /// uses) against finite differences of the composed Float64 reference.
    @Test func generatorLatentGradient() {
        var rng = SeededGenerator(seed: 7)
        let (b, latent) = (2, 6)
        let fc = Linear(latent, 4 * 2 * 2, rng: &rng)
        let bn1 = BatchNorm(4), bn2 = BatchNorm(3)
        let up1 = ConvTranspose2D(4, 3, kernel: 4, stride: 2, pad: 1, bias: false, rng: &rng)
        let up2 = ConvTranspose2D(3, 1, kernel: 4, stride: 2, pad: 1, rng: &rng)
        let net = Sequential([fc, Reshape(channels: 4, height: 2, width: 2), bn1, ReLU(), up1, bn2, ReLU(), up2, Tanh()])
        let z = randomTensor(Shape(b, latent), &rng)
        let y = net.forward(z, training: true)
        #expect(y.shape == Shape(b, 1, 8, 8))
        let r = randomTensor(y.shape, &rng)
        let dz = net.backward(r, weightGradients: false)
        let rd = r.doubles
        let fw = fc.weight.value.doubles, fb = fc.bias!.value.doubles, w1 = up1.weight.value.doubles
        let w2 = up2.weight.value.doubles, b2 = up2.bias!.value.doubles
        let ones4 = [Double](repeating: 1, count: 4), zeros4 = [Double](repeating: 0, count: 4)
        let ones3 = [Double](repeating: 1, count: 3), zeros3 = [Double](repeating: 0, count: 3)
        func g(_ z: [Double]) -> [Double] {
            var h = Naive.linear(z, b: b, inF: latent, outF: 16, weight: fw, bias: fb)
            h = Naive.batchNormTrain(h, b: b, c: 4, spatial: 4, gamma: ones4, beta: zeros4, eps: 1e-5).map { max($0, 0) }
            h = Naive.convTranspose2d(h, b: b, cin: 4, h: 2, w: 2, weight: w1, bias: nil, cout: 3, k: 4, stride: 2, pad: 1)
            h = Naive.batchNormTrain(h, b: b, c: 3, spatial: 16, gamma: ones3, beta: zeros3, eps: 1e-5).map { max($0, 0) }
            h = Naive.convTranspose2d(h, b: b, cin: 3, h: 4, w: 4, weight: w2, bias: b2, cout: 1, k: 4, stride: 2, pad: 1)
            return h.map { Foundation.tanh($0) }
        }
        #expect(relativeError(y.doubles, g(z.doubles)) < 1e-5)
        #expect(relativeError(dz.doubles, numericalGradient(z.doubles) { projection(g($0), rd) }) < Self.bound)
        #expect(fc.weight.grad.doubles.allSatisfy { $0 == 0 }, "weightGradients: false must leave weight gradients untouched")
    }
}

import Foundation
