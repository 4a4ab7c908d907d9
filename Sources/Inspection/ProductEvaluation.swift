import Foundation
import Imaging

/// Runs an inspector over every test image of an MVTec-layout product
/// (`test/<kind>/<name>.png`, `ground_truth/<kind>/<name>_mask.png`, optional
/// `clean/<kind>/<name>.png`) and collects what `Evaluation.metrics` needs.
public struct ProductEvaluation {
    public struct Item: Sendable {
        public var kind: String
        public var name: String
        public var image: String
        public var truthMask: String?
        public var clean: String?
    }

    public enum EvaluationError: Error, CustomStringConvertible {
        case noTestImages(String)
        case missingMask(String)
        case sizeMismatch(String, String)

        public var description: String {
            switch self {
            case .noTestImages(let p): return "\(p): no test images (expected test/<kind>/*.png)"
            case .missingMask(let p): return "\(p): ground-truth mask missing"
            case let .sizeMismatch(a, b): return "\(a) and \(b) differ in size"
            }
        }
    }

    public let dataFolder: String
    public let items: [Item]

    public init(dataFolder: String) throws {
        self.dataFolder = dataFolder
        let fm = FileManager.default
        let test = (dataFolder as NSString).appendingPathComponent("test")
        var items: [Item] = []
        for kind in ((try? fm.contentsOfDirectory(atPath: test)) ?? []).sorted() where !kind.hasPrefix(".") {
            for path in try ImageFile.imagePaths(in: (test as NSString).appendingPathComponent(kind)) {
                let file = (path as NSString).lastPathComponent, name = (file as NSString).deletingPathExtension
                let mask = kind == "good" ? nil : (dataFolder as NSString).appendingPathComponent("ground_truth/\(kind)/\(name)_mask.png")
                if let mask, !fm.fileExists(atPath: mask) { throw EvaluationError.missingMask(mask) }
                let clean = (dataFolder as NSString).appendingPathComponent("clean/\(kind)/\(file)")
                items.append(Item(kind: kind, name: name, image: path, truthMask: mask, clean: fm.fileExists(atPath: clean) ? clean : nil))
            }
        }
        guard !items.isEmpty else { throw EvaluationError.noTestImages(dataFolder) }
        self.items = items
    }

    /// Inspects every item; `handle` gets each result (to write its report) before the next.
    public func run(_ inspector: Inspector, handle: (Item, InspectionResult) throws -> Void) throws -> (metrics: Evaluation.Metrics, milliseconds: [Double]) {
        var samples: [Evaluation.Sample] = []
        var times: [Double] = []
        for (i, item) in items.enumerated() {
            let image = try ImageFile.read(item.image)
            let result = try inspector.inspect(image, frame: FrameInfo(sequence: UInt64(i), camera: item.image, capturedAt: Date()))
            try handle(item, result)
            times.append(result.timings.totalMs)
            var truth = [Bool](repeating: false, count: image.width * image.height)
            if let m = item.truthMask {
                let mask = try ImageFile.read(m).grey()
                guard mask.width == image.width, mask.height == image.height else { throw EvaluationError.sizeMismatch(m, item.image) }
                truth = mask.pixels.map { $0 > 127 }
            }
            let clean = try item.clean.map { try ImageFile.read($0) }
            let channels = result.restored.channels
            samples.append(Evaluation.Sample(
                kind: item.kind, name: item.name, width: image.width, height: image.height, score: result.scores.values,
                truth: truth, mask: result.mask.map { $0 != 0 }, imageScore: result.imageScore,
                defective: result.decision == .defect, input: (channels == 1 ? image.grey() : image.rgb()).pixels,
                restored: result.restored.pixels, clean: clean.map { (channels == 1 ? $0.grey() : $0.rgb()).pixels }))
        }
        return (Evaluation.metrics(samples), times)
    }
}
