import Foundation
import RGI

/// Detection metrics over a benchmark product, computed the way `shared/bench/score.py` computes
/// them (pooled pixel AUROC with averaged ties, AUPRO up to 30 % FPR over 200 score quantiles,
/// image AUROC, pooled mask F1/IoU, decision recall and false-call rate, restoration PSNR gain
/// inside the true defect region), so `rgictl evaluate` needs no Python.
public enum Evaluation {
    public struct Sample {
        public var kind: String
        public var name: String
        public var width: Int
        public var height: Int
        public var score: [Float]
        public var truth: [Bool]
        public var mask: [Bool]
        public var imageScore: Float
        public var defective: Bool
        /// 8-bit HWC pixels, for restoration PSNR (nil: not measured).
        public var input: [UInt8]?
        public var restored: [UInt8]?
        public var clean: [UInt8]?

        public init(kind: String, name: String, width: Int, height: Int, score: [Float], truth: [Bool], mask: [Bool],
                    imageScore: Float, defective: Bool, input: [UInt8]?, restored: [UInt8]?, clean: [UInt8]?) {
            self.kind = kind; self.name = name; self.width = width; self.height = height; self.score = score
            self.truth = truth; self.mask = mask; self.imageScore = imageScore; self.defective = defective
            self.input = input; self.restored = restored; self.clean = clean
        }
    }

    public struct Metrics: Codable, Equatable, Sendable {
        public var images: Int
        public var pixelAUROC: Double
        public var aupro: Double
        public var imageAUROC: Double
        public var maskF1: Double
        public var maskIOU: Double
        public var defectRecall: Double
        public var falseCallRate: Double
        public var restorePSNRGainDB: Double
        public var restorePSNRDefectDB: Double
        /// The same per test folder (`good`, `scratch`, …), to see which kind of defect is missed.
        public var kinds: [String: KindMetrics]
    }

    public struct KindMetrics: Codable, Equatable, Sendable {
        public var images: Int
        /// Share of the kind's images called defective: the recall of a defect kind, the false-call rate of `good`.
        public var calledDefective: Double
        /// How the kind's defect pixels rank against every pixel of the good images (nan for `good`).
        public var pixelAUROC: Double
        /// Mask F1 pooled over the kind's images (nan for `good`).
        public var maskF1: Double
    }

    public static func metrics(_ samples: [Sample]) -> Metrics {
        var pixelScores: [Float] = [], pixelTruth: [Bool] = []
        var tp = 0.0, fp = 0.0, fn = 0.0
        for s in samples {
            pixelScores += s.score; pixelTruth += s.truth
            for i in s.truth.indices {
                if s.mask[i] && s.truth[i] { tp += 1 } else if s.mask[i] { fp += 1 } else if s.truth[i] { fn += 1 }
            }
        }
        let defective = samples.filter { $0.kind != "good" }, good = samples.filter { $0.kind == "good" }
        var gains: [Double] = [], defectPSNR: [Double] = []
        for s in defective {
            guard let input = s.input, let restored = s.restored, let clean = s.clean else { continue }
            let r = psnr(restored, clean, truth: s.truth), i = psnr(input, clean, truth: s.truth)
            gains.append(r - i); defectPSNR.append(r)
        }
        func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
        return Metrics(
            images: samples.count,
            pixelAUROC: auroc(pixelScores, pixelTruth),
            aupro: aupro(samples),
            imageAUROC: auroc(samples.map(\.imageScore), samples.map { $0.kind != "good" }),
            maskF1: 2 * tp / max(2 * tp + fp + fn, 1),
            maskIOU: tp / max(tp + fp + fn, 1),
            defectRecall: defective.isEmpty ? .nan : Double(defective.filter(\.defective).count) / Double(defective.count),
            falseCallRate: good.isEmpty ? .nan : Double(good.filter(\.defective).count) / Double(good.count),
            restorePSNRGainDB: mean(gains), restorePSNRDefectDB: mean(defectPSNR),
            kinds: byKind(samples))
    }

    static func byKind(_ samples: [Sample]) -> [String: KindMetrics] {
        let goodScores = samples.filter { $0.kind == "good" }.flatMap(\.score)
        return Dictionary(grouping: samples, by: \.kind).mapValues { group in
            let called = Double(group.filter(\.defective).count) / Double(group.count)
            guard group[0].kind != "good" else {
                return KindMetrics(images: group.count, calledDefective: called, pixelAUROC: .nan, maskF1: .nan)
            }
            var defectScores: [Float] = []
            var tp = 0.0, wrong = 0.0  // wrong: false positives plus false negatives
            for s in group {
                for i in s.truth.indices {
                    if s.truth[i] { defectScores.append(s.score[i]) }
                    if s.mask[i] && s.truth[i] { tp += 1 } else if s.mask[i] != s.truth[i] { wrong += 1 }
                }
            }
            let labels = [Bool](repeating: false, count: goodScores.count) + [Bool](repeating: true, count: defectScores.count)
            return KindMetrics(images: group.count, calledDefective: called,
                               pixelAUROC: auroc(goodScores + defectScores, labels), maskF1: 2 * tp / max(2 * tp + wrong, 1))
        }
    }

    /// Area under the per-region-overlap curve up to `fprLimit`, normalised to [0, 1].
    public static func aupro(_ samples: [Sample], fprLimit: Double = 0.3, steps: Int = 200) -> Double {
        let all = samples.flatMap(\.score).sorted()
        guard !all.isEmpty else { return .nan }
        let thresholds = (0..<steps).map { linearQuantile(sorted: all, 1 - Double($0) / Double(steps - 1)) }
        var negatives: [Float] = []
        var regions: [[Float]] = []
        for s in samples {
            for (i, t) in s.truth.enumerated() where !t { negatives.append(s.score[i]) }
            let cc = ConnectedComponents.label(s.truth, width: s.width, height: s.height)
            guard cc.count > 0 else { continue }
            var values = [[Float]](repeating: [], count: cc.count)
            for (i, l) in cc.labels.enumerated() where l > 0 { values[l - 1].append(s.score[i]) }
            regions += values.map { $0.sorted() }
        }
        negatives.sort()
        /// Fraction of a sorted array ≥ t.
        func atLeast(_ sorted: [Float], _ t: Float) -> Double {
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < t { lo = mid + 1 } else { hi = mid } }
            return Double(sorted.count - lo) / Double(max(sorted.count, 1))
        }
        var fprs: [Double] = [], pros: [Double] = []
        for t in thresholds {
            fprs.append(atLeast(negatives, t))
            pros.append(regions.isEmpty ? 0 : regions.reduce(0) { $0 + atLeast($1, t) } / Double(regions.count))
        }
        var f: [Double] = [], p: [Double] = []
        for (x, y) in zip(fprs, pros) where x <= fprLimit { f.append(x); p.append(y) }
        guard !f.isEmpty else { return .nan }
        if let next = fprs.firstIndex(where: { $0 > fprLimit }), next > 0 {
            let (f0, f1, p0, p1) = (fprs[next - 1], fprs[next], pros[next - 1], pros[next])
            f.append(fprLimit); p.append(p0 + (p1 - p0) * (fprLimit - f0) / max(f1 - f0, 1e-12))
        }
        var area = 0.0
        for k in 1..<max(f.count, 1) where f.count > 1 { area += (f[k] - f[k - 1]) * (p[k] + p[k - 1]) / 2 }
        return area / fprLimit
    }

    /// PSNR (8-bit) between two images over the pixels where `truth` is set, all channels.
    static func psnr(_ a: [UInt8], _ b: [UInt8], truth: [Bool]) -> Double {
        let channels = a.count / truth.count
        var sum = 0.0, n = 0
        for (i, t) in truth.enumerated() where t {
            for c in 0..<channels { let d = Double(a[i * channels + c]) - Double(b[i * channels + c]); sum += d * d; n += 1 }
        }
        guard n > 0 else { return .nan }
        let mse = sum / Double(n)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
