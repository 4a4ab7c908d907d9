// Engine benchmark: OpenBLAS sgemm peak on this machine, then the reference generator's forward
// and forward+backward at batch 1, 8 and 32, as GFLOP/s and as a share of that peak, and the
// number of heap allocations in a steady-state training step (counted by ordo-one's
// malloc-interposer when it is preloaded: `make bench` does that).
//
// The generator is timed twice: with OpenBLAS's own threads doing each GEMM (the default,
// `BLAS.threading = .openBLAS`) and with the engine splitting each GEMM over its worker pool and
// OpenBLAS on one thread (`.workerPool`). The sgemm peak is always OpenBLAS's own.
//
//   EngineBenchmark [--quick] [--threading openblas|pool] [--profile] [--allocations] [--output docs/PERFORMANCE.md]
import BenchmarkSupport
import CBLAS
import Engine
import Foundation
import MallocInterposerSwift
import RGI

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let output = arguments.firstIndex(of: "--output").map { arguments[$0 + 1] }
let threadingModes: [(name: String, mode: BLAS.Threading)] = {
    let all: [(name: String, mode: BLAS.Threading)] = [("OpenBLAS", .openBLAS), ("worker pool", .workerPool)]
    switch arguments.firstIndex(of: "--threading").map({ arguments[$0 + 1] }) {
    case "openblas": return [all[0]]
    case "pool": return [all[1]]
    default: return all
    }
}()

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds per call over `reps` calls after `warmup` calls.
func time(reps: Int, warmup: Int = 2, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var samples: [Double] = []
    for _ in 0..<reps {
        let t0 = now()
        body()
        samples.append(now() - t0)
    }
    return samples.sorted()[samples.count / 2]
}

func sgemmGFLOPs(m: Int, n: Int, k: Int) -> Double {
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    let t = time(reps: quick ? 3 : 10) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
    }
    return 2 * Double(m * n * k) / t / 1e9
}

var report = ""
@MainActor func say(_ line: String = "") { print(line); report += line + "\n" }

let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
    .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
let threads = BLAS.threads
say("Machine: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores; OpenBLAS \(BLAS.configuration), \(threads) threads.")
say()

// MARK: sgemm peak
let shapes = [(512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (256, 4096, 1152)]
say("| sgemm M×N×K | 1 thread GFLOP/s | \(threads) threads GFLOP/s |")
say("|---|---:|---:|")
var peak1 = 0.0, peakN = 0.0
for (m, n, k) in shapes {
    BLAS.setThreads(1)
    let one = sgemmGFLOPs(m: m, n: n, k: k)
    BLAS.setThreads(threads)
    let all = sgemmGFLOPs(m: m, n: n, k: k)
    peak1 = max(peak1, one); peakN = max(peakN, all)
    say(String(format: "| %d×%d×%d | %.1f | %.1f |", m, n, k, one, all))
}
say(String(format: "\nMeasured sgemm peak: **%.1f GFLOP/s** on 1 thread, **%.1f GFLOP/s** on %d threads.", peak1, peakN, threads))
say()

// MARK: generator
let spec = GeneratorSpec.benchmark128
var rng = SeededGenerator(seed: 1)
let generator = GeneratorBuilder.make(spec, rng: &rng)
let flopsPerImage = generator.forwardFLOPs(input: Shape(1, spec.latent))
say("Generator: DCGAN-style, latent \(spec.latent) → \(spec.tile)×\(spec.tile)×\(spec.channels), widths \(spec.widths), "
    + "\(generator.parameterCount) parameters, \(String(format: "%.3f", Double(flopsPerImage) / 1e9)) GFLOP per image forward "
    + "(backward with weight gradients counted as 2× forward). Batch-norm in training mode.")
say()
let adam = Adam(generator.parameters, learningRate: 1e-4)
MallocInterposerSwift.initialize()

if arguments.contains("--profile") {
    // Per-layer split of one batch-32 training step, to see where the time goes (each layer on its
    // own, so no batch-norm + ReLU fusion here).
    BLAS.threading = threadingModes[0].mode
    BLAS.setThreads(threads)
    print("GEMM threading: \(threadingModes[0].name), \(BLAS.threads) threads")
    let z = Tensor(Shape(32, spec.latent))
    rng.fillNormal(z.data, count: z.count)
    var inputs: [Tensor] = [z]
    for layer in generator.layers { inputs.append(layer.forward(inputs.last!, training: true)) }
    let top = Tensor(inputs.last!.shape)
    rng.fillNormal(top.data, count: top.count, std: 1e-3)
    var grads: [Tensor] = Array(repeating: top, count: generator.layers.count + 1)
    for (i, layer) in generator.layers.enumerated().reversed() { grads[i] = layer.backward(grads[i + 1], weightGradients: true) }
    for (i, layer) in generator.layers.enumerated() {
        let f = time(reps: 5) { _ = layer.forward(inputs[i], training: true) }
        let b = time(reps: 5) { _ = layer.backward(grads[i + 1], weightGradients: true) }
        // GFLOP/s of the GEMM layers (forward, and backward with weight gradients as 2× forward).
        let flops = Double(layer.forwardFLOPs(input: Shape(1, inputs[i].shape.c, inputs[i].shape.h, inputs[i].shape.w)) * 32)
        let rates = flops >= 32e6 ? String(format: "  %6.1f / %6.1f GFLOP/s", flops / f / 1e9, 2 * flops / b / 1e9) : ""
        print(String(format: "%2d %-16@ %-18@ fwd %7.2f ms  bwd %7.2f ms", i, "\(type(of: layer))" as NSString,
                     inputs[i].shape.description as NSString, f * 1e3, b * 1e3) + rates)
    }
    exit(0)
}
var allocationReport = ""
var generatorShareAt32 = Double.nan
nonisolated(unsafe) var allocationProbe: UnsafeMutableRawPointer?
say("| GEMM threads | batch | forward ms | forward GFLOP/s | share of peak | fwd+bwd ms | fwd+bwd GFLOP/s | share of peak | images/s (fwd+bwd) |")
say("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for (modeName, mode) in threadingModes {
BLAS.threading = mode
BLAS.setThreads(threads)
for batch in [1, 8, 32] {
    let z = Tensor(Shape(batch, spec.latent))
    rng.fillNormal(z.data, count: z.count)
    let gradOut = Tensor(generator.outputShape(for: z.shape))
    rng.fillNormal(gradOut.data, count: gradOut.count, std: 1e-3)
    let reps = quick ? 3 : (batch == 32 ? 10 : 20)
    let forward = time(reps: reps) { _ = generator.forward(z, training: true) }
    func step() {
        _ = generator.forward(z, training: true)
        generator.zeroGradients()
        _ = generator.backward(gradOut, weightGradients: true)
        adam.step()
    }
    let both = time(reps: reps, step)
    let f = Double(flopsPerImage * batch)
    if batch == 32 && mode == .openBLAS { generatorShareAt32 = 3 * f / both / 1e9 / peakN }
    say(String(format: "| %@ | %d | %.2f | %.1f | %.0f %% | %.2f | %.1f | %.0f %% | %.0f |", modeName as NSString, batch,
               forward * 1e3, f / forward / 1e9, 100 * f / forward / 1e9 / peakN,
               both * 1e3, 3 * f / both / 1e9, 100 * 3 * f / both / 1e9 / peakN, Double(batch) / both))

    // Steady state: buffers exist after the warm-up above, so any allocation now is a leak in the design.
    MallocInterposerSwift.hook()
    allocationProbe = malloc(64 + arguments.count)  // proves the interposer is active (kept in a global so it is not elided)
    free(allocationProbe)
    let baseline = MallocInterposerSwift.getStatistics().mallocCount
    for _ in 0..<5 { step() }
    MallocInterposerSwift.unhook()
    let stats = MallocInterposerSwift.getStatistics()
    if arguments.contains("--allocations") {
        for (name, body) in [("forward", { _ = generator.forward(z, training: true) }), ("zero", { generator.zeroGradients() }),
                             ("backward", { _ = generator.backward(gradOut, weightGradients: true) }), ("adam", { adam.step() })] as [(String, () -> Void)] {
            MallocInterposerSwift.reset(); MallocInterposerSwift.hook(); body(); MallocInterposerSwift.unhook()
            print(name, MallocInterposerSwift.getStatistics().mallocCount)
        }
        var x = z
        for layer in generator.layers {
            MallocInterposerSwift.reset(); MallocInterposerSwift.hook()
            let y = layer.forward(x, training: true)
            MallocInterposerSwift.unhook()
            print("  forward", type(of: layer), MallocInterposerSwift.getStatistics().mallocCount)
            x = y
        }
    }
    // The same with one GEMM thread: OpenBLAS's threaded GEMM driver mallocs a job array per call.
    BLAS.setThreads(1)
    step()
    MallocInterposerSwift.reset(); MallocInterposerSwift.hook()
    for _ in 0..<5 { step() }
    MallocInterposerSwift.unhook()
    BLAS.setThreads(threads)
    let singleThreaded = MallocInterposerSwift.getStatistics().mallocCount
    if baseline == 0 {
        allocationReport = "Allocations not counted: run with the malloc interposer preloaded (`make bench`)."
    } else {
        allocationReport += "| \(modeName) | \(batch) | \(stats.mallocCount - baseline) | \(singleThreaded) |\n"
    }
    MallocInterposerSwift.reset()
}
}
BLAS.threading = .openBLAS
say()
say("GEMM threads: *OpenBLAS* — OpenBLAS's own \(threads) threads run each GEMM (the default, `BLAS.threading = .openBLAS`); "
    + "*worker pool* — OpenBLAS on one thread, the engine splits each GEMM into blocks over its worker pool, the same threads "
    + "that run the element-wise passes (`.workerPool`). FLOPs counted are the layers' (2·Cin·Cout·K²·H·W per transposed "
    + "convolution), whatever the kernels compute.")
say()
if allocationReport.hasPrefix("|") {
    say("Heap allocations in 5 steady-state training steps (forward, backward, Adam), counted by malloc-interposer:")
    say()
    say("| GEMM threads | batch | allocations, \(threads) threads | allocations, 1 thread |")
    say("|---|---:|---:|---:|")
    say(allocationReport)
    say("The engine allocates nothing per step; with several OpenBLAS threads, OpenBLAS 0.3.21's threaded GEMM driver mallocs one job array per sgemm call.")
} else {
    say(allocationReport)
}

// The product's training step (`Trainer.trainStep`: encoder, generator and discriminator on 64×64
// tiles, default options) on random images, against the same sgemm peak: what `rgictl train`'s
// tiles/s is as a share of what the engine can do.
do {
    var options = TrainingOptions()
    options.seed = 7
    var imageRng = SeededGenerator(seed: 11)
    let items = (0..<8).map { i -> TrainingImages.Item in
        let noise = Tensor(Shape(1, 1, 128, 128))
        imageRng.fillNormal(noise.data, count: noise.count, std: 0.3)
        let planes = Array(UnsafeBufferPointer(start: noise.data, count: noise.count))
        return TrainingImages.Item(path: "random-\(i)", width: 128, height: 128, planes: planes)
    }
    let trainer = Trainer(options: options, channels: 1, items: items)
    let n = trainer.networks, b = options.batch
    let r = Int((Double(b) * options.randomLatentFraction).rounded())
    let tile = Shape(1, 1, options.tile, options.tile)
    let e = Double(n.encoder.forwardFLOPs(input: tile)), g = Double(n.generator.forwardFLOPs(input: Shape(1, options.latent)))
    let d = Double(n.discriminator.forwardFLOPs(input: tile))
    // Forward 1×, backward with weight gradients 2×; D's pass for G's adversarial term is forward plus
    // a backward to its input only (1×).
    let stepFLOPs = 3 * e * Double(b) + 3 * g * Double(b + r) + 3 * d * Double(b) + 3 * d * Double(b + r) + 2 * d * Double(b + r)
    say()
    say("Training step (`Trainer.trainStep`, default options: 64×64 tiles, batch \(b) + \(r) random latents, E + G + D):")
    say()
    say("| GEMM threads | ms per step | tiles/s (as `rgictl train` counts them) | GFLOP per step | GFLOP/s | share of sgemm peak | relative to G fwd+bwd at batch 32 above |")
    say("|---|---:|---:|---:|---:|---:|---:|")
    for (modeName, mode) in threadingModes {
        BLAS.threading = mode
        BLAS.setThreads(threads)
        let seconds = time(reps: quick ? 3 : 15, warmup: 3) { trainer.trainStep() }
        let rate = stepFLOPs / seconds / 1e9
        say(String(format: "| %@ | %.1f | %.0f | %.2f | %.1f | %.0f %% | %.0f %% |", modeName as NSString, seconds * 1e3,
                   Double(b + r) / seconds, stepFLOPs / 1e9, rate, 100 * rate / peakN, 100 * (rate / peakN) / generatorShareAt32))
    }
    BLAS.threading = .openBLAS
    say()
    say("FLOPs per step: 3·E(\(b)) + 3·G(\(b + r)) + 3·D(\(b)) + 3·D(\(b + r)) + 2·D(\(b + r)), each network's forward FLOPs per tile "
        + "times the tiles it sees; the L1, hinge, moment-penalty, EMA and tile sampling work is not counted.")
}

if let output {
    try PerformanceDocument.replaceSection("engine-benchmark", title: "Engine (`EngineBenchmark`)", body: report, in: output)
    print("wrote \(output)")
}

