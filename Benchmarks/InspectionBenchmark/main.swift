// Inspection benchmark: time per image for each solver mode at the bundle's default settings,
// the solver's GFLOP/s as a share of the sgemm peak measured in the same run, and pixel AUROC
// against solver steps (the speed/accuracy trade-off), on an MVTec-layout product.
//
//   InspectionBenchmark --model models/brick --data ../shared/data/rgi-bench/brick [--output docs/PERFORMANCE.md]
//     [--section inspection-benchmark-gravel]   (another product's section in the same file)
import BenchmarkSupport
import CBLAS
import Engine
import Foundation
import Imaging
import Inspection
import RGI

let arguments = CommandLine.arguments
func option(_ name: String) -> String? { arguments.firstIndex(of: name).map { arguments[$0 + 1] } }
guard let modelPath = option("--model"), let dataPath = option("--data") else {
    print("usage: InspectionBenchmark --model BUNDLE --data PRODUCT [--output FILE] [--section NAME] [--images N] [--threading pool|openblas]")
    exit(2)
}
let output = option("--output")
let imageCount = Int(option("--images") ?? "30") ?? 30

var report = ""
@MainActor func say(_ line: String = "") { print(line); report += line + "\n" }

func sgemmPeak() -> Double {
    var best = 0.0
    for n in [512, 1024] {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        for _ in 0..<8 {
            let t0 = Date()
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
            best = max(best, 2 * Double(n * n * n) / Date().timeIntervalSince(t0) / 1e9)
        }
    }
    return best
}

let bundle = try ModelBundle.load(from: modelPath)
let evaluation = try ProductEvaluation(dataFolder: dataPath)
let peak = sgemmPeak()  // on OpenBLAS's own threads, before the engine may take them over
let openBLASThreading = option("--threading") == "openblas"
BLAS.threading = openBLASThreading ? .openBLAS : .workerPool
let spec = bundle.manifest.architecture.generator
let base = bundle.manifest.solver
let generatorFLOPs = Double(bundle.generator.forwardFLOPs(input: Shape(1, spec.latent)))
let encoderFLOPs = Double(bundle.encoder.forwardFLOPs(input: Shape(1, spec.channels, spec.tile, spec.tile)))
say("Model \(bundle.manifest.modelVersion): tile \(spec.tile), latent \(spec.latent), generator \(String(format: "%.1f", generatorFLOPs / 1e6)) MFLOP per tile forward.")
say("Product \(dataPath), \(min(imageCount, evaluation.items.count)) images timed per mode; sgemm peak measured now: \(String(format: "%.1f", peak)) GFLOP/s; "
    + (openBLASThreading ? "GEMMs on OpenBLAS's threads (`--threading openblas`)." : "GEMMs on the engine's worker pool, as in rgictl and rgid."))
say()

/// FLOPs of one solve per tile: encoder, then per step a generator forward and a backward to the
/// latents (≈ one forward), plus the weight gradients (≈ one more) on generator-tuning steps, and a
/// final forward.
func solverFLOPs(_ s: SolverSettings, steps: Int) -> Double {
    let thetaSteps = s.mode == .rrgi ? max(0, steps - Int(Double(s.steps) * s.thetaStart)) : 0
    return encoderFLOPs + Double(steps) * 2 * generatorFLOPs + Double(thetaSteps) * generatorFLOPs + generatorFLOPs
}

say("| mode | steps | ms per image p50 | p95 | solver ms p50 | restoring ms p50 (frames) | tiles per image | solver GFLOP/s | share of sgemm peak |")
say("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
let timedItems = Array(evaluation.items.prefix(imageCount))
// With the texture score alone the detecting "solve" is the critic: G is solved only to restore.
let solved = base.score.shown(hasTexture: bundle.manifest.textureCritic != nil) != .texture
for mode in SolverSettings.Mode.allCases {
    var settings = base
    settings.mode = mode
    let inspector = Inspector(bundle: bundle, settings: settings)
    var totals: [Double] = [], solves: [Double] = [], restores: [Double] = [], flops = 0.0
    var tiles = 0
    for (i, item) in timedItems.enumerated() {
        let image = try ImageFile.read(item.image)
        let result = try inspector.inspect(image, frame: FrameInfo(sequence: UInt64(i), camera: item.image, capturedAt: Date()))
        if i == 0 { continue }  // warm-up: first call allocates the buffers
        totals.append(result.timings.totalMs); solves.append(result.timings.solveMs)
        if result.timings.restoreMs > 0 { restores.append(result.timings.restoreMs) }
        tiles = inspector.detector.tileCount(width: image.width, height: image.height)
        flops += Double(tiles) * solverFLOPs(settings, steps: settings.steps)
    }
    let t = totals.sorted(), s = solves.sorted(), r = restores.sorted()
    let gflops = flops / (solves.reduce(0, +) / 1000) / 1e9
    let restoring = r.isEmpty ? "–" : String(format: "%.0f (%d)", r[r.count / 2], r.count)
    // Restoring steps of their own (calibration's choice) in brackets.
    let steps = "\(settings.steps)" + (settings.restoreSteps.map { $0 == settings.steps ? "" : " (\($0))" } ?? "")
    say(String(format: "| %@ | %@ | %.0f | %.0f | %.0f | %@ | %@ | %@ | %@ |", mode.rawValue, steps, t[t.count / 2],
               t[Int(Double(t.count - 1) * 0.95)], s[s.count / 2], restoring, solved ? "\(tiles)" : "0",
               solved ? String(format: "%.1f", gflops) : "–", solved ? String(format: "%.0f %%", 100 * gflops / peak) : "–"))
}
if !solved {
    say()
    say("This bundle scores by texture alone: the detecting column is the texture critic, no tile of G is solved for it (hence 0 tiles and no GFLOP/s), and G is solved only on frames with a defect, in the restoring column.")
}
say()
say("Steps: the solves' steps, the restoring solve's in brackets where they differ. The solver columns are the solve that finds the defects; restoring is the second solve, over the tiles that touch a found defect, on the frames (of those timed) that had one. FLOPs counted per tile of the first solve: encoder forward, then per step a generator forward and a backward to the latents (≈ one forward each), the weight gradients on generator-tuning steps (r-rgi), and a final forward; early stopping can end a solve sooner, so the GFLOP/s figure is a lower bound.")
say()
say("Accuracy against solver steps (\(base.mode.rawValue), all \(evaluation.items.count) test images; the detecting and the restoring solve both at the row's steps):")
say()
say("| steps | pixel AUROC | AUPRO@0.3 | image AUROC | mask F1 | restoration PSNR gain (dB) | ms per image p50 |")
say("|---:|---:|---:|---:|---:|---:|---:|")
for steps in [1, 5, 10, 20, 40] {
    var settings = base
    settings.steps = steps
    settings.restoreSteps = steps
    let inspector = Inspector(bundle: bundle, settings: settings)
    let (m, times) = try evaluation.run(inspector) { _, _ in }
    let sorted = times.sorted()
    say(String(format: "| %d | %.4f | %.4f | %.4f | %.3f | %.2f | %.0f |", steps, m.pixelAUROC, m.aupro, m.imageAUROC, m.maskF1,
               m.restorePSNRGainDB, sorted[sorted.count / 2]))
}

if let output {
    let section = option("--section") ?? "inspection-benchmark"
    let product = URL(fileURLWithPath: dataPath).lastPathComponent
    try PerformanceDocument.replaceSection(section, title: "Inspection, \(product) (`InspectionBenchmark`)", body: report, in: output)
    print("wrote \(output)")
}
