import Imaging

/// Turns the bytes of one dequeued buffer into an 8-bit image.
///
/// Capture reads GREY, Y16, RGB24 and MJPEG itself; anything else reaches it already
/// converted to RGB24 by libv4lconvert. Y16 keeps its high byte (the sensor's 8 most significant
/// bits), the scaling every 8-bit inspection model expects. MJPEG is decoded with
/// libjpeg-turbo through `Imaging.JPEGDecoder`, which refuses frames with warnings (a
/// cut-off USB transfer) instead of handing on a half-grey picture.
final class FrameDecoder {
    let active: ActiveFormat
    private let jpeg: JPEGDecoder?
    private let path: String

    init(active: ActiveFormat, path: String) throws(V4L2Error) {
        self.active = active
        self.path = path
        if active.format == .mjpeg {
            do { jpeg = try JPEGDecoder() } catch {
                throw .corruptFrame(path: path, reason: error.description)
            }
        } else {
            jpeg = nil
        }
    }

    func decode(_ bytes: UnsafeRawBufferPointer) throws(V4L2Error) -> Image {
        let width = active.size.width, height = active.size.height
        switch active.format {
        case .mjpeg:
            let image: Image
            do { image = try jpeg!.decode(bytes, source: path) } catch {
                throw .corruptFrame(path: path, reason: error.description)
            }
            guard image.width == width, image.height == height else {
                throw .corruptFrame(path: path, reason: "MJPEG frame is \(image.width)x\(image.height), expected \(active.size)")
            }
            return image
        case .y16:
            return try rows(bytes, bytesPerPixel: 2, channels: 1) { source, destination, count in
                for x in 0..<count { destination[x] = source[2 * x + 1] }  // little-endian high byte
            }
        case .grey:
            return try rows(bytes, bytesPerPixel: 1, channels: 1) { source, destination, count in
                destination.baseAddress!.update(from: source.baseAddress!, count: count)
            }
        default:  // RGB24, native or from libv4lconvert
            return try rows(bytes, bytesPerPixel: 3, channels: 3) { source, destination, count in
                destination.baseAddress!.update(from: source.baseAddress!, count: count * 3)
            }
        }
    }

    /// Copies row by row, since a driver may pad rows (bytesPerLine > width × bytes per pixel).
    private func rows(
        _ bytes: UnsafeRawBufferPointer, bytesPerPixel: Int, channels: Int,
        _ convertRow: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>, Int) -> Void
    ) throws(V4L2Error) -> Image {
        let width = active.size.width, height = active.size.height
        let stride = max(active.bytesPerLine, width * bytesPerPixel)
        let needed = stride * (height - 1) + width * bytesPerPixel
        guard bytes.count >= needed else {
            throw .corruptFrame(path: path, reason: "short frame: \(bytes.count) bytes, \(needed) expected")
        }
        let source = bytes.bindMemory(to: UInt8.self)
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * channels) { output, count in
            for y in 0..<height {
                let row = UnsafeBufferPointer(rebasing: source[(y * stride)..<(y * stride + width * bytesPerPixel)])
                let out = UnsafeMutableBufferPointer(rebasing: output[(y * width * channels)..<((y + 1) * width * channels)])
                convertRow(row, out, width)
            }
            count = width * height * channels
        }
        do {
            return try Image(width: width, height: height, channels: channels, pixels: pixels)
        } catch {
            throw .corruptFrame(path: path, reason: error.description)
        }
    }
}
