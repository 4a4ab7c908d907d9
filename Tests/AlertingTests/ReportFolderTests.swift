import Foundation
import Imaging
import Inspection
import Testing
@testable import Alerting

@Suite struct ReportFolderTests {
    @Test func folderHoldsEveryFileAndNothingElse() throws {
        let folder = try TemporaryFolder()
        let result = try sampleResult()
        let written = try ReportWriter().write(result, toFolder: folder.file("pred/crack/000"))
        #expect(written.path == folder.file("pred/crack/000"))
        #expect(try names(in: written.path)
                == ["frame.png", "mask.png", "overlay.png", "report.json", "restored.png", "score.png"])
        #expect(try names(in: folder.file("pred/crack")) == ["000"])
        let sizes = try names(in: written.path).map { try readBytes(written.path + "/" + $0).count }
        #expect(written.bytes == Int64(sizes.reduce(0, +)))
    }

    @Test func imagesHoldFrameMaskRestoredAndOverlay() throws {
        let folder = try TemporaryFolder()
        let result = try sampleResult(channels: 3)
        let path = try ReportWriter().write(result, toFolder: folder.file("r")).path
        #expect(try PNG.read(path + "/frame.png") == result.image)
        #expect(try PNG.read(path + "/restored.png") == result.restored)
        let mask = try PNG.read(path + "/mask.png")
        #expect(mask.channels == 1 && mask.pixels == result.mask)
        let overlay = try PNG.read(path + "/overlay.png")
        #expect(overlay.channels == 3 && overlay.width == 40 && overlay.height == 30)
        func rgb(_ x: Int, _ y: Int) -> [UInt8] { Array(overlay.pixels[(3 * (y * 40 + x))..<(3 * (y * 40 + x) + 3)]) }
        // Mask edge (10, 8) and the box corners, a two-pixel gap outside the region (7, 5) and
        // (19, 15), are solid red; the gap and pixels far from the defect are untouched.
        #expect(rgb(10, 8) == [255, 0, 0] && rgb(16, 12) == [255, 0, 0])
        #expect(rgb(7, 5) == [255, 0, 0] && rgb(19, 15) == [255, 0, 0] && rgb(7, 10) == [255, 0, 0])
        for (x, y) in [(8, 10), (9, 10), (30, 25)] {
            let i = 3 * (y * 40 + x)
            #expect(rgb(x, y) == Array(result.image.pixels[i..<(i + 3)]))
        }
        // Inside the defect the frame shows through a red tint.
        let inner = 3 * (10 * 40 + 13)
        #expect(rgb(13, 10)[0] >= result.image.pixels[inner] && rgb(13, 10)[1] <= result.image.pixels[inner + 1])
    }

    @Test func greyFrameGetsGreyRestoredAndColourOverlay() throws {
        let folder = try TemporaryFolder()
        var result = try sampleResult(channels: 1)
        result.restored = result.restored.rgb()  // the model may hand back colour
        let path = try ReportWriter().write(result, toFolder: folder.file("r")).path
        #expect(try PNG.read(path + "/restored.png") == result.restored.grey())
        #expect(try PNG.read(path + "/overlay.png").channels == 3)
    }

    @Test func reportJSONHasTheVersionedSnakeCaseSchema() throws {
        let folder = try TemporaryFolder()
        let result = try sampleResult()
        let path = try ReportWriter().write(result, toFolder: folder.file("r")).path
        let object = try #require(try JSONSerialization.jsonObject(with: Data(readBytes(path + "/report.json"))) as? [String: Any])
        #expect(Set(object.keys) == ["schema_version", "timestamp", "product", "model_version", "mode", "frame",
                                     "decision", "image_score", "regions", "thresholds", "timings", "score_map", "files"])
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["decision"] as? String == "defect")
        #expect(object["product"] as? String == "brick")
        #expect(object["mode"] as? String == "r-rgi")
        #expect((object["image_score"] as? NSNumber)?.floatValue == 1.75)
        let frame = try #require(object["frame"] as? [String: Any])
        #expect(frame["sequence"] as? Int == 42 && frame["camera"] as? String == "/dev/video0")
        #expect(frame["width"] as? Int == 40 && frame["height"] as? Int == 30 && frame["channels"] as? Int == 1)
        let regions = try #require(object["regions"] as? [[String: Any]])
        #expect(regions.count == 1)
        #expect(Set(regions[0].keys) == ["bbox", "area", "peak_score", "mean_score"])
        let bbox = try #require(regions[0]["bbox"] as? [String: Int])
        #expect(bbox == ["x": 10, "y": 8, "width": 7, "height": 5])
        #expect(regions[0]["area"] as? Int == 35)
        #expect(object["thresholds"] as? [String: Double] == ["pixel": 0.4, "min_area": 6, "image": 0.5])
        #expect(object["timings"] as? [String: Double]
                == ["preprocess_ms": 1.5, "solve_ms": 120.25, "restore_ms": 80.5, "postprocess_ms": 2, "total_ms": 204.25])
        let scoreMap = try #require(object["score_map"] as? [String: Any])
        #expect(scoreMap["file"] as? String == "score.png")
        #expect((scoreMap["max"] as? NSNumber)?.floatValue == result.scores.maximum)
        #expect(object["files"] as? [String: String] == DefectReport.fileNames)
        // Capture time 1_750_000_000.25 s since 1970, in ISO 8601 with milliseconds and offset.
        let stamp = try #require(object["timestamp"] as? String)
        #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250(Z|[+-]\d\d:\d\d)/) != nil)
    }

    @Test func reportJSONRoundTrips() throws {
        let folder = try TemporaryFolder()
        let written = try ReportWriter().write(try sampleResult(), toFolder: folder.file("r"))
        let decoded = try ReportJSON.decode(readBytes(written.path + "/report.json"))
        #expect(decoded == written.report)
        #expect(decoded.timestamp == Date(timeIntervalSince1970: 1_750_000_000.25))
        #expect(decoded.defectArea == 35)
    }

    /// A NaN image score must not cost the report: it is written as the string "NaN", which
    /// Python's float() and this decoder both read.
    @Test func nonFiniteScoresAreWrittenAsStrings() throws {
        var result = try sampleResult()
        result.imageScore = .nan
        result.regions[0].peakScore = .infinity
        let report = DefectReport(result: result, scoreMapMax: 1)
        let text = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        #expect(text.contains("\"image_score\" : \"NaN\""))
        #expect(text.contains("\"peak_score\" : \"Infinity\""))
        let decoded = try ReportJSON.decode(Array(text.utf8))
        #expect(decoded.imageScore.isNaN && decoded.regions[0].peakScore == .infinity)
    }

    @Test func scoreMapQuantisationStaysWithinHalfAStep() throws {
        let values: [Float] = [0, 0.1, 1.3, 2.5, -0.2, .nan, .infinity, 2.5 / 65535 * 100.4]
        let (image, maximum) = try ScoreMapEncoding.encode(ScoreMap(width: 4, height: 2, values: values))
        #expect(maximum == 2.5)
        #expect(image.pixels == [0, 2621, 34078, 65535, 0, 0, 65535, 100])
        for (value, stored) in zip(values, image.pixels) where value.isFinite && value >= 0 {
            #expect(abs(Double(stored) / 65535 * 2.5 - Double(value)) <= 2.5 / 131070 + 1e-7)
        }
        let zeros = try ScoreMapEncoding.encode(ScoreMap(width: 2, height: 1, values: [0, -1]))
        #expect(zeros.max == 0 && zeros.image.pixels == [0, 0])
    }

    @Test func restoredImageOfAnotherSizeIsATypedError() throws {
        let folder = try TemporaryFolder()
        var result = try sampleResult()
        result.restored = try Image(width: 8, height: 8, channels: 1)
        #expect(throws: ReportError.inconsistentResult(
            product: "brick", detail: "restored image is 8×8, the frame 40×30")) {
            try ReportWriter().write(result, toFolder: folder.file("r"))
        }
        #expect(try names(in: folder.path) == [])
    }
}
