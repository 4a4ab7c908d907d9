import Capture
import Foundation
import Imaging
import Testing

@Suite struct ReplaySourceTests {
    /// Three images written out of name order, one of them colour, plus a file that is not
    /// an image and one that claims to be a PNG but is not.
    static func folder() throws -> (String, [Image]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rgi-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let images = try (0..<3).map { index in
            let channels = index == 1 ? 3 : 1
            let pixels = Payloads.noise(16 * 12 * channels, seed: UInt64(100 + index))
            return try Image(width: 16, height: 12, channels: channels, pixels: pixels)
        }
        for index in [2, 0, 1] { try PNG.write(images[index], to: "\(folder)/part-\(index).png") }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: "\(folder)/README.txt"))
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: "\(folder)/part-3.png"))
        return (folder, images)
    }

    @Test func playsTheFolderOnceInNameOrderWithExactPixels() async throws {
        let (folder, images) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = ReplaySource(ReplayConfiguration(folder: folder))
        let frames = try await source.withFrames(capacity: 1) { ring in
            var frames: [Frame] = []
            for await frame in ring { frames.append(frame) }
            return frames
        }
        #expect(frames.map(\.image) == images)
        #expect(frames.map(\.sequence) == [0, 1, 2])
        #expect(frames.map(\.pixelFormat) == [.grey, .rgb24, .grey])
        #expect(source.status.state == .finished)
        #expect(source.status.frames == 3 && source.status.corruptFrames == 1)
        #expect(source.status.lastError?.contains("part-3.png") == true)
    }

    @Test func loopsUntilTheConsumerStops() async throws {
        let (folder, images) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = ReplaySource(ReplayConfiguration(folder: folder, loop: true))
        let frames = try await source.withFrames(capacity: 2) { ring in
            var frames: [Frame] = []
            for await frame in ring {
                frames.append(frame)
                if frames.count == 7 { break }
            }
            return frames
        }
        #expect(frames.map(\.image) == [0, 1, 2, 0, 1, 2, 0].map { images[$0] })
        #expect(frames.map(\.sequence) == Array(0..<7))
    }

    @Test func pacesAtTheConfiguredRate() async throws {
        let (folder, _) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = ReplaySource(ReplayConfiguration(folder: folder, loop: true, pacing: .framesPerSecond(50)))
        let clock = ContinuousClock()
        let start = clock.now
        let frames = try await source.withFrames { ring in
            var frames: [Frame] = []
            for await frame in ring {
                frames.append(frame)
                if frames.count == 11 { break }
            }
            return frames
        }
        // Ten intervals of 20 ms: never sooner. (No upper bound: the parallel test suite can starve
        // this task for seconds on a 2-core machine, which says nothing about the pacing.)
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(195))
        let span = Double(frames.last!.timestamp - frames.first!.timestamp) / 1e6
        #expect(span >= 195)
    }

    @Test func anEmptyFolderIsAnErrorNamingIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rgi-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(throws: ReplayError.noImages(folder: folder)) {
            try await ReplaySource(ReplayConfiguration(folder: folder)).withFrames { ring in
                for await _ in ring {}
            }
        }
        await #expect(throws: ReplayError.self) {
            try await ReplaySource(ReplayConfiguration(folder: folder + "/missing")).withFrames { ring in
                for await _ in ring {}
            }
        }
    }
}
