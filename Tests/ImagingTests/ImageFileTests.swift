import Foundation
import Imaging
import Testing

@Suite struct ImageFileTests {
    @Test func formatComesFromMagicBytesNotTheName() throws {
        let folder = try TemporaryFolder()
        let grey = try Image(width: 8, height: 8, channels: 1, pixels: patternBytes(count: 64, seed: 2))
        let pngNamedJPG = try folder.write(PNG.encode(grey), to: "really-a-png.jpg")
        #expect(try ImageFile.read(pngNamedJPG) == grey)
        let jpegNamedPNG = try folder.write(JPEG.encode(grey, quality: 90), to: "really-a-jpeg.png")
        let decoded = try ImageFile.read(jpegNamedPNG)
        #expect(decoded.width == 8 && decoded.height == 8 && decoded.channels == 1)
    }

    @Test func imagePathsListsImagesByName() throws {
        let folder = try TemporaryFolder()
        for name in ["b.PNG", "a.jpg", "c.JpEg", "d.txt", "png", ".hidden.png", "e.png.bak"] {
            _ = try folder.write([0], to: name)
        }
        try FileManager.default.createDirectory(atPath: folder.file("sub.png"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder.file("f.png"), withDestinationPath: folder.file("a.jpg"))
        try FileManager.default.createSymbolicLink(atPath: folder.file("g.png"), withDestinationPath: folder.file("gone"))
        #expect(try ImageFile.imagePaths(in: folder.path) == ["a.jpg", "b.PNG", "c.JpEg", "f.png"].map(folder.file))
        #expect(try ImageFile.imagePaths(in: folder.path + "/") == ["a.jpg", "b.PNG", "c.JpEg", "f.png"].map(folder.file))
    }

    @Test func imagePathsOfAMissingFolderOrAFile() throws {
        let folder = try TemporaryFolder()
        #expect(throws: ImagingError.fileNotFound(path: folder.file("none"))) {
            try ImageFile.imagePaths(in: folder.file("none"))
        }
        let file = try folder.write([0], to: "x.png")
        #expect(throws: ImagingError.unreadable(path: file, reason: "Not a directory")) {
            try ImageFile.imagePaths(in: file)
        }
    }

    static let benchmarkFolder = "/work/shared/data/rgi-bench/brick/train/good"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: benchmarkFolder), "needs /work/shared benchmark data"))
    func readsTheBenchmarkImages() throws {
        let paths = try ImageFile.imagePaths(in: Self.benchmarkFolder)
        #expect(paths.count == 200)
        #expect(paths.first == Self.benchmarkFolder + "/000.png")
        let image = try ImageFile.read(Self.benchmarkFolder + "/000.png")
        #expect(image.width == 128 && image.height == 128 && image.channels == 1)
        // A real photograph, not a blank: many distinct grey levels.
        #expect(Set(image.pixels).count > 50)
    }
}
