import Imaging
import Testing

@Suite struct PNGRoundTripTests {
    @Test(arguments: [1, 3])
    func eightBitRoundTripIsExact(channels: Int) throws {
        let image = try Image(width: 37, height: 23, channels: channels,
                              pixels: patternBytes(count: 37 * 23 * channels, seed: 7))
        let bytes = try PNG.encode(image)
        #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(try PNG.decode(bytes) == image)
    }

    @Test func sixteenBitRoundTripIsExact() throws {
        let samples = patternBytes(count: 2 * 520, seed: 11)
        let pixels: [UInt16] = [0, 1, 255, 256, 0x8000, 65534, 65535]
            + (0..<520).map { UInt16(samples[2 * $0]) << 8 | UInt16(samples[2 * $0 + 1]) }
        let scoreMap = try Image16(width: 31, height: 17, pixels: pixels)
        #expect(try PNG.decode16(PNG.encode(scoreMap)) == scoreMap)
    }

    @Test func sixteenBitIsStoredBigEndianAsPNGRequires() throws {
        let bytes = try PNG.encode(try Image16(width: 1, height: 1, pixels: [0x1234]))
        // IHDR: bit depth 16, colour type 0 (greyscale) at offsets 24 and 25.
        #expect(bytes[24] == 16 && bytes[25] == 0)
        #expect(try PNG.decode(bytes).pixels == [0x12])  // 0x1234 × 255 / 65535 rounds to 18
    }

    @Test func sixteenBitDecodesToRoundedEightBit() throws {
        // 257 × v reads back as v; values between round to nearest.
        let scoreMap = try Image16(width: 5, height: 1, pixels: [0, 257 * 200, 65535, 128, 129])
        let image = try PNG.decode(PNG.encode(scoreMap))
        #expect(image.channels == 1)
        #expect(image.pixels == [0, 200, 255, 0, 1])
    }

    @Test func eightBitGreyReadsAsSixteenBitTimes257() throws {
        let image = try Image(width: 3, height: 1, channels: 1, pixels: [0, 1, 255])
        #expect(try PNG.decode16(PNG.encode(image)).pixels == [0, 257, 65535])
    }

    @Test func decode16RefusesColour() throws {
        let image = try Image(width: 2, height: 1, channels: 3)
        let error = try #require(throws: ImagingError.self) { try PNG.decode16(PNG.encode(image), source: "s.png") }
        guard case .unsupportedLayout(let path, let detail) = error else {
            Issue.record("expected unsupportedLayout, got \(error)")
            return
        }
        #expect(path == "s.png")
        #expect(detail.contains("RGB, 8-bit"))
    }

    @Test func filesRoundTripThroughWriteAndRead() throws {
        let folder = try TemporaryFolder()
        let image = try Image(width: 9, height: 4, channels: 3, pixels: patternBytes(count: 108, seed: 3))
        let scoreMap = try Image16(width: 9, height: 4, pixels: (0..<36).map { UInt16($0 * 1800) })
        try PNG.write(image, to: folder.file("frame.png"))
        try PNG.write(scoreMap, to: folder.file("score.png"))
        #expect(try PNG.read(folder.file("frame.png")) == image)
        #expect(try PNG.read16(folder.file("score.png")) == scoreMap)
        #expect(try ImageFile.read(folder.file("frame.png")) == image)
        #expect(try folder.names() == ["frame.png", "score.png"])
    }
}
