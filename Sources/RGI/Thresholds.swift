/// The decision thresholds of a product model, calibrated on held-out good images at training
/// time and overridable in the config. A pixel is a defect candidate when its score exceeds
/// `pixel`; candidates form a defect only in a connected region of at least `minArea` pixels.
/// The image score is the highest level at which such a region exists (see `AreaOpening`), so
/// the verdict and the mask always agree: defect ⇔ image score > `image`, and `image` equals
/// `pixel` for calibrated bundles.
public struct Thresholds: Codable, Equatable, Sendable {
    public var pixel: Float
    public var minArea: Int
    public var image: Float

    public init(pixel: Float, minArea: Int, image: Float) {
        self.pixel = pixel; self.minArea = minArea; self.image = image
    }
}
