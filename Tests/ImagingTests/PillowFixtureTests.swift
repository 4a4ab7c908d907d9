import Foundation
import Imaging
import Testing

/// Files written by Python's Pillow (and, for layouts Pillow cannot write, by a minimal PNG
/// writer in the same script) must read back with exactly the pixels the script expects.
@Suite struct PillowFixtureTests {
    struct Manifest: Decodable {
        let images: [Entry]
        let unsupported: [String]
    }

    struct Entry: Decodable {
        let file: String
        let width: Int
        let height: Int
        let channels: Int
        let expected8: String
        let expected16: String?
        let jpegTolerance: Int?
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("make_fixtures.py").path

    @Test func everyLayoutReadsBackExactly() throws {
        let folder = try TemporaryFolder()
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", Self.script, folder.path]
        try python.run()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "make_fixtures.py failed (needs python3; installs Pillow)")
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("manifest.json"))))
        let entries = manifest.images
        let layouts = Set(entries.map(\.file))
        #expect(layouts.isSuperset(of: ["grey8.png", "grey1.png", "grey_alpha.png", "grey_alpha16.png",
                                        "palette8.png", "palette4_trns.png", "rgb.png", "rgba.png",
                                        "grey16.png", "grey16_adam7.png", "rgb16.png", "rgba16.png", "colour.jpg", "grey.jpg"]))

        for entry in entries {
            let path = folder.file(entry.file)
            let image = try ImageFile.read(path)
            let expected = try readBytes(folder.file(entry.expected8))
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            #expect(image.channels == entry.channels, "\(entry.file)")
            if let tolerance = entry.jpegTolerance {
                let worst = zip(image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? .max
                #expect(image.pixels.count == expected.count && worst <= tolerance,
                        "\(entry.file): largest difference from Pillow's decode is \(worst)")
            } else {
                #expect(image.pixels == expected, "\(entry.file)")
            }
            if let expected16 = entry.expected16 {
                let raw = try readBytes(folder.file(expected16))
                let samples = (0..<(raw.count / 2)).map { UInt16(raw[2 * $0]) | UInt16(raw[2 * $0 + 1]) << 8 }
                #expect(try PNG.read16(path).pixels == samples, "\(entry.file) at 16 bits")
            }
        }
        #expect(manifest.unsupported == ["cmyk.jpg"])
        for name in manifest.unsupported {
            let error = try #require(throws: ImagingError.self) { try ImageFile.read(folder.file(name)) }
            guard case .unsupportedLayout(let path, _) = error else {
                Issue.record("\(name): expected unsupportedLayout, got \(error)")
                continue
            }
            #expect(path == folder.file(name))
        }
    }
}
