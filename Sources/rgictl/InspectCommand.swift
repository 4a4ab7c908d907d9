import ArgumentParser
import Alerting
import Foundation
import Imaging
import Inspection
import RGI

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Inspect image files with a product model and write a report folder for each.",
        discussion: """
            Prints one verdict line per image and writes OUT/<image name>/ with report.json, frame.png, \
            mask.png, score.png (16-bit), overlay.png and restored.png. Exits 0 when every image was \
            inspected (whatever the verdicts), 1 when an image could not be read or inspected.
            """)

    @Option(help: "Model bundle folder, e.g. models/brick.")
    var model: String

    @Option(help: "Folder for the report folders.")
    var out = "inspect-out"

    @OptionGroup var solver: SolverOptions

    @Argument(help: "Image files (PNG or JPEG).")
    var images: [String]

    func run() throws {
        let bundle = try ModelBundle.load(from: model)
        bundle.printWarnings()
        let inspector = solver.inspector(for: bundle)
        let writer = ReportWriter()
        var failures = 0
        for (i, path) in images.enumerated() {
            do {
                let image = try ImageFile.read(path)
                let result = try inspector.inspect(image, frame: FrameInfo(sequence: UInt64(i), camera: path, capturedAt: Date()))
                let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                let folder = (out as NSString).appendingPathComponent(name)
                _ = try writer.write(result, toFolder: folder)
                print(Verdict.line(path, result) + "  → \(folder)/")
            } catch {
                failures += 1
                print("\(path): ERROR \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// One readable line per inspected image.
enum Verdict {
    static func line(_ source: String, _ r: InspectionResult) -> String {
        let verdict = r.decision == .defect ? "DEFECT" : "ok"
        var line = String(format: "%@: %@  score %.3f (threshold %.3f)", source, verdict, r.imageScore, r.thresholds.image)
        if let biggest = r.regions.max(by: { $0.area < $1.area }) {
            line += "  \(r.regions.count) region\(r.regions.count == 1 ? "" : "s"), largest \(biggest.area) px at (\(biggest.x), \(biggest.y))"
        }
        return line + String(format: "  %.0f ms", r.timings.totalMs)
    }
}
