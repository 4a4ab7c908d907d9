import Testing
@testable import Engine

/// `Sequential` runs batch norm + (leaky) ReLU fused: the same outputs and gradients as the layers
/// one by one, in training and evaluation mode; slopes outside [0, 1] are not fused.
@Suite struct FusedBatchNormTests {
    static func pair(_ activation: String, channels: Int, _ rng: inout SeededGenerator) -> (BatchNorm, Layer) {
        let norm = BatchNorm(channels)
        rng.fillNormal(norm.gamma.value.data, count: channels, mean: 1, std: 0.3)
        rng.fillNormal(norm.beta.value.data, count: channels, std: 0.3)
        rng.fillNormal(norm.runningMean.data, count: channels, std: 0.3)
        for c in 0..<channels { norm.runningVar.data[c] = 0.5 + rng.uniform() }
        let layer: Layer = activation == "relu" ? ReLU() : LeakyReLU(slope: activation == "leaky" ? 0.2 : 1.5)
        return (norm, layer)
    }

    @Test(arguments: ["relu", "leaky", "steep"], [true, false])
    func fusedMatchesLayerByLayer(_ activation: String, _ training: Bool) {
        var rng = SeededGenerator(seed: 61)
        let shape = Shape(3, 4, 5, 7)  // runs of 35: vector body and tail
        // Two identical pairs: one run through Sequential (fused), one layer by layer.
        var copy = rng
        let (n1, a1) = Self.pair(activation, channels: shape.c, &rng)
        let (n2, a2) = Self.pair(activation, channels: shape.c, &copy)
        let net = Sequential([n1, a1])
        let x = randomTensor(shape, &rng), dy = randomTensor(shape, &rng)
        let y = net.forward(x, training: training)
        let yRef = a2.forward(n2.forward(x, training: training), training: training)
        #expect(relativeError(y.doubles, yRef.doubles) < 1e-6)
        net.zeroGradients(); n2.zeroGradients()
        let dx = net.backward(dy, weightGradients: true)
        let dxRef = n2.backward(a2.backward(dy, weightGradients: true), weightGradients: true)
        #expect(relativeError(dx.doubles, dxRef.doubles) < 1e-5)
        #expect(relativeError(n1.gamma.grad.doubles, n2.gamma.grad.doubles) < 1e-5)
        #expect(relativeError(n1.beta.grad.doubles, n2.beta.grad.doubles) < 1e-5)
        #expect(n1.runningMean.toArray() == n2.runningMean.toArray() && n1.runningVar.toArray() == n2.runningVar.toArray())
        // Without weight gradients (inversion) the input gradient is the same.
        let dxOnly = net.backward(dy, weightGradients: false)
        #expect(relativeError(dxOnly.doubles, dxRef.doubles) < 1e-5)
    }

    /// The activation's own backward still works after a fused forward (it has no input then).
    @Test func activationBackwardAfterFusedForward() {
        var rng = SeededGenerator(seed: 62)
        let (norm, relu) = Self.pair("leaky", channels: 3, &rng)
        let net = Sequential([norm, relu])
        let x = randomTensor(Shape(2, 3, 4, 4), &rng), dy = randomTensor(x.shape, &rng)
        let y = net.forward(x, training: true)
        let dz = relu.backward(dy, weightGradients: true)
        for i in 0..<y.count { #expect(dz.data[i] == (y.data[i] > 0 ? dy.data[i] : 0.2 * dy.data[i])) }
    }

    /// The fused pair inside a small generator, against finite differences of the Float64 reference.
    @Test func fusedPairGradientCheck() {
        var rng = SeededGenerator(seed: 63)
        let (b, c, h, w) = (2, 3, 4, 6)
        let (norm, activation) = Self.pair("leaky", channels: c, &rng)
        let net = Sequential([norm, activation])
        let x = randomTensor(Shape(b, c, h, w), &rng, scale: 2)
        _ = net.forward(x, training: true)
        let r = randomTensor(x.shape, &rng)
        net.zeroGradients()
        let dx = net.backward(r, weightGradients: true)
        let gd = norm.gamma.value.doubles, bd = norm.beta.value.doubles, rd = r.doubles
        func f(_ x: [Double], _ g: [Double], _ bt: [Double]) -> [Double] {
            Naive.batchNormTrain(x, b: b, c: c, spatial: h * w, gamma: g, beta: bt, eps: 1e-5).map { $0 > 0 ? $0 : 0.2 * $0 }
        }
        #expect(relativeError(dx.doubles, numericalGradient(x.doubles) { projection(f($0, gd, bd), rd) }) < GradientCheckTests.bound)
        #expect(relativeError(norm.gamma.grad.doubles, numericalGradient(gd) { projection(f(x.doubles, $0, bd), rd) }) < GradientCheckTests.bound)
        #expect(relativeError(norm.beta.grad.doubles, numericalGradient(bd) { projection(f(x.doubles, gd, $0), rd) }) < GradientCheckTests.bound)
    }
}
