/// Thresholds from good images only: run the bundle's detector on held-out good images and put
/// the pixel threshold just above the highest area-opening score any of them reached, so that a
/// fresh bundle already decides, and good parts like the held-out ones pass.
public enum Calibration {
    /// Headroom above the largest good score.
    public static let margin: Float = 1.05
    public static let defaultMinArea = 16

    public struct Result: Sendable {
        public var thresholds: Thresholds
        /// Image scores of the held-out good images.
        public var goodScores: [Float]
        /// Mean |y − G(z)| of plain inversion on the held-out images (pixels in [-1, 1]).
        public var inversionL1: Float
    }

    public static func calibrate(detector: Detector, images: [TrainingImages.Item], minArea: Int = defaultMinArea) -> Result {
        precondition(!images.isEmpty, "calibration needs held-out images")
        var scores: [Float] = []
        for item in images {
            let out = detector.inspect(planes: item.planes, width: item.width, height: item.height, minArea: minArea)
            scores.append(out.imageScore)
        }
        // Generalisation check: plain inversion error on the same unseen images.
        let saved = detector.settings
        detector.settings.mode = .inversion
        var l1: Double = 0, count = 0
        for item in images {
            let out = detector.inspect(planes: item.planes, width: item.width, height: item.height, minArea: minArea)
            for (a, b) in zip(out.reconstruction, item.planes) { l1 += Double(abs(a - b)) }
            count += item.planes.count
        }
        detector.settings = saved
        let pixel = (scores.max() ?? 0) * margin
        return Result(thresholds: Thresholds(pixel: pixel, minArea: minArea, image: pixel), goodScores: scores,
                      inversionL1: Float(l1 / Double(max(count, 1))))
    }
}
