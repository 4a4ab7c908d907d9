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

    /// A dense defect (a block raised by 0.8) that the detector has already found: left out of the data
    /// term, it is drawn from the rest of the tile, while a solve that has to explain it lets it pull G(z).
    @Test func aFoundDefectIsInpaintedFromTheRestOfTheTile() {
        var rng = SeededGenerator(seed: 11)
        let spec = GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 8)
        let generator = GeneratorBuilder.make(spec, rng: &rng)
        let encoder = EncoderBuilder.make(spec, rng: &rng)
        let n = 2
        let zTrue = Tensor(Shape(n, spec.latent))
        rng.fillNormal(zTrue.data, count: zTrue.count)
        let clean = Tensor(Shape(n, 1, 16, 16))
        clean.copy(from: generator.forward(zTrue, training: false))
        let y = Tensor(clean.shape), known = Tensor(clean.shape)
        y.copy(from: clean)
        for i in 0..<known.count {
            let r = (i % 256) / 16, c = i % 16
            let inside = (4..<10).contains(r) && (5..<11).contains(c)
            known.data[i] = inside ? 0 : 1
            if inside { y.data[i] += 0.8 }
        }
        let start = Tensor(zTrue.shape)
        for i in 0..<start.count { start.data[i] = zTrue.data[i] + 0.3 * rng.normal() }
        var settings = SolverSettings()
        settings.mode = .inversion
        settings.steps = 1500
        settings.learningRateZ = 0.02
        settings.earlyStopTolerance = -.infinity  // never stop early
        let solver = Solver(generator: generator, encoder: encoder, latentSize: spec.latent, maxTiles: n, settings: settings)
        func errorInside() -> Double {
            var err = 0.0, count = 0.0
            for i in 0..<y.count where known.data[i] == 0 {
                let d = Double(solver.reconstruction.data[i] - clean.data[i]); err += d * d; count += 1
            }
            return (err / count).squareRoot()
        }
        solver.solve(y, start: start)
        let seeing = errorInside()
        solver.solve(y, start: start, known: known)
        let inpainted = errorInside()
        #expect(inpainted < 0.05, "inpainted RMSE inside the defect \(inpainted)")
        #expect(seeing > 3 * inpainted, "RMSE \(seeing) when the solve sees the defect, \(inpainted) when it does not")
        for i in 0..<y.count where known.data[i] == 0 {
            #expect(solver.outlier.data[i] == y.data[i] - solver.reconstruction.data[i], "the outlier takes the unknown pixel whole")
        }
    }

    /// The restored image keeps every pixel outside the mask, and nothing under the mask reaches it but
    /// through the first solve's G(z): two frames that differ only there, with the same first solve,
    /// restore alike.
    @Test func inpaintingKeepsThePartOutsideTheMaskAndIgnoresWhatIsUnderIt() {
        let detector = TextureTests.untrainedDetector(seed: 12, steps: 4)
        let side = TextureTests.side
        let good = TextureTests.noise(seed: 400), mask = TextureTests.disk(radius: 8)
        let bright = good.indices.map { mask[$0] ? 0.9 : good[$0] }, dark = good.indices.map { mask[$0] ? -0.9 : good[$0] }
        let first = good.map { 0.5 * $0 }
        let a = detector.inpaint(planes: bright, width: side, height: side, mask: mask, reconstruction: first)
        let b = detector.inpaint(planes: dark, width: side, height: side, mask: mask, reconstruction: first)
        #expect(good.indices.allSatisfy { mask[$0] || (a[$0] == good[$0] && b[$0] == good[$0]) }, "outside the mask the frame is kept")
        let apart = good.indices.filter { mask[$0] }.map { abs(a[$0] - b[$0]) }.max()!
        #expect(apart < 1e-4, "restorations of frames differing under the mask differ by \(apart)")
        #expect(good.indices.contains { mask[$0] && abs(a[$0] - 0.9) > 0.1 }, "the mask is drawn by G, not copied")
        #expect(detector.inpaint(planes: bright, width: side, height: side, mask: [Bool](repeating: false, count: side * side),
                                 reconstruction: first) == bright)
    }

    /// Only the texture score's extent, which stops short of a defect's rim, is grown before restoring.
    @Test func onlyATextureScoresExtentGrowsBeforeRestoring() {
        let detector = TextureTests.untrainedDetector(seed: 12, steps: 1)
        detector.settings.score = .texture
        #expect(detector.restorationGrowth > 0)
        for kind in [SolverSettings.Score.combined, .residual] {
            detector.settings.score = kind
            #expect(detector.restorationGrowth == 0, "\(kind)")
        }
        detector.settings.score = .texture
        detector.texture = nil
        #expect(detector.restorationGrowth == 0, "without a critic the score shown is the residual")
    }

    @Test func theEncoderSeesTheMaskFilledFromItsSurroundings() {
        let width = 40, height = 30
        let planes = (0..<(2 * width * height)).map { $0 < width * height ? Float(0.25) : -0.5 }
        let mask = (0..<(width * height)).map { i in (5..<35).contains(i % width) && (3..<27).contains(i / width) }
        let filled = Detector.fill(planes.enumerated().map { mask[$0.offset % (width * height)] ? 7 : $0.element },
                                   width: width, height: height, channels: 2, mask: mask, sigma: 2)
        #expect(zip(filled, planes).allSatisfy { abs($0 - $1) < 1e-5 }, "a constant part fills with its constant, deep inside too")
    }
}
