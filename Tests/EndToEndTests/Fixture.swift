import Foundation

/// What every end-to-end test needs: a temporary folder, a tiny model bundle trained with the
/// real `rgictl train` on good brick images, and candidate frames (good and defective) whose
/// verdicts come from the model itself (`rgictl inspect`), never from the test. All from the
/// repository's own demo frames (`RepositoryImages`), so the suites need nothing beside the clone.
final class Fixture: Sendable {
    /// The benchmark's brick product, for the one test that compares `rgictl evaluate` with
    /// `shared/bench/score.py` on its whole test set.
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/rgi-bench/brick").standardizedFileURL.path
    static var dataAvailable: Bool { FileManager.default.fileExists(atPath: data + "/train/good") }

    let root: String
    let model: String
    /// Replay folder: frames named f0.png, f1.png, … (sorted order = frame sequence).
    let frames: String
    let frameCount: Int
    /// The threshold the daemon is configured with, chosen in the widest gap of the model's scores.
    let threshold: Float
    /// Frame index → the model's verdict and image score at `threshold`.
    let verdicts: [Int: (defect: Bool, score: Float)]

    var defectiveFrames: Set<Int> { Set(verdicts.filter { $0.value.defect }.map(\.key)) }

    init() throws {
        root = try ScratchFolders.make(prefix: "rgi-e2e")
        let fm = FileManager.default
        let train = root + "/train"
        try RepositoryImages.goodCrops(into: train)
        let model = root + "/models/brick"
        self.model = model
        let trained = try Binaries.trainTinyModel(data: train, out: model, steps: 30, seconds: 60, holdout: "0.25")
        guard trained.status == 0 else { throw TestFailure("rgictl train failed: \(trained.text)") }

        let frames = root + "/frames"
        self.frames = frames
        try fm.createDirectory(atPath: frames, withIntermediateDirectories: true)
        let sources = ["00-good-000.png", "01-hole-003.png", "02-good-005.png", "03-scratch-002.png",
                       "05-good-010.png", "04-stain-004.png"]
        for (i, source) in sources.enumerated() {
            try fm.copyItem(atPath: RepositoryImages.frames + "/" + source, toPath: frames + "/f\(i).png")
        }
        frameCount = sources.count
        let paths = sources.indices.map { frames + "/f\($0).png" }

        // The model's own scores, then a threshold in their widest gap so that both verdicts
        // occur and none sits on the edge; then the verdicts at that threshold, again from the model.
        let scores = try Self.inspect(model: model, paths: paths, out: root + "/inspect-scores", threshold: nil)
        let sorted = scores.values.map(\.score).sorted()
        let gap = zip(sorted, sorted.dropFirst()).max { ($0.1 - $0.0) < ($1.1 - $1.0) }!
        let threshold = (gap.0 + gap.1) / 2
        self.threshold = threshold
        let judged = try Self.inspect(model: model, paths: paths, out: root + "/inspect-verdicts", threshold: threshold)
        verdicts = Dictionary(uniqueKeysWithValues: judged.map { (Int($0.key.dropFirst())!, $0.value) })
    }

    /// `rgictl inspect` verdict lines: "PATH: DEFECT  score 0.747 (threshold 0.453) …".
    private static func inspect(model: String, paths: [String], out: String, threshold: Float?) throws -> [String: (defect: Bool, score: Float)] {
        var arguments = ["inspect", "--model", model, "--out", out]
        if let threshold { arguments += ["--image-threshold", String(threshold)] }
        let result = try Binaries.run(Binaries.rgictl, arguments + paths)
        guard result.status == 0 else { throw TestFailure("rgictl inspect failed: \(result.text)") }
        var verdicts = [String: (defect: Bool, score: Float)]()
        for line in result.text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count > 3, parts[0].hasSuffix(".png:"), parts[2] == "score", let score = Float(parts[3]) else { continue }
            let name = ((String(parts[0].dropLast()) as NSString).lastPathComponent as NSString).deletingPathExtension
            verdicts[name] = (parts[1] == "DEFECT", score)
        }
        guard verdicts.count == paths.count else { throw TestFailure("unexpected rgictl inspect output: \(result.text)") }
        return verdicts
    }

    /// A configuration for this fixture's frames and model.
    func configuration(name: String, loop: Bool, reports: String, extraProducts: String = "") throws -> String {
        let text = """
            [daemon]
            product = "brick"
            control_socket = "\(root)/\(name).sock"
            models_in_memory = 2

            [camera]
            source = "replay"
            folder = "\(frames)"
            loop = \(loop)
            queue = 2

            [reports]
            folder = "\(reports)"
            queue = 64

            [products.brick]
            model = "\(model)"
            threshold = \(threshold)
            time_budget_ms = 5000
            \(extraProducts)
            """
        let path = root + "/\(name).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
