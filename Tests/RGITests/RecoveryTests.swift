import Engine
import Testing
@testable import RGI

/// The paper's recovery property on a fixed synthetic generator: an image made as G(z*) plus a
/// sparse corruption comes back with the corruption's support as the outlier mask and G(z*) as
/// the restoration, while plain inversion, which must explain the corruption with G, does
/// measurably worse on the same input.
@Suite struct RecoveryTests {
    struct Run {
        var maskIOU: Double
        var restorationError: Double
    }

    func recover(mode: SolverSettings.Mode) -> Run {
        var rng = SeededGenerator(seed: 5)
        let spec = GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 8)
        let generator = GeneratorBuilder.make(spec, rng: &rng)
        let encoder = EncoderBuilder.make(spec, rng: &rng)
        let n = 4, pixels = 16 * 16
        let zTrue = Tensor(Shape(n, spec.latent))
        rng.fillNormal(zTrue.data, count: zTrue.count)
        let clean = Tensor(Shape(n, 1, 16, 16))
        clean.copy(from: generator.forward(zTrue, training: false))

        // Corrupt 6 % of the pixels by ±0.8: far above the λ/2 = 0.1 threshold, as a defect is.
        let y = Tensor(clean.shape)
        y.copy(from: clean)
        var corrupted = [Bool](repeating: false, count: n * pixels)
        for i in 0..<(n * pixels) where rng.uniform() < 0.06 {
            corrupted[i] = true
            y.data[i] += rng.next() & 1 == 0 ? 0.8 : -0.8
        }
        // Start near z*, as the encoder does for a trained model.
        let start = Tensor(zTrue.shape)
        for i in 0..<start.count { start.data[i] = zTrue.data[i] + 0.3 * rng.normal() }

        var settings = SolverSettings()
        settings.mode = mode
        settings.steps = 400
        settings.learningRateZ = 0.02
        settings.lambda = 0.2
        settings.earlyStopTolerance = 0
        let solver = Solver(generator: generator, encoder: encoder, latentSize: spec.latent, maxTiles: n, settings: settings)
        solver.solve(y, start: start)

        // Mask: where the solver's outlier is non-zero (inversion has none: use its residual at λ/2).
        var inter = 0.0, union = 0.0, err = 0.0
        for i in 0..<(n * pixels) {
            let found = mode == .inversion ? abs(y.data[i] - solver.reconstruction.data[i]) > settings.lambda / 2
                                           : solver.outlier.data[i] != 0
            if found && corrupted[i] { inter += 1 }
            if found || corrupted[i] { union += 1 }
            let d = Double(solver.reconstruction.data[i] - clean.data[i])
            err += d * d
        }
        return Run(maskIOU: inter / union, restorationError: (err / Double(n * pixels)).squareRoot())
    }

    @Test func rgiRecoversSupportAndCleanImageWhereInversionDoesNot() {
        let rgi = recover(mode: .rgi)
        let inversion = recover(mode: .inversion)
        #expect(rgi.maskIOU > 0.9, "RGI outlier support IoU \(rgi.maskIOU)")
        #expect(rgi.restorationError < 0.02, "RGI restoration RMSE \(rgi.restorationError)")
        #expect(inversion.restorationError > 3 * rgi.restorationError,
                "inversion RMSE \(inversion.restorationError) vs RGI \(rgi.restorationError)")
        #expect(inversion.maskIOU < rgi.maskIOU)
    }
}
