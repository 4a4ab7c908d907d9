import Engine

/// Robust GAN inversion of a batch of tiles (Mou et al., ICLR 2023, "RGI"), solving for the
/// latents z and a sparse outlier s of every tile at once:
///
///   inversion:  min_z      ‖y − G(z)‖²                               (eq. 1)
///   rgi:        min_{z,s}  ‖y − G(z) − s‖² + λ‖s‖₁                    (eq. 3)
///   r-rgi:      min_{z,s,θ} ‖y − G_θ(z) − s‖² + λ‖s‖₁ + μ·mean(θ − θ₀)²  (eq. 5, θ after `thetaStart`)
///
/// Alternating as in the paper: the s-step is closed form, s = soft-threshold(y − G(z), λ/2);
/// the z-step (and θ-step) is one Adam step on the objective with s fixed. The squared terms
/// are averaged over pixels. z starts at the encoder's E(y) (or the best of a few random draws),
/// and θ is restored to θ₀ after every call, so each frame starts from the trained model.
/// Buffers are allocated on the first call and reused.
public final class Solver {
    public let generator: Sequential
    public let encoder: Sequential
    public var settings: SolverSettings

    private let latent: Parameter
    private let latentOptimizer: Adam
    private let thetaOptimizer: Adam
    private let theta: [Parameter]
    private let theta0: [Tensor]
    private let thetaCount: Int
    private let gradOutput: Tensor
    /// G(z) of the last call, [N, C, T, T].
    public let reconstruction: Tensor
    /// The latents z of the last call, [N, latent].
    public var latents: Tensor { latent.value }
    /// The outlier s of the last call.
    public let outlier: Tensor
    private let latentSize: Int
    private var rng = SeededGenerator(seed: 7)

    public struct Statistics: Sendable {
        public var steps: Int
        public var objective: Float
    }

    public init(generator: Sequential, encoder: Sequential, latentSize: Int, maxTiles: Int, settings: SolverSettings) {
        self.generator = generator; self.encoder = encoder; self.settings = settings
        self.latentSize = latentSize
        latent = Parameter(Shape(maxTiles, latentSize))
        latentOptimizer = Adam([latent], learningRate: settings.learningRateZ)
        theta = generator.parameters
        thetaOptimizer = Adam(theta, learningRate: settings.learningRateTheta)
        thetaCount = theta.reduce(0) { $0 + $1.count }
        theta0 = theta.map { p in let t = Tensor(p.value.shape); t.copy(from: p.value); return t }
        let out = generator.outputShape(for: Shape(maxTiles, latentSize))
        gradOutput = Tensor(out)
        reconstruction = Tensor(out)
        outlier = Tensor(out)
    }

    /// Solves for every tile of `tiles` ([N, C, T, T], N ≤ maxTiles, values in [-1, 1]).
    /// Afterwards `reconstruction` holds G(z) (with the tuned θ for r-rgi) and `outlier` holds s.
    /// `start` ([N, latent]) replaces the encoder's starting point when given; `encode` (each shaped like
    /// `tiles`) is what the encoder sees instead of the tiles, each tile starting from whichever
    /// encoding G reproduces best (like restarts). `known` (shaped like `tiles`, 1 or 0)
    /// leaves the pixels marked 0 out of the data term: the outlier takes them whole (λ = 0 there),
    /// so G(z) there comes from the rest of the tile — inpainting a mask already found.
    @discardableResult
    public func solve(_ tiles: Tensor, start: Tensor? = nil, encode: [Tensor] = [], known: Tensor? = nil) -> Statistics {
        let n = tiles.shape.n
        precondition(n <= latent.value.capacity / latentSize, "\(n) tiles exceed the solver's batch of \(latent.value.capacity / latentSize)")
        latent.value.reshape(Shape(n, latentSize)); latent.grad.reshape(Shape(n, latentSize))
        if let known { precondition(known.shape == tiles.shape, "known pixels \(known.shape) for tiles \(tiles.shape)") }
        if let start {
            precondition(start.shape == latent.value.shape, "start latents \(start.shape) for \(n) tiles")
            latent.value.copy(from: start)
        } else {
            initializeLatents(tiles, encode: encode.isEmpty ? [tiles] : encode, known: known)
        }
        latentOptimizer.reset(); latentOptimizer.learningRate = settings.learningRateZ
        thetaOptimizer.reset(); thetaOptimizer.learningRate = settings.learningRateTheta
        let useOutlier = settings.mode != .inversion
        let thetaFrom = settings.mode == .rrgi ? Int(Double(settings.steps) * settings.thetaStart) : Int.max
        var previous = Float.infinity, flat = 0, objective: Float = 0, used = 0
        for step in 0..<settings.steps {
            let x = generator.forward(latent.value, training: false)
            objective = residualGradient(y: tiles, x: x, outlier: useOutlier, known: known)
            used = step + 1
            if previous.isFinite, (previous - objective) < settings.earlyStopTolerance * previous {
                flat += 1
                if flat >= 3 { break }
            } else {
                flat = 0
            }
            previous = objective
            let tuneTheta = step >= thetaFrom
            if tuneTheta { for p in theta { p.grad.zero() } }
            let dz = generator.backward(gradOutput, weightGradients: tuneTheta)
            latent.grad.data.update(from: dz.data, count: dz.count)
            latentOptimizer.step()
            if tuneTheta {
                addProximityGradient()
                thetaOptimizer.step()
            }
        }
        let x = generator.forward(latent.value, training: false)
        reconstruction.copy(from: x)
        objective = residualGradient(y: tiles, x: x, outlier: useOutlier, known: known)
        restoreTheta()
        return Statistics(steps: used, objective: objective)
    }

    /// z₀ = E(y); with several encoder inputs or restarts, each tile keeps whichever of the encodings
    /// and the random draws G reproduces it best (L2 over the known pixels).
    private func initializeLatents(_ tiles: Tensor, encode: [Tensor], known: Tensor?) {
        let n = tiles.shape.n, l = latentSize
        latent.value.data.update(from: encoder.forward(encode[0], training: false).data, count: n * l)
        guard settings.restarts > 0 || encode.count > 1 else { return }
        var best = distances(tiles, generator.forward(latent.value, training: false), known: known)
        let candidate = Tensor(Shape(n, l))
        for k in 1..<(encode.count + settings.restarts) {
            if k < encode.count {
                candidate.data.update(from: encoder.forward(encode[k], training: false).data, count: n * l)
            } else {
                rng.fillNormal(candidate.data, count: n * l)
            }
            let d = distances(tiles, generator.forward(candidate, training: false), known: known)
            for i in 0..<n where d[i] < best[i] {
                best[i] = d[i]
                (latent.value.data + i * l).update(from: candidate.data + i * l, count: l)
            }
        }
    }

    private func distances(_ y: Tensor, _ x: Tensor, known: Tensor?) -> [Float] {
        let n = y.shape.n, m = y.shape.sampleCount
        return (0..<n).map { i in
            var d: Float = 0
            for j in 0..<m { let e = y.data[i * m + j] - x.data[i * m + j]; d += e * e * (known?.data[i * m + j] ?? 1) }
            return d
        }
    }

    /// The s-step and the gradient of the data term with respect to G(z):
    /// s = soft(y − x, λ/2) (or 0; y − x where the pixel is not known), ∂/∂x mean((y − x − s)²) =
    /// −2(y − x − s)/P. Returns the objective mean((y − x − s)²) + λ·mean|s|, to which unknown pixels
    /// add nothing.
    private func residualGradient(y: Tensor, x: Tensor, outlier useOutlier: Bool, known: Tensor?) -> Float {
        let count = y.count, k = 2 / Float(count), half = settings.lambda / 2, lambda = settings.lambda
        gradOutput.reshape(y.shape); outlier.reshape(y.shape)
        let yp = y.data, xp = x.data, g = gradOutput.data, s = outlier.data, kp = known?.data
        var sum: Double = 0
        for i in 0..<count {
            let r = yp[i] - xp[i]
            if let kp, kp[i] == 0 { s[i] = r; g[i] = 0; continue }
            var si: Float = 0
            if useOutlier { si = r > half ? r - half : (r < -half ? r + half : 0) }
            s[i] = si
            let e = r - si
            g[i] = -k * e
            sum += Double(e * e + lambda * abs(si))
        }
        return Float(sum / Double(count))
    }

    /// θ.grad += 2μ(θ − θ₀)/|θ|.
    private func addProximityGradient() {
        let k = 2 * settings.proximity / Float(thetaCount)
        for (p, p0) in zip(theta, theta0) {
            let w = p.value.data, w0 = p0.data, g = p.grad.data
            for i in 0..<p.count { g[i] += k * (w[i] - w0[i]) }
        }
    }

    private func restoreTheta() {
        guard settings.mode == .rrgi else { return }
        for (p, p0) in zip(theta, theta0) { p.value.data.update(from: p0.data, count: p.count) }
    }
}
