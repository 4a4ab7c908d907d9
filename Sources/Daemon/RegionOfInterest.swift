import Imaging

/// The part of the frame that is inspected, in frame pixels; everything outside is ignored.
/// Reports show the cropped image, so their region boxes are relative to the ROI.
public struct RegionOfInterest: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// A frame smaller than the ROI is an inspection error for that frame, not a crash.
    public func crop(_ image: Image) throws(ImagingError) -> Image {
        if x == 0, y == 0, width == image.width, height == image.height { return image }
        return try image.cropped(x: x, y: y, width: width, height: height)
    }
}
