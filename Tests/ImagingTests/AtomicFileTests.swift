import Foundation
import Imaging
import Testing

@Suite struct AtomicFileTests {
    @Test func writesNewFileAndLeavesNoTemporary() throws {
        let folder = try TemporaryFolder()
        try AtomicFile.write([1, 2, 3], to: folder.file("a.bin"))
        #expect(try readBytes(folder.file("a.bin")) == [1, 2, 3])
        #expect(try folder.names() == ["a.bin"])
    }

    @Test func replacesOldContentWhole() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write(Array(repeating: 9, count: 1000), to: "a.bin")
        try AtomicFile.write([4, 5], to: folder.file("a.bin"))
        #expect(try readBytes(folder.file("a.bin")) == [4, 5])
        try AtomicFile.write([], to: folder.file("a.bin"))
        #expect(try readBytes(folder.file("a.bin")) == [])
        #expect(try folder.names() == ["a.bin"])
    }

    /// Tests run as root, so a read-only folder would not stop the write: a parent that is a
    /// regular file does.
    @Test func failsWhenTheParentIsAFile() throws {
        let folder = try TemporaryFolder()
        let blocker = try folder.write([7], to: "blocker")
        let path = blocker + "/out.png"
        let error = try #require(throws: ImagingError.self) { try AtomicFile.write([1], to: path) }
        #expect(error == .writeFailed(path: path, reason: "Not a directory"))
        #expect(error.description == "cannot write '\(path)': Not a directory")
        #expect(try readBytes(blocker) == [7])
        #expect(try folder.names() == ["blocker"])
    }

    /// The failure comes after the temporary file is written (rename onto a folder): what was
    /// at the path stays as it was and the temporary is removed.
    @Test func failedRenameKeepsOldContentAndRemovesTemporary() throws {
        let folder = try TemporaryFolder()
        let target = folder.file("report")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        _ = try folder.write([42], to: "report/keep.json")
        #expect(throws: ImagingError.writeFailed(path: target, reason: "Is a directory")) {
            try AtomicFile.write([1, 2, 3], to: target)
        }
        #expect(try readBytes(folder.file("report/keep.json")) == [42])
        #expect(try folder.names() == ["report"])
    }

    /// Concurrent writers of one path: the result is one writer's bytes, whole.
    @Test func concurrentWritersNeverMix() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("shared.bin")
        let payloads = (0..<8).map { [UInt8](repeating: UInt8($0), count: 200_000) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for payload in payloads {
                group.addTask { try AtomicFile.write(payload, to: path) }
            }
            try await group.waitForAll()
        }
        let result = try readBytes(path)
        #expect(payloads.contains(result))
        #expect(try folder.names() == ["shared.bin"])
    }

    @Test func newFilesGetOrdinaryPermissions() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("frame.png")
        try AtomicFile.write([0], to: path)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let umaskLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        let umask = try #require(Int(umaskLine.split(separator: "\t").last!, radix: 8))
        #expect(mode == 0o666 & ~umask)
    }
}
