import Foundation
import Testing

/// Reads the daemon's reports folder (`<root>/YYYY-MM-DD/<report>/`) with plain JSON, not
/// with the code that wrote it.
enum ReportFolders {
    struct Report {
        var folder: String
        var json: [String: Any]
        var sequence: UInt64
        var imageScore: Float
    }

    static func read(_ root: String) throws -> [Report] {
        let fm = FileManager.default
        var reports = [Report]()
        for day in try fm.contentsOfDirectory(atPath: root).sorted() where day.count == 10 && day.hasPrefix("20") {
            for name in try fm.contentsOfDirectory(atPath: root + "/" + day).sorted() where !name.hasPrefix(".") && name != "index.html" {
                let folder = root + "/" + day + "/" + name
                let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))
                guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let frame = json["frame"] as? [String: Any], let sequence = frame["sequence"] as? Int,
                      let score = json["image_score"] as? Double
                else { throw TestFailure("\(folder)/report.json lacks frame.sequence or image_score") }
                reports.append(Report(folder: folder, json: json, sequence: UInt64(sequence), imageScore: Float(score)))
            }
        }
        return reports
    }

    /// The report contract of DESIGN.md: schema, decision, regions and every listed file present.
    static func checkSchema(_ report: Report) throws {
        let json = report.json
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["decision"] as? String == "defect")
        #expect(["brick", "spare"].contains(json["product"] as? String ?? ""))
        #expect((json["model_version"] as? String)?.isEmpty == false)
        let regions = try #require(json["regions"] as? [[String: Any]])
        #expect(!regions.isEmpty)
        for region in regions {
            let box = try #require(region["bbox"] as? [String: Any])
            #expect((box["width"] as? Int ?? 0) > 0 && (region["area"] as? Int ?? 0) > 0)
        }
        #expect((json["score_map"] as? [String: Any])?["max"] as? Double ?? 0 > 0)
        let timings = try #require(json["timings"] as? [String: Any])
        #expect(Set(timings.keys) == ["preprocess_ms", "solve_ms", "restore_ms", "postprocess_ms", "total_ms"], "\(timings)")
        let solve = timings["solve_ms"] as? Double ?? -1, restore = timings["restore_ms"] as? Double ?? -1
        #expect(solve > 0 && restore > 0, "a defect is found and restored: \(timings)")
        #expect(solve + restore <= (timings["total_ms"] as? Double ?? 0) + 1e-3, "\(timings)")
        let files = try #require(json["files"] as? [String: String])
        #expect(Set(files.values) == ["frame.png", "mask.png", "score.png", "overlay.png", "restored.png"])
        for file in files.values {
            let path = report.folder + "/" + file
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is a PNG")
        }
    }

    /// "N frames", "M defects" in a STATUS line.
    static func counts(in line: String) -> [String: Int] {
        var out = [String: Int]()
        let words = line.replacingOccurrences(of: ",", with: " ").split(separator: " ")
        for (number, word) in zip(words, words.dropFirst()) {
            if let value = Int(number) { out[String(word)] = value }
        }
        return out
    }
}
