import ArgumentParser
import Foundation
import RGI

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a product model from images of good parts only.",
        discussion: """
            DIR is an MVTec-style product folder (images under train/good/) or a plain folder of \
            PNG/JPEG images. The bundle is written to --out (models/<product>): manifest.json, \
            generator/encoder/discriminator.safetensors, checkpoint.safetensors, samples.png and \
            reconstructions.png. Ctrl-C stops training early and still writes a usable bundle.
            """)

    @Option(name: .long, help: "Folder of good images (MVTec product folder or plain folder).")
    var data: String

    @Option(name: .long, help: "Bundle folder to write, e.g. models/brick.")
    var out: String

    @Option(help: "Product name (default: the bundle folder's name).")
    var product: String?

    @Option(help: "Tile size in pixels (power of two).")
    var tile = 64

    @Option(help: "Channels: auto (grey if every image is grey), grey or rgb.")
    var channels: String = "auto"

    @Option(help: "Training time budget in seconds.")
    var seconds: Double = 600

    @Option(help: "Stop after this many steps.")
    var steps: Int?

    @Option(help: "Tiles per batch.")
    var batch = 32

    @Option(help: "Latent size.")
    var latent = 128

    @Option(help: "Generator width before its output layer (the other layers scale from it).")
    var width = 32

    @Option(help: "Weight of the adversarial term (0 turns the discriminator off).")
    var adversarialWeight: Float = 0.05

    @Option(help: "Adam learning rate of the discriminator.")
    var discriminatorLearningRate: Float = TrainingOptions().discriminatorLearningRate

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Share of the good images held out for calibration.")
    var holdout = 0.15

    @Option(help: "Crops of each good image the texture critic learns from: fewer fit faster and rank defects worse.")
    var criticCrops = TextureCritic.cropsPerImage

    @Option(help: "Minimum defect area in pixels (default 64), or auto: chosen per score on synthetic defects (16 to 256).")
    var minArea = MinAreaArgument(pixels: Calibration.defaultMinArea)

    @Flag(help: "Continue the training in --out from its checkpoint.")
    var resume = false

    @Flag(help: "Replace an existing bundle in --out.")
    var force = false

    @Flag(help: "Store weights as float16 (half the size).")
    var half = false

    func validate() throws {
        guard TrainingImages.ChannelMode(rawValue: channels) != nil else {
            throw ValidationError("--channels must be auto, grey or rgb")
        }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard (0..<1).contains(holdout) else { throw ValidationError("--holdout must be in [0, 1)") }
        guard discriminatorLearningRate > 0, discriminatorLearningRate.isFinite else {
            throw ValidationError("--discriminator-learning-rate must be positive")
        }
        guard criticCrops > 0 else { throw ValidationError("--critic-crops must be positive") }
    }

    func run() throws {
        var options = TrainingOptions()
        options.tile = tile; options.seconds = seconds; options.maxSteps = steps; options.batch = batch
        options.latent = latent; options.baseWidth = width; options.adversarialWeight = adversarialWeight
        options.discriminatorLearningRate = discriminatorLearningRate
        options.seed = seed; options.holdout = holdout; options.criticCrops = criticCrops
        let name = product ?? URL(fileURLWithPath: out).lastPathComponent
        var pipeline = TrainingPipeline(dataFolder: data, outputFolder: out, product: name, options: options)
        pipeline.channels = TrainingImages.ChannelMode(rawValue: channels)!
        pipeline.resume = resume; pipeline.overwrite = force; pipeline.halfPrecision = half; pipeline.minArea = minArea.pixels

        let interrupt = InterruptFlag()
        let bar = ProgressBar()
        defer { bar.finish() }
        _ = try pipeline.run(shouldStop: { interrupt.isSet }) { event in
                switch event {
                case let .loaded(images, holdout, channels, folder):
                    print("\(folder): \(images) training images, \(holdout) held out for calibration, \(channels == 1 ? "greyscale" : "RGB")")
                case let .resumed(step, elapsed):
                    print(String(format: "resuming at step %d (%.0f s trained)", step, elapsed))
                case .progress(let p):
                    bar.update(p)
                case .calibrating(let n):
                    bar.finish()
                    if interrupt.isSet { print("interrupted: checkpoint saved; finishing the bundle") }
                    print("calibrating thresholds on \(n) held-out good images…")
                case .scoreChosen(let choice):
                    print(choice)
                case .restoreStepsChosen(let choice):
                    print(choice)
                case .finished(let m):
                    bar.finish()
                    print(String(format: "wrote %@ (%@): %d steps in %.0f s, %.0f tiles/s, held-out inversion L1 %.4f, pixel threshold %.4f, min area %d",
                                 out, m.modelVersion, m.training.steps, m.training.seconds, m.training.tilesPerSecond,
                                 m.training.holdoutReconstructionL1 ?? .nan, m.thresholds.pixel, m.thresholds.minArea))
                }
        }
    }
}
