import Foundation
import Imaging

/// Images the repository itself carries (`demo/frames`: rgi-bench brick test images), so that the
/// end-to-end suites run on a clone with nothing beside it, as CI's is.
enum RepositoryImages {
    static let frames = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo/frames").standardizedFileURL.path
    /// The demo's good frames.
    static let good = ["00-good-000.png", "02-good-005.png", "05-good-010.png", "08-good-015.png"]

    /// Writes six good training images into `folder`: 96×96 crops of the demo's good frames, two
    /// corners of each; `transform` may change each crop (to colour, say) before it is written.
    static func goodCrops(into folder: String, transform: (Image) throws -> Image = { $0 }) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (i, (name, corner)) in zip(0..., good.flatMap { name in [(name, 0), (name, 32)] }.prefix(6)) {
            let crop = try ImageFile.read(frames + "/" + name).cropped(x: corner, y: corner, width: 96, height: 96)
            try PNG.write(try transform(crop), to: folder + String(format: "/%03d.png", i))
        }
    }
}
