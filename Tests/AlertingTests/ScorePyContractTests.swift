import Foundation
import Imaging
import Inspection
import Testing
@testable import Alerting

/// Reads written reports the way `/work/shared/bench/score.py` does (Pillow, numpy), so the
/// contract is checked by an independent reader, not by this module's own decoder.
@Suite struct ScorePyContractTests {
    /// The lines of score.py that read a report, plus checks against what was written.
    static let reader = """
        import json, sys, os
        import numpy as np
        from PIL import Image
        def load(path, mode=None):
            im = Image.open(path)
            return np.asarray(im.convert(mode) if mode else im)
        rdir, expected, channels = sys.argv[1], sys.argv[2], int(sys.argv[3])
        rep = json.load(open(os.path.join(rdir, 'report.json')))
        sm = load(os.path.join(rdir, rep['score_map']['file'])).astype(np.float64) / 65535 * float(rep['score_map']['max'])
        pm = load(os.path.join(rdir, 'mask.png'), 'L') > 127
        h, w = pm.shape
        want = np.fromfile(expected, dtype='<f4').reshape(h, w).astype(np.float64)
        step = float(rep['score_map']['max']) / 65535
        err = np.abs(sm - want).max()
        assert Image.open(os.path.join(rdir, 'score.png')).mode in ('I;16', 'I;16B', 'I'), 'score.png not 16-bit'
        assert err <= step, f'score error {err} > {step}'
        assert pm.sum() == 35 and pm[8:13, 10:17].all(), f'mask has {pm.sum()} defect pixels'
        assert rep['decision'] == 'defect' and abs(float(rep['image_score']) - 1.75) < 1e-6
        restored = load(os.path.join(rdir, 'restored.png'), 'RGB' if channels == 3 else 'L')
        assert restored.shape == ((h, w, 3) if channels == 3 else (h, w)), restored.shape
        assert (np.asarray(Image.open(os.path.join(rdir, 'restored.png'))).ndim == 3) == (channels == 3)
        assert load(os.path.join(rdir, 'overlay.png')).shape == (h, w, 3)
        print(f'ok max error {err:.3g} step {step:.3g}')
        """

    @Test(arguments: [1, 3])
    func pythonReadsScoresMaskAndRestoredImage(channels: Int) throws {
        let folder = try TemporaryFolder()
        let result = try sampleResult(channels: channels)
        let path = try ReportWriter().write(result, toFolder: folder.file("pred/crack/000")).path
        let expected = folder.file("scores.f32")
        try result.scores.values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: expected)) }
        let run = try runPython(Self.reader, arguments: [path, expected, String(channels)])
        #expect(run.status == 0, "\(run.output)")
    }

    /// The real score.py over a tiny benchmark in MVTec layout, when it can be found
    /// (`RGI_SCORE_PY`, else `../shared/bench/score.py` beside the package): perfect
    /// predictions must score perfectly and none may count as missing or malformed.
    @Test(.enabled(if: Self.scorePy != nil, "score.py not found: set RGI_SCORE_PY"))
    func realScorePyScoresPerfectPredictionsPerfectly() throws {
        let folder = try TemporaryFolder()
        let data = folder.file("data/brick"), pred = folder.file("pred")
        for (kind, index, defect) in [("good", 0, false), ("good", 1, false), ("crack", 0, true), ("crack", 1, true)] {
            let name = "00\(index)"
            var result = try sampleResult(defect: defect ? (10 + 5 * index, 8, 7, 5) : nil, seed: UInt64(7 + index))
            // Defect pixels score above every good pixel: pixel AUROC 1.
            result.scores.values = result.mask.map { $0 == 0 ? 0.1 : 0.9 }
            // The clean image differs from the restored one by one grey level, so PSNR stays finite.
            var clean = result.restored
            clean.pixels = clean.pixels.map { $0 ^ 1 }
            for (subfolder, image) in [("test/\(kind)", result.image), ("clean/\(kind)", clean)] {
                try ReportWriter.makeFolders(data + "/" + subfolder)
                try PNG.write(image, to: data + "/\(subfolder)/\(name).png")
            }
            if defect {
                try ReportWriter.makeFolders(data + "/ground_truth/\(kind)")
                try PNG.write(try Image(width: 40, height: 30, channels: 1, pixels: result.mask),
                              to: data + "/ground_truth/\(kind)/\(name)_mask.png")
            }
            try ReportWriter().write(result, toFolder: pred + "/\(kind)/\(name)")
        }
        let script = """
            import runpy, sys
            sys.argv = [sys.argv[1]] + sys.argv[2:]
            runpy.run_path(sys.argv[0], run_name='__main__')
            """
        let run = try runPython(script, arguments: [Self.scorePy!, data, pred, "--json", folder.file("r.json")])
        #expect(run.status == 0, "\(run.output)")
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(readBytes(folder.file("r.json")))) as? [String: Any])
        #expect(metrics["missing"] as? Int == 0)
        #expect(metrics["images"] as? Int == 4)
        for key in ["pixel_auroc", "image_auroc", "mask_f1", "mask_iou", "defect_recall"] {
            #expect(metrics[key] as? Double == 1, "\(key): \(metrics[key] ?? "absent")")
        }
        #expect(metrics["false_call_rate"] as? Double == 0)
        // Inside the defects the restored image is far closer to the clean one than the frame.
        #expect(try #require(metrics["restore_psnr_gain_db"] as? Double) > 10)
    }

    static var scorePy: String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["RGI_SCORE_PY"],
                          packageRoot.deletingLastPathComponent().path + "/shared/bench/score.py"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
