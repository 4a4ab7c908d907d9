/// The decision thresholds of a product model, calibrated on held-out good images at training
/// time and overridable in the config (hysteresis, in score units):
///
/// - a frame is defective when some connected region of at least `minArea` pixels scores above
///   `image` everywhere — equivalently, when its area-opening image score exceeds `image`
///   (see `AreaOpening`);
/// - a defect's extent is every connected region of pixels above `pixel` (≤ `image`) that contains
///   such a region, so it covers more than the defect's peak; `DefectMask` cuts each one to the
///   defect's shape, never to nothing.
///
/// The verdict and the mask therefore always agree: defect ⇔ the mask is not empty.
public struct Thresholds: Codable, Equatable, Sendable {
    public var pixel: Float
    public var minArea: Int
    public var image: Float

    public init(pixel: Float, minArea: Int, image: Float) {
        self.pixel = pixel; self.minArea = minArea; self.image = image
    }
}
