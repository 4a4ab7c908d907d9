import ArgumentParser
import Foundation
import Inspection
import RGI

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Recalibrate a model's thresholds and choose its score from good images, without retraining.",
        discussion: """
            Runs the model on good images (a folder, or an MVTec product folder's train/good/) in every \
            solver mode and rewrites the thresholds in manifest.json. Use images the model was not \
            trained on: with --holdout F, the same held-out share `rgictl train --holdout F` kept aside; \
            the texture critic is then retrained on the other images. Without --holdout, the bundle's \
            texture critic is kept (or, for a bundle that has none, trained on the same images, which \
            makes its thresholds optimistic: prefer --holdout). Last, the product's score (residual, \
            texture or combined) is chosen on synthetic defects of the calibration images and written to \
            the manifest's solver settings.
            """)

    @Option(help: "Model bundle folder.")
    var model: String

    @Option(help: "Folder of good images.")
    var data: String

    @Option(help: "Calibrate on the share of the images that training with this --holdout held out.")
    var holdout: Double?

    @Option(help: "Crops of each good image a retrained texture critic learns from (default: what training used).")
    var criticCrops: Int?

    @Option(help: "Minimum defect area in pixels, or auto: chosen per score on synthetic defects (16 to 256; default: the bundle's).")
    var minArea: MinAreaArgument?

    @Flag(help: "Print the thresholds and the reconstruction error without changing the bundle.")
    var dryRun = false

    func run() throws {
        var bundle = try ModelBundle.load(from: model)
        let spec = bundle.manifest.architecture.generator
        let mode: TrainingImages.ChannelMode = spec.channels == 1 ? .grey : .rgb
        let images = try TrainingImages.load(from: data, channels: mode, minimumSize: spec.tile)
        let seed = bundle.manifest.training.options.seed
        let crops = criticCrops ?? bundle.manifest.training.options.criticCrops ?? TextureCritic.cropsPerImage
        guard crops > 0 else { throw ValidationError("--critic-crops must be positive") }
        let split = holdout.map { images.split(holdout: $0) }
        let items = split?.holdout ?? images.items
        guard !items.isEmpty else { throw ValidationError("no images to calibrate on") }
        if let split, !split.train.isEmpty {
            let start = ContinuousClock.now
            bundle.manifest.textureCritic = try TextureCritic.fit(images: split.train, channels: spec.channels, seed: seed,
                                                                    cropsPerImage: crops)
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            print("texture critic trained on \(split.train.count) images in \(String(format: "%.0f", seconds)) s")
        } else if bundle.manifest.textureCritic == nil {
            bundle.manifest.textureCritic = try TextureCritic.fit(images: items, channels: spec.channels, seed: seed, cropsPerImage: crops)
            print("texture critic trained on the \(items.count) calibration images (no --holdout): its scale and the score"
                  + " choice come from the same images, so expect more false calls than with --holdout")
        }
        let inspector = Inspector(bundle: bundle)
        let inversionL1 = Calibration.calibrateAllModes(detector: inspector.detector, images: items,
                                      minArea: minArea.map(\.pixels) ?? bundle.manifest.thresholds.minArea, manifest: &bundle.manifest) { mode, r in
            let t = r.thresholds[inspector.detector.scoreKind]!, s = r.goodScores.sorted()
            let name = (mode.rawValue + " (\(inspector.detector.scoreKind.rawValue))").padding(toLength: 20, withPad: " ", startingAt: 0)
            print(name + String(format: " image threshold %.4f  pixel threshold %.4f  min area %d  (good image scores: median %.4f, max %.4f)",
                                t.image, t.pixel, t.minArea, s[s.count / 2], s.last!))
        } chose: { choice in
            print(choice)
        } choseRestoring: { choice in
            print(choice)
        }
        let t = bundle.manifest.thresholds
        print(String(format: "default (%@, %@): image threshold %.4f  pixel threshold %.4f  min area %d",
                     bundle.manifest.solver.mode.rawValue, bundle.manifest.solver.score.rawValue, t.image, t.pixel, t.minArea))
        print(String(format: "plain-inversion reconstruction error (mean |y − G(z)|, pixels in [-1, 1]): %.4f", inversionL1))
        guard !dryRun else { return print("dry run: \(bundle.file("manifest.json")) unchanged") }
        try bundle.saveManifest()
        print("calibrated on \(items.count) good images; wrote \(bundle.file("manifest.json"))")
    }
}
