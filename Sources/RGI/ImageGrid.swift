import Imaging

/// Tiles CHW float images in [-1, 1] into one picture with 2-pixel white gutters, for the
/// `samples.png` and `reconstructions.png` grids a person looks at.
enum ImageGrid {
    static func make(_ images: [[Float]], side: Int, channels: Int, columns: Int) -> Image {
        let gutter = 2, rows = (images.count + columns - 1) / columns
        let width = columns * side + (columns + 1) * gutter, height = rows * side + (rows + 1) * gutter
        var px = [UInt8](repeating: 255, count: width * height * channels)
        let plane = side * side
        for (k, im) in images.enumerated() {
            let ox = gutter + (k % columns) * (side + gutter), oy = gutter + (k / columns) * (side + gutter)
            for y in 0..<side {
                for x in 0..<side {
                    for c in 0..<channels {
                        let v = im[c * plane + y * side + x]
                        px[((oy + y) * width + ox + x) * channels + c] = UInt8(clamping: Int(((v + 1) * 127.5).rounded()))
                    }
                }
            }
        }
        return try! Image(width: width, height: height, channels: channels, pixels: px)
    }
}
