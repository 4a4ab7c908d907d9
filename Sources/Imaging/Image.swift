/// An 8-bit image: 1 channel (grey) or 3 (RGB), interleaved row-major (HWC).
///
/// The pixel buffer may be edited in place, but its length is fixed by the dimensions.
public struct Image: Sendable, Equatable {
    /// Decoders refuse headers that declare more pixels than this (16384 × 16384), so a
    /// corrupt header cannot make the daemon allocate gigabytes.
    public static let maxDecodedPixels = 1 << 28

    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8] {
        didSet { precondition(pixels.count == width * height * channels, "Image.pixels resized") }
    }

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws(ImagingError) {
        let count = try Image.pixelCount(width: width, height: height, channels: channels)
        guard count == pixels.count else {
            throw .sizeMismatch(width: width, height: height, channels: channels, count: pixels.count)
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int, channels: Int) throws(ImagingError) {
        let count = try Image.pixelCount(width: width, height: height, channels: channels)
        self.init(unchecked: width, height, channels, [UInt8](repeating: 0, count: count))
    }

    /// Checked multiplication: absurd dimensions must not wrap around to a small size.
    private static func pixelCount(width: Int, height: Int, channels: Int) throws(ImagingError) -> Int {
        let (area, overflowA) = width.multipliedReportingOverflow(by: height)
        let (count, overflowB) = area.multipliedReportingOverflow(by: channels)
        guard width >= 1, height >= 1, channels == 1 || channels == 3, !overflowA, !overflowB else {
            throw .invalidDimensions(width: width, height: height, channels: channels)
        }
        return count
    }

    /// Greyscale by BT.601 luma in the same 16-bit fixed point as Pillow's `convert("L")`,
    /// so images prepared in Python and here agree exactly.
    public func grey() -> Image {
        guard channels == 3 else { return self }
        var out = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { src in
            for i in 0..<out.count {
                let r = UInt32(src[3 * i]), g = UInt32(src[3 * i + 1]), b = UInt32(src[3 * i + 2])
                out[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
            }
        }
        return Image(unchecked: width, height, 1, out)
    }

    /// RGB with the grey value copied into each channel.
    public func rgb() -> Image {
        guard channels == 1 else { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for (i, value) in pixels.enumerated() {
            out[3 * i] = value
            out[3 * i + 1] = value
            out[3 * i + 2] = value
        }
        return Image(unchecked: width, height, 3, out)
    }

    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) throws(ImagingError) -> Image {
        guard x >= 0, y >= 0, cropWidth >= 1, cropHeight >= 1,
              cropWidth <= width - x, cropHeight <= height - y else {
            throw .cropOutOfBounds(x: x, y: y, width: cropWidth, height: cropHeight,
                                   imageWidth: width, imageHeight: height)
        }
        let rowBytes = cropWidth * channels
        var out = [UInt8]()
        out.reserveCapacity(rowBytes * cropHeight)
        for row in y..<(y + cropHeight) {
            let start = (row * width + x) * channels
            out.append(contentsOf: pixels[start..<(start + rowBytes)])
        }
        return Image(unchecked: cropWidth, cropHeight, channels, out)
    }

    /// For decoders and conversions inside this module whose sizes are right by construction.
    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        assert(width >= 1 && height >= 1 && (channels == 1 || channels == 3)
               && pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
