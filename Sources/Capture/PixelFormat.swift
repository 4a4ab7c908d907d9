import CV4L2

/// A V4L2 pixel format, named by its four-character code.
///
/// A struct rather than an enum because cameras report many codes (Bayer, packed 10-bit, vendor
/// formats) that probing must still show; the constants are the ones Capture negotiates.
public struct PixelFormat: Hashable, Sendable, CustomStringConvertible {
    public let fourcc: UInt32

    public init(fourcc: UInt32) { self.fourcc = fourcc }

    /// Parses a four-character code such as `GREY` or `MJPG` (case as V4L2 spells it); also
    /// accepts the friendly names `Y16`, `RGB24` and `MJPEG`.
    public init?(name: String) {
        let aliases = ["Y16": "Y16 ", "RGB24": "RGB3", "MJPEG": "MJPG"]
        let code = aliases[name.uppercased()] ?? name
        let bytes = Array(code.utf8)
        guard bytes.count == 4 else { return nil }
        fourcc = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    public static let grey = PixelFormat(fourcc: UInt32(RGI_V4L2_PIX_FMT_GREY))
    public static let y16 = PixelFormat(fourcc: UInt32(RGI_V4L2_PIX_FMT_Y16))
    public static let yuyv = PixelFormat(fourcc: UInt32(RGI_V4L2_PIX_FMT_YUYV))
    public static let rgb24 = PixelFormat(fourcc: UInt32(RGI_V4L2_PIX_FMT_RGB24))
    public static let mjpeg = PixelFormat(fourcc: UInt32(RGI_V4L2_PIX_FMT_MJPEG))

    /// The formats Capture reads natively, best first for inspection: monochrome sensors are the
    /// norm on a line, and MJPEG before YUYV because USB bandwidth limits YUYV frame rates.
    public static let preferred: [PixelFormat] = [.grey, .y16, .mjpeg, .yuyv, .rgb24]

    /// The four characters, trailing spaces trimmed (`Y16 ` → `Y16`).
    public var description: String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: fourcc >> (8 * $0)) }
        let text = bytes.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" }
        return String(text).trimmingTrailingSpaces()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
