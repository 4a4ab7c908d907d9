import Imaging

/// Conversions between 8-bit images and the normalised planar floats the networks see:
/// v = x / 127.5 − 1 in training and inspection alike, so preprocessing never drifts.
public enum ImageTensor {
    /// HWC bytes → CHW floats in [-1, 1].
    public static func planes(_ image: Image) -> [Float] {
        let w = image.width, h = image.height, c = image.channels, plane = w * h
        var out = [Float](repeating: 0, count: c * plane)
        image.pixels.withUnsafeBufferPointer { px in
            for i in 0..<plane {
                for ch in 0..<c { out[ch * plane + i] = Float(px[i * c + ch]) / 127.5 - 1 }
            }
        }
        return out
    }

    /// The `toWidth × toHeight` rectangle at (`x`, `y`) of CHW planes `width × height`.
    public static func crop(_ planes: [Float], width: Int, height: Int, channels: Int, x: Int, y: Int, toWidth: Int, toHeight: Int) -> [Float] {
        precondition(x >= 0 && y >= 0 && x + toWidth <= width && y + toHeight <= height, "crop outside \(width)×\(height)")
        var out = [Float](repeating: 0, count: channels * toWidth * toHeight)
        for c in 0..<channels {
            for r in 0..<toHeight {
                let from = (c * height + y + r) * width + x
                out.replaceSubrange((c * toHeight + r) * toWidth..<(c * toHeight + r + 1) * toWidth, with: planes[from..<from + toWidth])
            }
        }
        return out
    }

    /// CHW floats in [-1, 1] → HWC bytes (clamped, rounded).
    public static func image(planes: [Float], width: Int, height: Int, channels: Int) -> Image {
        let plane = width * height
        precondition(planes.count == channels * plane, "\(planes.count) values for \(width)×\(height)×\(channels)")
        var px = [UInt8](repeating: 0, count: channels * plane)
        for i in 0..<plane {
            for ch in 0..<channels {
                px[i * channels + ch] = UInt8(clamping: Int(((planes[ch * plane + i] + 1) * 127.5).rounded()))
            }
        }
        return try! Image(width: width, height: height, channels: channels, pixels: px)
    }
}
