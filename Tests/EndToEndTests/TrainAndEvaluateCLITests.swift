import Foundation
import Testing

/// A tiny model trained once with the real `rgictl train` on six good brick images (crops of the
/// repository's demo frames), for this suite.
private let trained = Result { try TinyModel() }

private final class TinyModel: Sendable {
    let root: String
    let images: String
    let model: String
    let firstRun: Binaries.Output

    init() throws {
        root = try ScratchFolders.make(prefix: "rgi-cli")
        images = root + "/good"
        try RepositoryImages.goodCrops(into: images)
        model = root + "/models/brick"
        firstRun = try Binaries.trainTinyModel(data: images, out: model, steps: 20, holdout: "0.34")
    }

    func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: model + "/manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

@Suite(.serialized)
struct TrainAndEvaluateCLITests {
    @Test func trainWritesACompleteCalibratedBundle() throws {
        let t = try trained.get()
        #expect(t.firstRun.status == 0, "\(t.firstRun.text)")
        #expect(t.firstRun.text.contains("4 training images, 2 held out for calibration, greyscale"))
        for file in ["manifest.json", "generator.safetensors", "encoder.safetensors", "discriminator.safetensors",
                     "checkpoint.safetensors", "samples.png", "reconstructions.png"] {
            #expect(FileManager.default.fileExists(atPath: t.model + "/" + file), "\(file) missing")
        }
        let m = try t.manifest()
        let training = m["training"] as! [String: Any]
        #expect(training["steps"] as? Int == 20)
        #expect((training["options"] as? [String: Any])?["critic_crops"] as? Int == 1, "\(training)")
        let calibration = m["calibration"] as! [String: [String: Any]]
        let keys = ["inversion", "rgi", "r-rgi"].flatMap { [$0, $0 + "+texture", $0 + "+combined"] }
        #expect(Set(calibration.keys) == Set(keys), "every mode and score is calibrated")
        let solver = m["solver"] as! [String: Any], critic = m["texture_critic"] as! [String: Any]
        // The score calibration chose on synthetic defects, and the training output says which.
        let score = solver["score"] as? String
        #expect(score == "combined" || score == "texture" || score == "residual")
        #expect(t.firstRun.text.contains("score: \(score ?? "?") (pixel AUROC on synthetic defects: residual "), "\(t.firstRun.text)")
        // The restoring steps calibration chose on synthetic defects, and the output says which.
        let restoreSteps = solver["restore_steps"] as? Int
        #expect(restoreSteps.map { [1, 3, 10].contains($0) } == true, "\(solver)")
        #expect(t.firstRun.text.contains("restore steps: \(restoreSteps ?? -1) (restoration gain on synthetic defects: 1 "),
                "\(t.firstRun.text)")
        let trees = critic["trees"] as! [String: Any]
        #expect((trees["trees"] as! [Any]).count == 200 && trees["features"] as? Int == 44
            && critic["smooth_steps"] as? Bool == true && critic["non_uniform_patterns"] as? Bool == true)
        #expect((critic["good_high"] as! Double) > (critic["good_median"] as! Double))
        // The thin-line unit is a 99.9th percentile of |value − median| of pixels in [−1, 1].
        #expect((critic["thin_level"] as? Double).map { $0 > 0 && $0 <= 2 } == true, "\(critic["thin_level"] ?? "no thin_level")")
        #expect((m["residual_scale"] as! [String: Double]).count == 3)
        for (mode, t) in calibration {
            let image = t["image"] as! Double, pixel = t["pixel"] as! Double
            #expect(image.isFinite && image > 0 && pixel > 0 && pixel <= image, "\(mode): \(t)")
            #expect(t["min_area"] as? Int == 64, "\(mode): the default minimum area, \(t)")
        }
        #expect(t.firstRun.text.contains("min area 64 px (synthetic defects called: 64 px "), "\(t.firstRun.text)")
    }

    @Test func calibrateChoosesTheMinimumAreaWhenAsked() throws {
        let t = try trained.get()
        let before = try Data(contentsOf: URL(fileURLWithPath: t.model + "/manifest.json"))
        let auto = try Binaries.rgictl("calibrate", "--model", t.model, "--data", t.images, "--holdout", "0.34",
                                       "--min-area", "auto", "--dry-run")
        #expect(auto.status == 0, "\(auto.text)")
        // Every candidate area is tried on synthetic defects, and the thresholds printed use the chosen one.
        let line = try #require(auto.text.split(separator: "\n").first { $0.hasPrefix("score: ") }, "\(auto.text)")
        #expect(["16", "32", "64", "128", "256"].allSatisfy { line.contains(" \($0) px ") }, "\(line)")
        let chosen = try #require(line.firstMatch(of: /min area (\d+) px/)?.1, "\(line)")
        #expect(auto.text.contains("default (r-rgi, ") && auto.text.contains("min area \(chosen)\n"), "\(auto.text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: t.model + "/manifest.json")) == before, "a dry run writes nothing")

        let bad = try Binaries.rgictl("calibrate", "--model", t.model, "--data", t.images, "--min-area", "0")
        #expect(bad.status != 0 && bad.text.contains("--min-area"), "\(bad.text)")
    }

    @Test func resumeContinuesFromTheCheckpoint() throws {
        let t = try trained.get()
        let resumed = try Binaries.trainTinyModel(data: t.images, out: t.model, steps: 30, holdout: "0.34", "--resume")
        #expect(resumed.status == 0, "\(resumed.text)")
        #expect(resumed.text.contains("resuming at step 20"))
        let training = try t.manifest()["training"] as! [String: Any]
        #expect(training["steps"] as? Int == 30)
        // A different architecture cannot resume this checkpoint.
        let wrong = try Binaries.rgictl("train", "--data", t.images, "--out", t.model, "--tile", "32", "--width", "16",
                                        "--latent", "16", "--batch", "4", "--steps", "40", "--resume")
        #expect(wrong.status != 0 && wrong.text.contains("different width"), "\(wrong.text)")
    }

    @Test func badInputsGetClearErrorsAndLeaveTheBundleAlone() throws {
        let t = try trained.get()
        let before = try Data(contentsOf: URL(fileURLWithPath: t.model + "/manifest.json"))
        let exists = try Binaries.rgictl("train", "--data", t.images, "--out", t.model, "--steps", "1")
        #expect(exists.status != 0 && exists.text.contains("already exists: pass --resume"), "\(exists.text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: t.model + "/manifest.json")) == before)

        let fm = FileManager.default
        let empty = t.root + "/empty"
        try fm.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let none = try Binaries.rgictl("train", "--data", empty, "--out", t.root + "/m1", "--steps", "1")
        #expect(none.status != 0 && none.text.contains("no PNG or JPEG images found"), "\(none.text)")

        let broken = t.root + "/broken"
        try fm.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try fm.copyItem(atPath: t.images + "/000.png", toPath: broken + "/000.png")
        try "not an image".write(toFile: broken + "/001.png", atomically: true, encoding: .utf8)
        let notImage = try Binaries.rgictl("train", "--data", broken, "--out", t.root + "/m2", "--steps", "1")
        #expect(notImage.status != 0 && notImage.text.contains("001.png"), "\(notImage.text)")

        let small = try Binaries.rgictl("train", "--data", t.images, "--out", t.root + "/m3", "--tile", "256", "--steps", "1")
        #expect(small.status != 0 && small.text.contains("smaller than the 256×256 training tile"), "\(small.text)")

        let noCrops = try Binaries.rgictl("train", "--data", t.images, "--out", t.root + "/m5", "--critic-crops", "0")
        #expect(noCrops.status != 0 && noCrops.text.contains("--critic-crops must be positive"), "\(noCrops.text)")

        let noRate = try Binaries.rgictl("train", "--data", t.images, "--out", t.root + "/m5", "--discriminator-learning-rate", "0")
        #expect(noRate.status != 0 && noRate.text.contains("--discriminator-learning-rate must be positive"), "\(noRate.text)")

        let noCheckpoint = try Binaries.rgictl("train", "--data", t.images, "--out", t.root + "/m4", "--resume")
        #expect(noCheckpoint.status != 0 && noCheckpoint.text.contains("no checkpoint to resume from"), "\(noCheckpoint.text)")
        #expect(!fm.fileExists(atPath: t.root + "/m1") && !fm.fileExists(atPath: t.root + "/m2"), "failed runs leave no bundle folder")

        // Solver settings out of range are refused before a frame is read (a negative step count used to stop the solver).
        for (option, message) in [("--steps=-1", "--steps must be between 0 and 100000, not -1"),
                                  ("--restore-steps=-2", "--restore-steps must be between 0 and 100000, not -2")] {
            let refused = try Binaries.rgictl("inspect", "--model", t.model, "--out", t.root + "/refused", option, t.images + "/000.png")
            #expect(refused.status != 0 && refused.text.contains(message), "\(refused.text)")
        }
        #expect(!fm.fileExists(atPath: t.root + "/refused"))
    }

    /// `rgictl evaluate` computes the metrics itself; `shared/bench/score.py` reads the same report
    /// folders: both must agree.
    @Test(.enabled(if: Fixture.dataAvailable, "benchmark images missing at \(Fixture.data)"))
    func evaluateAgreesWithTheSharedScorer() throws {
        let t = try trained.get()
        let pred = t.root + "/pred"
        let json = t.root + "/metrics.json"
        let run = try Binaries.rgictl("evaluate", "--model", t.model, "--data", Fixture.data, "--out", pred,
                                      "--steps", "2", "--json", json)
        #expect(run.status == 0, "\(run.text)")
        let ours = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let scorer = URL(fileURLWithPath: Fixture.data).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bench/score.py").path
        let python = ProcessInfo.processInfo.environment["RGI_PYTHON"] ?? "/usr/bin/python3"
        let theirsPath = t.root + "/score.json"
        let scored = try Binaries.run(python, [scorer, Fixture.data, pred, "--json", theirsPath])
        try #require(scored.status == 0, "score.py failed: \(scored.text)")
        let theirs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: theirsPath))) as! [String: Any]
        #expect(theirs["images"] as? Int == 90 && theirs["missing"] as? Int == 0)
        // score.py reads scores back from 16-bit PNGs: ranking metrics may move by quantisation only.
        for (key, theirKey, tolerance) in [("pixel_auroc", "pixel_auroc", 0.005), ("aupro", "aupro_0.3", 0.01),
                                           ("image_auroc", "image_auroc", 0.005), ("mask_f1", "mask_f1", 1e-9),
                                           ("mask_iou", "mask_iou", 1e-9), ("defect_recall", "defect_recall", 1e-9),
                                           ("false_call_rate", "false_call_rate", 1e-9),
                                           ("restore_psnr_gain_db", "restore_psnr_gain_db", 1e-6)] {
            let a = number(ours[key]), b = number(theirs[theirKey])
            #expect(abs(a - b) <= tolerance || (a.isNaN && b.isNaN), "\(key): rgictl \(a) vs score.py \(b)")
        }
        // Per test folder: every folder, its image count, and calls that add up to the pooled recall
        // and false-call rate.
        let kinds = try #require(ours["kinds"] as? [String: [String: Any]])
        #expect(Set(kinds.keys) == ["good", "scratch", "stain", "cutpaste", "hole"])
        var called = 0.0
        for (kind, k) in kinds {
            #expect(k["images"] as? Int == (kind == "good" ? 30 : 15), "\(kind): \(k)")
            if kind == "good" {
                #expect(k["pixel_auroc"] as? String == "nan" && k["mask_f1"] as? String == "nan", "\(kind): \(k)")
            } else {
                #expect((0...1).contains(number(k["pixel_auroc"])) && (0...1).contains(number(k["mask_f1"])), "\(kind): \(k)")
            }
            if kind != "good" { called += number(k["called_defective"]) * 15 }
        }
        #expect(abs(called / 60 - number(ours["defect_recall"])) < 1e-9)
        #expect(abs(number(kinds["good"]?["called_defective"]) - number(ours["false_call_rate"])) < 1e-9)
        #expect(run.text.contains("kind        images  called  pixel_auroc  mask_f1"), "\(run.text)")
    }

    private func number(_ value: Any?) -> Double {
        if let d = value as? Double { return d }
        if let s = value as? String { return Double(s) ?? .nan }
        return .nan
    }
}
