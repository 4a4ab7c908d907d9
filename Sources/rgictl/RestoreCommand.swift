import ArgumentParser
import Foundation
import Imaging
import Inspection
import RGI

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Write the part as it should look: defects replaced by the model's reconstruction (mask-free inpainting).")

    @Option(help: "Model bundle folder.")
    var model: String

    @Option(name: [.short, .long], help: "Output PNG.")
    var output: String

    @OptionGroup var solver: SolverOptions

    @Argument(help: "Image file (PNG or JPEG).")
    var image: String

    func run() throws {
        let bundle = try ModelBundle.load(from: model)
        bundle.printWarnings()
        let inspector = solver.inspector(for: bundle)
        let result = try inspector.inspect(try ImageFile.read(image), frame: FrameInfo(sequence: 0, camera: image, capturedAt: Date()))
        try PNG.write(result.restored, to: output)
        let defectPixels = result.mask.filter { $0 != 0 }.count
        print("\(output): restored \(result.regions.count) defect region\(result.regions.count == 1 ? "" : "s") (\(defectPixels) defect pixels)")
    }
}
