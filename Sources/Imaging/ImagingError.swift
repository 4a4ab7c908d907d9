/// Everything that can go wrong while building, reading or writing an image.
///
/// `path` is the file involved; for in-memory data it is a label such as "in-memory PNG",
/// so every message still says what was being read.
public enum ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a folder, an I/O error): `reason` is the errno text.
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    /// The first bytes are not the signature of any supported format.
    case notAnImage(path: String, expected: String, leadingBytes: [UInt8])
    /// libspng rejected the data: `reason` is `spng_strerror`'s text.
    case corruptPNG(path: String, reason: String)
    /// TurboJPEG rejected the data (warnings such as a premature end count too): `reason` is `tjGetErrorStr2`'s text.
    case corruptJPEG(path: String, reason: String)
    case unsupportedLayout(path: String, detail: String)
    /// The header declares an image with more than `Image.maxDecodedPixels` pixels.
    case tooLarge(path: String, width: Int, height: Int)
    case invalidDimensions(width: Int, height: Int, channels: Int)
    case sizeMismatch(width: Int, height: Int, channels: Int, count: Int)
    case cropOutOfBounds(x: Int, y: Int, width: Int, height: Int, imageWidth: Int, imageHeight: Int)
    case encodeFailed(format: String, reason: String)
    /// libspng or TurboJPEG could not even set up (out of memory).
    case libraryFailure(library: String, reason: String)
    /// Writing, syncing or renaming into place failed: `reason` is the errno text.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "'\(path)' does not exist"
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .emptyFile(let path):
            return "'\(path)' is empty, not an image"
        case .notAnImage(let path, let expected, let leadingBytes):
            let hex = leadingBytes.prefix(8).map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "'\(path)' is not a \(expected) image (it starts with bytes \(hex))"
        case .corruptPNG(let path, let reason):
            return "'\(path)' is a truncated or corrupt PNG: \(reason)"
        case .corruptJPEG(let path, let reason):
            return "'\(path)' is a truncated or corrupt JPEG: \(reason)"
        case .unsupportedLayout(let path, let detail):
            return "'\(path)' has an unsupported layout: \(detail)"
        case .tooLarge(let path, let width, let height):
            return "'\(path)' declares a \(width)×\(height) image, more pixels than Image.maxDecodedPixels (\(Image.maxDecodedPixels))"
        case .invalidDimensions(let width, let height, let channels):
            return "invalid image dimensions \(width)×\(height) with \(channels) channel(s): "
                + "width and height must be at least 1 and channels 1 or 3"
        case .sizeMismatch(let width, let height, let channels, let count):
            return "image size mismatch: a \(width)×\(height) image with \(channels) channel(s) "
                + "needs \(width * height * channels) values, got \(count)"
        case .cropOutOfBounds(let x, let y, let width, let height, let imageWidth, let imageHeight):
            return "crop rectangle x=\(x) y=\(y) \(width)×\(height) does not lie inside the "
                + "\(imageWidth)×\(imageHeight) image"
        case .encodeFailed(let format, let reason):
            return "cannot encode \(format): \(reason)"
        case .libraryFailure(let library, let reason):
            return "\(library) failed to start: \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        }
    }
}
