import Imaging

/// Frame payloads in each device format, with the pixels Capture must deliver for them.
///
/// The expected pixels are computed here, independently of Capture: GREY and RGB24 unchanged,
/// Y16 its high byte, YUYV by libv4lconvert's integer formula (v4lconvert_yuyv_to_rgb24 in
/// v4l-utils 1.22), MJPEG by decoding the very bytes served with libjpeg-turbo.
enum Payloads {
    /// Deterministic noise (xorshift64): every byte matters, so a misplaced row or a wrong
    /// buffer index changes the digest.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// (payload served by the device, pixels expected from Capture) for frame `index`.
    static func make(format: String, width: Int, height: Int, index: Int) throws -> (payload: [UInt8], expected: [UInt8]) {
        let seed = UInt64(index + 1)
        switch format {
        case "GREY":
            let bytes = noise(width * height, seed: seed)
            return (bytes, bytes)
        case "Y16 ":
            let bytes = noise(width * height * 2, seed: seed)
            return (bytes, (0..<(width * height)).map { bytes[2 * $0 + 1] })
        case "RGB3":
            let bytes = noise(width * height * 3, seed: seed)
            return (bytes, bytes)
        case "YUYV":
            let bytes = noise(width * height * 2, seed: seed)
            return (bytes, yuyvToRGB(bytes))
        case "MJPG":
            let image = try smoothImage(width: width, height: height, seed: index)
            let jpeg = try JPEG.encode(image, quality: 90)
            return (jpeg, try JPEG.decode(jpeg).pixels)
        default:
            fatalError("no payload for \(format)")
        }
    }

    /// A picture JPEG can carry faithfully (noise would not survive compression recognisably).
    static func smoothImage(width: Int, height: Int, seed: Int) throws -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8((x * 255 / max(1, width - 1) + seed * 40) % 256)
                pixels[i + 1] = UInt8((y * 255 / max(1, height - 1) + seed * 70) % 256)
                pixels[i + 2] = UInt8(((x / 8 + y / 8) % 2) * 160 + seed * 10 % 90)
            }
        }
        return try Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func yuyvToRGB(_ source: [UInt8]) -> [UInt8] {
        func clip(_ value: Int) -> UInt8 { UInt8(max(0, min(255, value))) }
        var out: [UInt8] = []
        out.reserveCapacity(source.count / 2 * 3)
        for pair in stride(from: 0, to: source.count, by: 4) {
            let y0 = Int(source[pair]), u = Int(source[pair + 1]) - 128
            let y1 = Int(source[pair + 2]), v = Int(source[pair + 3]) - 128
            let u1 = ((u << 7) + u) >> 6
            let rg = ((u << 1) + u + (v << 2) + (v << 1)) >> 3
            let v1 = ((v << 1) + v) >> 1
            out += [clip(y0 + v1), clip(y0 - rg), clip(y0 + u1), clip(y1 + v1), clip(y1 - rg), clip(y1 + u1)]
        }
        return out
    }
}
