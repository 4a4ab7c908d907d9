import Imaging
import Testing

@Suite struct JPEGTests {
    /// A smooth scene (gradients), the kind of content JPEG keeps well.
    static func scene(width: Int, height: Int, channels: Int) throws -> Image {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    pixels.append(UInt8(30 + x * 100 / width + y * 60 / height + c * 30))
                }
            }
        }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [1, 3])
    func roundTripStaysClose(channels: Int) throws {
        let image = try Self.scene(width: 96, height: 64, channels: channels)
        let bytes = try JPEG.encode(image, quality: 95)
        #expect(Array(bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
        let decoded = try JPEG.decode(bytes)
        #expect(decoded.width == 96 && decoded.height == 64 && decoded.channels == channels)
        let errors = zip(image.pixels, decoded.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(errors.reduce(0, +)) / Double(errors.count)
        #expect(mean < 1.5, "mean absolute error \(mean)")
        #expect(errors.max()! <= 12, "largest error \(errors.max()!)")
    }

    @Test func lowerQualityGivesSmallerFiles() throws {
        let image = try Image(width: 64, height: 64, channels: 3, pixels: patternBytes(count: 64 * 64 * 3, seed: 5))
        #expect(try JPEG.encode(image, quality: 30).count < JPEG.encode(image, quality: 95).count)
    }

    @Test(arguments: [0, 101])
    func qualityOutsideRangeIsRefused(quality: Int) throws {
        let image = try Image(width: 8, height: 8, channels: 1)
        #expect(throws: ImagingError.encodeFailed(format: "JPEG", reason: "quality \(quality) is outside 1–100")) {
            try JPEG.encode(image, quality: quality)
        }
    }

    /// The camera path: one decoder, many frames, and a broken frame must not spoil the next.
    @Test func decoderIsReusableAcrossFramesAndAfterErrors() throws {
        let decoder = try JPEGDecoder()
        let big = try JPEG.encode(Self.scene(width: 320, height: 240, channels: 3), quality: 80)
        let small = try JPEG.encode(Self.scene(width: 40, height: 30, channels: 1), quality: 80)
        for _ in 0..<3 {
            let frame = try big.withUnsafeBytes { try decoder.decode($0) }
            #expect(frame.width == 320 && frame.height == 240 && frame.channels == 3)
            let cut = Array(big.prefix(big.count / 2))
            #expect(throws: ImagingError.self) { try cut.withUnsafeBytes { try decoder.decode($0, source: "frame 7") } }
            let grey = try small.withUnsafeBytes { try decoder.decode($0) }
            #expect(grey.width == 40 && grey.height == 30 && grey.channels == 1)
        }
    }
}
