import Imaging
import Testing

/// Broken input must throw the matching error, naming the file, and never crash.
@Suite struct CorruptInputTests {
    static func samplePNG() throws -> [UInt8] {
        try PNG.encode(Image(width: 40, height: 30, channels: 3, pixels: patternBytes(count: 3600, seed: 9)))
    }

    static func sampleJPEG() throws -> [UInt8] {
        try JPEG.encode(JPEGTests.scene(width: 64, height: 48, channels: 3), quality: 90)
    }

    @Test func missingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("nope.png")
        for read in [{ try ImageFile.read(path) }, { try PNG.read(path) }] {
            let error = try #require(throws: ImagingError.self) { try read() }
            #expect(error == .fileNotFound(path: path))
            #expect(error.description.contains(path))
        }
    }

    @Test func folderInsteadOfFile() throws {
        let folder = try TemporaryFolder()
        #expect(throws: ImagingError.unreadable(path: folder.path, reason: "Is a directory")) {
            try ImageFile.read(folder.path)
        }
    }

    @Test func emptyFile() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write([], to: "empty.png")
        #expect(throws: ImagingError.emptyFile(path: path)) { try ImageFile.read(path) }
        #expect(throws: ImagingError.emptyFile(path: path)) { try PNG.read16(path) }
        #expect(throws: ImagingError.emptyFile(path: "in-memory JPEG")) { try JPEG.decode([UInt8]()) }
    }

    @Test func notAnImage() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(Array("<!DOCTYPE html>".utf8), to: "page.png")
        let error = try #require(throws: ImagingError.self) { try ImageFile.read(path) }
        #expect(error == .notAnImage(path: path, expected: "PNG or JPEG", leadingBytes: Array("<!DOCTYP".utf8)))
        #expect(error.description == "'\(path)' is not a PNG or JPEG image (it starts with bytes 3c 21 44 4f 43 54 59 50)")
        // A JPEG handed to the PNG reader (and back) is named for what was expected.
        let jpegPath = try folder.write(Self.sampleJPEG(), to: "photo.png")
        #expect(throws: ImagingError.notAnImage(path: jpegPath, expected: "PNG", leadingBytes: [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46])) {
            try PNG.read(jpegPath)
        }
        #expect(throws: ImagingError.self) { try JPEG.decode(Self.samplePNG()) }
    }

    /// Every cut before the end of the image data fails as a corrupt PNG.
    @Test func truncatedPNG() throws {
        let bytes = try Self.samplePNG()
        let iend = 12  // the IEND chunk: length, type, CRC
        for length in Array(1..<20) + Array(stride(from: 20, to: bytes.count - iend, by: 97)) {
            let error = try #require(throws: ImagingError.self) {
                try PNG.decode(Array(bytes.prefix(length)), source: "cut.png")
            }
            guard case .corruptPNG(let path, let reason) = error else {
                Issue.record("cut at \(length): expected corruptPNG, got \(error)")
                continue
            }
            #expect(path == "cut.png" && !reason.isEmpty)
        }
    }

    @Test func badChecksumAndBadPixelDataInPNG() throws {
        let bytes = try Self.samplePNG()
        var header = bytes
        header[17] ^= 0x01  // inside IHDR's width: its CRC no longer matches
        let crcError = try #require(throws: ImagingError.self) { try PNG.decode(header, source: "crc.png") }
        guard case .corruptPNG(path: "crc.png", let reason) = crcError, reason.contains("checksum") else {
            Issue.record("expected a checksum error, got \(crcError)")
            return
        }
        // Garbage in place of the compressed pixel data.
        let idat = try #require(Self.chunkStart("IDAT", in: bytes))
        var data = bytes
        for i in (idat + 8)..<(idat + 40) { data[i] = 0xAA }
        let error = try #require(throws: ImagingError.self) { try PNG.decode(data, source: "bad.png") }
        #expect(error.description.hasPrefix("'bad.png' is a truncated or corrupt PNG: "))
    }

    @Test func pngHeaderDeclaringAHugeImage() throws {
        var bytes = try Self.samplePNG()
        // IHDR data starts at 16: width and height, big-endian; 100000 × 100000.
        for offset in [16, 20] {
            bytes.replaceSubrange(offset..<(offset + 4), with: [0x00, 0x01, 0x86, 0xA0])
        }
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) })
        #expect(throws: ImagingError.tooLarge(path: "huge.png", width: 100_000, height: 100_000)) {
            try PNG.decode(bytes, source: "huge.png")
        }
    }

    /// Every cut fails as a corrupt JPEG: libjpeg's "premature end" warning counts as failure.
    @Test func truncatedJPEG() throws {
        let bytes = try Self.sampleJPEG()
        for length in Array(1..<8) + Array(stride(from: 8, to: bytes.count - 2, by: 37)) {
            let error = try #require(throws: ImagingError.self) {
                try JPEG.decode(Array(bytes.prefix(length)), source: "cut.jpg")
            }
            guard case .corruptJPEG(let path, let reason) = error else {
                Issue.record("cut at \(length): expected corruptJPEG, got \(error)")
                continue
            }
            #expect(path == "cut.jpg" && !reason.isEmpty)
        }
    }

    @Test func garbageAfterJPEGSignature() throws {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF] + patternBytes(count: 500, seed: 4)
        let error = try #require(throws: ImagingError.self) { try JPEG.decode(bytes, source: "noise.jpg") }
        guard case .corruptJPEG(path: "noise.jpg", _) = error else {
            Issue.record("expected corruptJPEG, got \(error)")
            return
        }
    }

    @Test func jpegHeaderDeclaringAHugeImage() throws {
        var bytes = try Self.sampleJPEG()
        // Baseline SOF0: FF C0, length (2), precision (1), height (2), width (2).
        let sof = try #require(bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])  // 60000 × 60000
        #expect(throws: ImagingError.tooLarge(path: "huge.jpg", width: 60000, height: 60000)) {
            try JPEG.decode(bytes, source: "huge.jpg")
        }
    }

    static func chunkStart(_ type: String, in png: [UInt8]) -> Int? {
        var offset = 8
        while offset + 8 <= png.count {
            let length = png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            if Array(png[(offset + 4)..<(offset + 8)]) == Array(type.utf8) { return offset }
            offset += 12 + length
        }
        return nil
    }
}

/// CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xEDB88320).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
