import Engine
import Foundation

/// The training loop of a product model: encoder E and generator G learn to reconstruct random
/// tiles of good images (L1), G also learns from a hinge-loss discriminator D to make tiles D
/// cannot tell from real ones, both for reconstructions and for random latents, and an
/// exponential moving average of G's weights is the generator the bundle ships.
///
/// One step, batch B plus R random latents:
///   x ← tiles;  z ← E(x);  ŷ ← G([z; ε]), ε ~ N(0, I)
///   D:   max(0, 1 − D(x)) + max(0, 1 + D(ŷ))                      (Adam on D)
///   G,E: |ŷ₁..B − x|₁ − w_adv·D(ŷ) + w_lat·moments(z)              (Adam on G and E)
public final class Trainer {
    public let options: TrainingOptions
    public let networks: Networks
    public let ema: Sequential
    public private(set) var step = 0
    /// Training seconds so far, earlier runs of a resumed training included.
    public private(set) var elapsed: Double = 0

    let sampler: TileSampler
    let optimizerG: Adam
    let optimizerE: Adam
    let optimizerD: Adam
    private var rng: SeededGenerator

    private let tiles: Tensor
    private let latents: Tensor
    private let gradOutput: Tensor
    private let gradLatent: Tensor
    private let gradScore: Tensor
    private let randomCount: Int

    public init(options: TrainingOptions, channels: Int, items: [TrainingImages.Item]) {
        self.options = options
        var spec = options.generatorSpec
        spec.channels = channels
        networks = Networks(spec: spec, seed: options.seed)
        var emaRng = SeededGenerator(seed: options.seed)
        ema = GeneratorBuilder.make(spec, rng: &emaRng)
        copyTensors(from: networks.generator, to: ema)
        sampler = TileSampler(items: items, channels: channels, tile: options.tile, flips: options.flips)
        optimizerG = Adam(networks.generator.parameters, learningRate: options.learningRate, beta1: 0.5, beta2: 0.999)
        optimizerE = Adam(networks.encoder.parameters, learningRate: options.learningRate, beta1: 0.5, beta2: 0.999)
        optimizerD = Adam(networks.discriminator.parameters, learningRate: options.discriminatorLearningRate, beta1: 0.0, beta2: 0.99)
        rng = SeededGenerator(seed: options.seed &+ 0x5EED)
        let b = options.batch, t = options.tile
        randomCount = Int((Double(b) * options.randomLatentFraction).rounded())
        tiles = Tensor(Shape(b, channels, t, t))
        latents = Tensor(Shape(b + randomCount, options.latent))
        gradOutput = Tensor(Shape(b + randomCount, channels, t, t))
        gradLatent = Tensor(Shape(b, options.latent))
        gradScore = Tensor(Shape(b + randomCount, 1))
    }

    /// Runs steps until the time budget or step limit is reached, or `shouldStop` says so.
    /// `report` is called about twice a second; `checkpoint` every `checkpointInterval` seconds.
    public func run(report: (TrainingProgress) -> Void, checkpoint: (Trainer) throws -> Void = { _ in },
                    checkpointInterval: Double = 60, shouldStop: () -> Bool = { false }) rethrows {
        let start = Date(), elapsedBefore = elapsed
        var lastReport = -1.0, lastCheckpoint = elapsedBefore
        var meter = (recon: Float(0), adv: Float(0), real: Float(0), fake: Float(0), n: 0)
        var tilesSinceReport = 0, reportClock = 0.0
        while true {
            elapsed = elapsedBefore + Date().timeIntervalSince(start)
            let done = elapsed >= options.seconds || (options.maxSteps.map { step >= $0 } ?? false) || shouldStop()
            if done || elapsed - lastReport >= 0.5 {
                let window = max(1e-9, elapsed - reportClock)
                let n = Float(max(meter.n, 1))
                report(TrainingProgress(step: step, elapsed: elapsed, budget: options.seconds, fraction: progress(),
                                        tilesPerSecond: Double(tilesSinceReport) / window,
                                        reconstruction: meter.recon / n, adversarial: meter.adv / n,
                                        discriminatorReal: meter.real / n, discriminatorFake: meter.fake / n))
                lastReport = elapsed; reportClock = elapsed; tilesSinceReport = 0
                meter = (0, 0, 0, 0, 0)
            }
            if done { break }
            if elapsed - lastCheckpoint >= checkpointInterval {
                try checkpoint(self)
                lastCheckpoint = elapsed
            }
            let decay = Float(0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * progress())))
            optimizerG.learningRate = options.learningRate * decay
            optimizerE.learningRate = options.learningRate * decay
            let losses = trainStep()
            meter.recon += losses.recon; meter.adv += losses.adv; meter.real += losses.real; meter.fake += losses.fake
            meter.n += 1
            tilesSinceReport += options.batch + randomCount
        }
    }

    /// Share of the training done; the learning-rate schedule follows whichever limit comes
    /// first, the time budget or the step cap.
    func progress() -> Double {
        min(1, max(elapsed / options.seconds, options.maxSteps.map { Double(step) / Double(max($0, 1)) } ?? 0))
    }

    /// One optimisation step of D, then G and E. Returns the step's losses.
    @discardableResult
    public func trainStep() -> (recon: Float, adv: Float, real: Float, fake: Float) {
        let (G, E, D) = (networks.generator, networks.encoder, networks.discriminator)
        let b = options.batch, total = b + randomCount, latent = options.latent
        sampler.fill(tiles, rng: &rng)

        let z = E.forward(tiles, training: true)
        latents.data.update(from: z.data, count: b * latent)
        rng.fillNormal(latents.data + b * latent, count: randomCount * latent)
        let generated = G.forward(latents, training: true)

        var lossReal: Float = 0, lossFake: Float = 0, lossAdv: Float = 0
        let adversarial = options.adversarialWeight > 0
        if adversarial {
            D.zeroGradients()
            let realScores = D.forward(tiles, training: true)
            lossReal = hingeGradient(realScores, sign: 1, count: b)
            _ = D.backward(gradScore, weightGradients: true)
            let fakeScores = D.forward(generated, training: true)
            lossFake = hingeGradient(fakeScores, sign: -1, count: total)
            _ = D.backward(gradScore, weightGradients: true)
            optimizerD.step()
        }

        // Generator gradient: adversarial term on every generated tile, L1 on the reconstructions.
        let sample = sampler.channels * options.tile * options.tile
        if adversarial {
            let scores = D.forward(generated, training: false)
            gradScore.reshape(scores.shape)
            var sum: Float = 0
            for i in 0..<total { sum += scores.data[i]; gradScore.data[i] = -options.adversarialWeight / Float(total) }
            lossAdv = -sum / Float(total)
            gradOutput.copy(from: D.backward(gradScore, weightGradients: false))
        } else {
            gradOutput.reshape(generated.shape)
            gradOutput.zero()
        }
        let k = 1 / Float(b * sample)
        var recon: Double = 0
        for i in 0..<(b * sample) {
            let d = generated.data[i] - tiles.data[i]
            recon += Double(abs(d))
            gradOutput.data[i] += d > 0 ? k : (d < 0 ? -k : 0)
        }
        G.zeroGradients()
        let dLatents = G.backward(gradOutput, weightGradients: true)
        gradLatent.data.update(from: dLatents.data, count: b * latent)
        addMomentPenaltyGradient(z)
        E.zeroGradients()
        _ = E.backward(gradLatent, weightGradients: true)
        optimizerG.step()
        optimizerE.step()
        step += 1
        updateEMA()
        return (Float(recon * Double(k)), lossAdv, lossReal, lossFake)
    }

    /// Hinge loss mean(max(0, 1 − sign·d)) over `count` scores; writes its gradient into gradScore.
    private func hingeGradient(_ scores: Tensor, sign: Float, count: Int) -> Float {
        gradScore.reshape(scores.shape)
        var loss: Float = 0
        for i in 0..<count {
            let margin = 1 - sign * scores.data[i]
            loss += max(0, margin)
            gradScore.data[i] = margin > 0 ? -sign / Float(count) : 0
        }
        return loss / Float(count)
    }

    /// Keeps each latent coordinate's batch mean near 0 and variance near 1:
    /// L = w/L · Σⱼ (mⱼ² + (vⱼ − 1)²).
    private func addMomentPenaltyGradient(_ z: Tensor) {
        let b = options.batch, latent = options.latent, w = options.latentWeight
        guard w > 0, b > 1 else { return }
        for j in 0..<latent {
            var m: Float = 0
            for i in 0..<b { m += z.data[i * latent + j] }
            m /= Float(b)
            var v: Float = 0
            for i in 0..<b { let d = z.data[i * latent + j] - m; v += d * d }
            v /= Float(b)
            for i in 0..<b {
                let d = z.data[i * latent + j] - m
                gradLatent.data[i * latent + j] += w / Float(latent) * (2 * m / Float(b) + 2 * (v - 1) * 2 * d / Float(b))
            }
        }
    }

    /// EMA with a warm-up, β = min(0.999, (1 + t)/(10 + t)), so early weights fade fast.
    private func updateEMA() {
        let beta = min(Float(0.999), Float(1 + step) / Float(10 + step))
        for (p, e) in zip(networks.generator.parameters, ema.parameters) {
            let src = p.value.data, dst = e.value.data
            for i in 0..<p.count { dst[i] = beta * dst[i] + (1 - beta) * src[i] }
        }
    }

    /// Re-estimates the EMA generator's batch-norm statistics for its own weights by running it in
    /// training mode on encoded and random latents (the running averages converge in ~30 batches).
    public func recalibrateEMABatchNorm(batches: Int = 40) {
        let b = options.batch, latent = options.latent
        for _ in 0..<batches {
            sampler.fill(tiles, rng: &rng)
            let z = networks.encoder.forward(tiles, training: false)
            latents.data.update(from: z.data, count: b * latent)
            rng.fillNormal(latents.data + b * latent, count: randomCount * latent)
            _ = ema.forward(latents, training: true)
        }
    }

    /// Restores the loop position of a resumed training.
    func restore(step: Int, elapsed: Double) {
        self.step = step
        self.elapsed = elapsed
        for o in [optimizerG, optimizerE, optimizerD] { o.restore(steps: step) }
    }
}
