/// A 16-bit greyscale image, row-major: the format of report score maps
/// (value / 65535 × `score_map.max` = score).
public struct Image16: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt16] {
        didSet { precondition(pixels.count == width * height, "Image16.pixels resized") }
    }

    public init(width: Int, height: Int, pixels: [UInt16]) throws(ImagingError) {
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width >= 1, height >= 1, !overflow else {
            throw .invalidDimensions(width: width, height: height, channels: 1)
        }
        guard count == pixels.count else {
            throw .sizeMismatch(width: width, height: height, channels: 1, count: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// For decoders inside this module whose sizes are right by construction.
    init(unchecked width: Int, _ height: Int, _ pixels: [UInt16]) {
        assert(width >= 1 && height >= 1 && pixels.count == width * height)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
