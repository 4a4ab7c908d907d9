import Testing
@testable import Engine

@Suite struct OptimizerTests {
    /// Fits y = W·x to a known W: both optimisers must drive the loss down by orders of magnitude.
    @Test(arguments: ["adam", "sgd"])
    func fitsALinearMap(_ kind: String) {
        var rng = SeededGenerator(seed: 21)
        let teacher = Linear(8, 3, rng: &rng), student = Linear(8, 3, rng: &rng)
        let optimizer: Optimizer = kind == "adam"
            ? Adam(student.parameters, learningRate: 0.05)
            : SGD(student.parameters, learningRate: 0.1, momentum: 0.9)
        let x = randomTensor(Shape(32, 8), &rng)
        let target = Tensor(Shape(32, 3))
        target.copy(from: teacher.forward(x, training: false))
        let grad = Tensor(target.shape)
        var first: Float = 0, last: Float = 0
        for step in 0..<300 {
            let y = student.forward(x, training: true)
            let loss = mseLoss(prediction: y, target: target, grad: grad)
            if step == 0 { first = loss }
            last = loss
            student.zeroGradients()
            _ = student.backward(grad, weightGradients: true)
            optimizer.step()
        }
        #expect(last < first * 1e-3, "\(kind): loss \(first) → \(last)")
    }

    /// One Adam step from zero moments moves each weight by lr·sign(g) (bias correction makes m̂/√v̂ = ±1).
    @Test func adamFirstStepIsSignedLearningRate() {
        let p = Parameter(Shape(4, 1))
        p.value.copy(from: [1, 2, 3, 4])
        p.grad.copy(from: [0.5, -2, 1e-3, -7])
        let adam = Adam([p], learningRate: 0.01)
        adam.step()
        let moved = zip(p.value.toArray(), [Float(1), 2, 3, 4]).map { $0 - $1 }
        for (d, expected) in zip(moved, [Float(-0.01), 0.01, -0.01, 0.01]) {
            #expect(abs(d - expected) < 1e-5)
        }
    }

    @Test func seededGeneratorIsReproducibleAndNormal() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let xs = (0..<20000).map { _ in a.normal() }
        #expect(xs == (0..<20000).map { _ in b.normal() })
        let mean = xs.reduce(0, +) / Float(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(xs.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }
}
