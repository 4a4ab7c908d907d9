import Imaging
import Inspection

/// The operator's picture of a report: the frame in colour, the defect area tinted red, the
/// mask's outline in solid red and a red box (with a small gap) around each region, so even a
/// few-pixel defect stands out in a thumbnail.
public enum OverlayRenderer {
    static let red: (UInt8, UInt8, UInt8) = (255, 0, 0)
    /// Share of red mixed into defect pixels: enough to see, little enough to see the defect.
    static let tint = 0.35

    /// `mask` is `frame.width × frame.height` bytes, nonzero = defect.
    public static func render(frame: Image, mask: [UInt8], regions: [DefectRegion]) -> Image {
        var out = frame.rgb()
        let (width, height) = (frame.width, frame.height)
        precondition(mask.count == width * height, "mask size differs from the frame")
        // Lines one pixel wide vanish when a 2000-pixel frame is shown as a thumbnail.
        let line = Swift.max(1, Swift.min(width, height) / 256)
        out.pixels.withUnsafeMutableBufferPointer { pixels in
            func paint(_ x: Int, _ y: Int) {
                guard x >= 0, y >= 0, x < width, y < height else { return }
                let i = 3 * (y * width + x)
                (pixels[i], pixels[i + 1], pixels[i + 2]) = red
            }
            func square(_ x: Int, _ y: Int) {
                for dy in 0..<line { for dx in 0..<line { paint(x + dx, y + dy) } }
            }
            for y in 0..<height {
                for x in 0..<width where mask[y * width + x] != 0 {
                    let i = 3 * (y * width + x)
                    pixels[i] = UInt8((1 - tint) * Double(pixels[i]) + tint * 255)
                    pixels[i + 1] = UInt8((1 - tint) * Double(pixels[i + 1]))
                    pixels[i + 2] = UInt8((1 - tint) * Double(pixels[i + 2]))
                }
            }
            // An edge pixel is a defect pixel with a 4-neighbour outside the defect or the frame.
            func inMask(_ x: Int, _ y: Int) -> Bool {
                x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] != 0
            }
            for y in 0..<height {
                for x in 0..<width where inMask(x, y) {
                    if !inMask(x - 1, y) || !inMask(x + 1, y) || !inMask(x, y - 1) || !inMask(x, y + 1) {
                        square(x, y)
                    }
                }
            }
            let gap = line + 1
            for region in regions {
                let left = region.x - gap - line, top = region.y - gap - line
                let right = region.x + region.width + gap, bottom = region.y + region.height + gap
                for x in left...right { square(x, top); square(x, bottom) }
                for y in top...bottom { square(left, y); square(right, y) }
            }
        }
        return out
    }
}
