import Foundation
import Imaging
import Testing

/// Issue #4, "colour and size": an RGB model trained with the real `rgictl train` inspects an RGB frame
/// larger than, and not a multiple of, its tile, and finds a defect painted into it.
@Suite struct ColourAndSizeCLITests {
    /// Brick's grey made into colour, each channel a different function of it, so that the channels
    /// cannot be mistaken for one another.
    static func tinted(_ grey: Image) throws -> Image {
        var pixels = [UInt8](repeating: 0, count: grey.width * grey.height * 3)
        for (i, v) in grey.pixels.enumerated() {
            let y = Float(v)
            pixels[3 * i] = UInt8(y)
            pixels[3 * i + 1] = UInt8(min(255, 0.8 * y + 20))
            pixels[3 * i + 2] = UInt8(min(255, 0.5 * y + 60))
        }
        return try Image(width: grey.width, height: grey.height, channels: 3, pixels: pixels)
    }

    @Test func anRGBModelFindsAColouredDefectInAFrameLargerThanItsTile() throws {
        let root = try ScratchFolders.make(prefix: "rgi-rgb")
        let good = root + "/good"
        try RepositoryImages.goodCrops(into: good) { try Self.tinted($0.grey()) }
        let model = root + "/model"
        let trained = try Binaries.trainTinyModel(data: good, out: model, steps: 20, holdout: "0.34")
        try #require(trained.status == 0, "\(trained.text)")
        #expect(trained.text.contains("held out for calibration, RGB"), "\(trained.text)")

        // A 100×75 frame (32-px tiles at stride 24: neither side a whole number of strides) with a
        // saturated red bar, 30×6 px, that no good brick has.
        var frame = try Self.tinted(try ImageFile.read(RepositoryImages.frames + "/" + RepositoryImages.good[0]).grey()
            .cropped(x: 10, y: 20, width: 100, height: 75))
        for y in 40..<46 { for x in 50..<80 { frame.pixels.replaceSubrange(3 * (y * 100 + x)..<3 * (y * 100 + x) + 3, with: [255, 0, 0]) } }
        let path = root + "/frame.png"
        try PNG.write(frame, to: path)

        let run = try Binaries.rgictl("inspect", "--model", model, "--out", root + "/reports", path)
        try #require(run.status == 0, "\(run.text)")
        #expect(run.text.contains("DEFECT"), "\(run.text)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/reports/frame/report.json"))) as! [String: Any]
        let described = report["frame"] as! [String: Any]
        #expect(described["channels"] as? Int == 3 && described["width"] as? Int == 100 && described["height"] as? Int == 75)
        // One region covers the bar's centre.
        let regions = report["regions"] as! [[String: Any]]
        let covering = regions.contains { region in
            let box = region["bbox"] as! [String: Int]
            return (box["x"]!...(box["x"]! + box["width"]!)).contains(65) && (box["y"]!...(box["y"]! + box["height"]!)).contains(43)
        }
        #expect(covering, "\(regions)")
        // The restored part is colour and of the frame's size, and no longer saturated red at the bar.
        let restored = try PNG.read(root + "/reports/frame/restored.png")
        #expect(restored.channels == 3 && restored.width == 100 && restored.height == 75)
        let centre = 3 * (43 * 100 + 65)
        #expect(Array(restored.pixels[centre..<centre + 3]) != [255, 0, 0], "the bar is inpainted")
        let mask = try PNG.read(root + "/reports/frame/mask.png")
        #expect(mask.width == 100 && mask.height == 75 && mask.pixels[mask.channels * (43 * 100 + 65)] > 0)
    }
}
