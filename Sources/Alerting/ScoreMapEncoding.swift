import Imaging
import Inspection

/// Float scores → the 16-bit `score.png` and its scale, as `score.py` reads them back:
/// score = value / 65535 × max, within half a step (max / 131070) of the original.
///
/// PNG holds no negatives and no NaN, and the format promises scores in [0, max]: negative
/// scores are stored as 0, NaN as 0 and +∞ as `max`, where `max` is the largest finite score
/// (0 when there is none, which stores an all-zero map).
public enum ScoreMapEncoding {
    public static func encode(_ scores: ScoreMap) throws(ImagingError) -> (image: Image16, max: Float) {
        let maximum = scores.values.reduce(Float(0)) { $1.isFinite ? Swift.max($0, $1) : $0 }
        let scale = maximum > 0 ? 65535 / Double(maximum) : 0
        let pixels = scores.values.map { score -> UInt16 in
            if score.isNaN || score <= 0 { return 0 }
            if score >= maximum { return maximum > 0 ? 65535 : 0 }
            return UInt16((Double(score) * scale).rounded())
        }
        return (try Image16(width: scores.width, height: scores.height, pixels: pixels), maximum)
    }
}
