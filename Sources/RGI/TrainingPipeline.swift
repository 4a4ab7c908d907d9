import Engine
import Foundation
import Imaging

/// `rgictl train` end to end: load the good images, hold some out, train (or resume), fix the
/// EMA generator's batch-norm statistics, calibrate thresholds on the held-out images, and write
/// the bundle with its sample and reconstruction grids.
public struct TrainingPipeline {
    public var dataFolder: String
    public var outputFolder: String
    public var product: String
    public var options: TrainingOptions
    public var channels: TrainingImages.ChannelMode = .auto
    public var resume = false
    /// Replace an existing bundle folder (otherwise that is an error, to protect a working model).
    public var overwrite = false
    public var halfPrecision = false
    /// The minimum defect area; nil: calibration chooses it per score (`Calibration.chooseScore`).
    public var minArea: Int? = Calibration.defaultMinArea

    public init(dataFolder: String, outputFolder: String, product: String, options: TrainingOptions) {
        self.dataFolder = dataFolder; self.outputFolder = outputFolder; self.product = product; self.options = options
    }

    public enum PipelineError: Error, CustomStringConvertible {
        case outputExists(String)
        case noCheckpoint(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .outputExists(let p): return "\(p) already exists: pass --resume to continue its training or --force to replace it"
            case .noCheckpoint(let p): return "\(p): no checkpoint to resume from"
            case .invalid(let s): return s
            }
        }
    }

    public enum Event: Sendable {
        case loaded(images: Int, holdout: Int, channels: Int, folder: String)
        case resumed(step: Int, elapsed: Double)
        case progress(TrainingProgress)
        case calibrating(images: Int)
        case scoreChosen(Calibration.ScoreChoice)
        case restoreStepsChosen(Calibration.RestoreChoice)
        case finished(Manifest)
    }

    public func run(shouldStop: () -> Bool = { false }, events: (Event) -> Void) throws -> ModelBundle {
        var spec = options.generatorSpec
        do { try spec.validate() } catch { throw PipelineError.invalid("\(error)") }
        guard options.batch >= 2 else { throw PipelineError.invalid("batch must be at least 2 (batch norm needs a batch)") }
        let fm = FileManager.default
        let checkpointPath = (outputFolder as NSString).appendingPathComponent(Checkpoint.fileName)
        if resume {
            guard fm.fileExists(atPath: checkpointPath) else { throw PipelineError.noCheckpoint(outputFolder) }
        } else if fm.fileExists(atPath: outputFolder) {
            let contents = (try? fm.contentsOfDirectory(atPath: outputFolder)) ?? ["?"]
            if !contents.isEmpty && !overwrite { throw PipelineError.outputExists(outputFolder) }
        }
        let images = try TrainingImages.load(from: dataFolder, channels: channels, minimumSize: options.tile)
        let (train, holdout) = images.split(holdout: options.holdout)
        spec.channels = images.channels
        events(.loaded(images: train.count, holdout: holdout.count, channels: images.channels, folder: images.folder))

        try fm.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        let trainer = Trainer(options: options, channels: images.channels, items: train)
        if resume {
            try Checkpoint.restore(trainer, from: checkpointPath)
            events(.resumed(step: trainer.step, elapsed: trainer.elapsed))
        }
        var last: TrainingProgress?
        try trainer.run(report: { p in last = p; events(.progress(p)) },
                        checkpoint: { try Checkpoint.save($0, to: checkpointPath) }, shouldStop: shouldStop)
        try Checkpoint.save(trainer, to: checkpointPath)
        trainer.recalibrateEMABatchNorm()

        var solver = SolverSettings()
        solver.stride = spec.tile * 3 / 4
        let date = Date()
        let stamp = ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
        let hash = images.contentHash
        var manifest = Manifest(
            formatVersion: Manifest.currentFormat, product: product,
            modelVersion: "\(product)-\(stamp)-\(hash.suffix(8))",
            created: ISO8601DateFormatter().string(from: date),
            architecture: .init(kind: "dcgan-tile", generator: spec),
            normalization: "x / 127.5 - 1", solver: solver,
            thresholds: Thresholds(pixel: .infinity, minArea: minArea ?? Calibration.defaultMinArea, image: .infinity), calibration: nil,
            training: .init(dataFolder: images.folder, dataHash: hash, images: train.count, holdoutImages: holdout.count,
                            imageWidth: train[0].width, imageHeight: train[0].height, steps: trainer.step,
                            seconds: trainer.elapsed, tilesPerSecond: last?.tilesPerSecond ?? 0,
                            finalReconstructionL1: last?.reconstruction ?? 0, holdoutReconstructionL1: nil,
                            options: options),
            files: .init())
        manifest.textureCritic = try TextureCritic.fit(images: train, channels: spec.channels, seed: options.seed,
                                                       cropsPerImage: options.criticCrops ?? TextureCritic.cropsPerImage)
        // With a holdout, calibration below scales the critic on it; without one, the training images must.
        if holdout.isEmpty { try manifest.textureCritic!.rescale(on: train) }
        let detector = Detector(solver: Solver(generator: trainer.ema, encoder: trainer.networks.encoder, latentSize: spec.latent,
                                               maxTiles: 16, settings: manifest.solver),
                                tile: spec.tile, channels: spec.channels, maxTiles: 16, texture: manifest.textureCritic)
        if !holdout.isEmpty {
            events(.calibrating(images: holdout.count))
            manifest.training.holdoutReconstructionL1 =
                Calibration.calibrateAllModes(detector: detector, images: holdout, minArea: minArea, manifest: &manifest,
                                              chose: { events(.scoreChosen($0)) }, choseRestoring: { events(.restoreStepsChosen($0)) })
        }
        let bundle = ModelBundle(manifest: manifest, path: outputFolder, generator: trainer.ema,
                                 encoder: trainer.networks.encoder, discriminator: trainer.networks.discriminator)
        try bundle.save(half: halfPrecision)
        try writeGrids(bundle: bundle, detector: detector, holdout: holdout.isEmpty ? train : holdout)
        events(.finished(manifest))
        return bundle
    }

    /// `samples.png`: G(z) for 32 random latents. `reconstructions.png`: pairs of a held-out good
    /// image's centre tile and its plain inversion.
    private func writeGrids(bundle: ModelBundle, detector: Detector, holdout: [TrainingImages.Item]) throws {
        let spec = bundle.manifest.architecture.generator, t = spec.tile, c = spec.channels
        var rng = SeededGenerator(seed: 99)
        let z = Tensor(Shape(32, spec.latent))
        rng.fillNormal(z.data, count: z.count)
        let samples = bundle.generator.forward(z, training: false)
        let sampleImages = (0..<32).map { Array(UnsafeBufferPointer(start: samples.data + $0 * c * t * t, count: c * t * t)) }
        try PNG.write(ImageGrid.make(sampleImages, side: t, channels: c, columns: 8), to: bundle.file("samples.png"))

        let picks = holdout.prefix(8)
        let tiles = Tensor(Shape(picks.count, c, t, t))
        for (k, item) in picks.enumerated() {
            let x0 = (item.width - t) / 2, y0 = (item.height - t) / 2
            for ch in 0..<c { for r in 0..<t {
                for col in 0..<t { tiles.data[((k * c + ch) * t + r) * t + col] = item.planes[ch * item.width * item.height + (y0 + r) * item.width + x0 + col] }
            } }
        }
        var settings = detector.settings
        settings.mode = .inversion
        let saved = detector.settings
        detector.settings = settings
        detector.solver.solve(tiles)
        detector.settings = saved
        var pairs: [[Float]] = []
        for k in 0..<picks.count {
            pairs.append(Array(UnsafeBufferPointer(start: tiles.data + k * c * t * t, count: c * t * t)))
            pairs.append(Array(UnsafeBufferPointer(start: detector.solver.reconstruction.data + k * c * t * t, count: c * t * t)))
        }
        try PNG.write(ImageGrid.make(pairs, side: t, channels: c, columns: 4), to: bundle.file("reconstructions.png"))
    }
}
