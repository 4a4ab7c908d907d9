import Alerting
import ArgumentParser
import Foundation
import Inspection
import RGI

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Inspect every test image of an MVTec-layout product and print detection metrics.",
        discussion: """
            Writes PRED/<kind>/<name>/ report folders (the layout shared/bench/score.py reads) and \
            prints pixel AUROC, AUPRO@0.3, image AUROC, mask F1/IoU, defect recall, false-call rate, \
            restoration PSNR gain and time per image, computed by rgi's own code, then per test folder \
            the share of images called defective, the pixel AUROC of its defects against the good \
            images' pixels, and its mask F1.
            """)

    @Option(help: "Model bundle folder.")
    var model: String

    @Option(help: "Product folder in MVTec layout (test/, ground_truth/, optional clean/).")
    var data: String

    @Option(help: "Folder for the report folders.")
    var out: String

    @Option(help: "Also write the metrics as JSON to this file.")
    var json: String?

    @OptionGroup var solver: SolverOptions

    func run() throws {
        let bundle = try ModelBundle.load(from: model)
        bundle.printWarnings()
        let inspector = solver.inspector(for: bundle)
        let evaluation = try ProductEvaluation(dataFolder: data)
        let writer = ReportWriter()
        let (m, times) = try evaluation.run(inspector) { item, result in
            _ = try writer.write(result, toFolder: (out as NSString).appendingPathComponent("\(item.kind)/\(item.name)"))
        }
        let sorted = times.sorted()
        print("model \(bundle.manifest.modelVersion), mode \(inspector.detector.settings.mode.rawValue), \(m.images) images")
        for (name, value) in [("pixel_auroc", m.pixelAUROC), ("aupro_0.3", m.aupro), ("image_auroc", m.imageAUROC),
                              ("mask_f1", m.maskF1), ("mask_iou", m.maskIOU), ("defect_recall", m.defectRecall),
                              ("false_call_rate", m.falseCallRate), ("restore_psnr_gain_db", m.restorePSNRGainDB),
                              ("restore_psnr_defect_db", m.restorePSNRDefectDB)] {
            print(String(format: "%@ %.4f", name, value))
        }
        print(String(format: "ms_per_image_mean %.1f\nms_per_image_p50 %.1f\nms_per_image_p95 %.1f",
                     times.reduce(0, +) / Double(times.count), sorted[sorted.count / 2], sorted[Int(Double(sorted.count - 1) * 0.95)]))
        print("kind        images  called  pixel_auroc  mask_f1")
        for (kind, k) in m.kinds.sorted(by: { $0.key < $1.key }) {
            let cell = { (v: Double) in v.isNaN ? "-" : String(format: "%.3f", v) }
            print(kind.padding(toLength: max(10, kind.count), withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %6.3f", k.images, k.calledDefective)
                  + "  " + String(repeating: " ", count: max(0, 11 - cell(k.pixelAUROC).count)) + cell(k.pixelAUROC)
                  + "  " + String(repeating: " ", count: max(0, 7 - cell(k.maskF1).count)) + cell(k.maskF1))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try encoder.encode(m).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}
