import Imaging

/// Plays a folder of PNG/JPEG images, sorted by name, as a frame source.
///
/// A file that fails to decode is skipped and counted as a corrupt frame (a half-copied file
/// must not stop a demo); a folder where nothing decodes is an error.
public final class ReplaySource: FrameSource {
    public let configuration: ReplayConfiguration
    private let cell = StatusCell()

    public init(_ configuration: ReplayConfiguration) {
        self.configuration = configuration
    }

    public var id: String { configuration.sourceID }
    public var status: SourceStatus { cell.snapshot }

    public func run(into ring: FrameRing) async throws {
        let paths: [String]
        do {
            paths = try ImageFile.imagePaths(in: configuration.folder)
        } catch {
            throw ReplayError.unreadableFolder(path: configuration.folder, reason: error.description)
        }
        guard !paths.isEmpty else { throw ReplayError.noImages(folder: configuration.folder) }
        cell.update {
            $0.state = .streaming
            $0.mode = "replay of \(paths.count) images" + (configuration.loop ? ", looping" : "")
        }
        let clock = ContinuousClock()
        var due = clock.now
        var sequence: UInt64 = 0
        repeat {
            var readAny = false
            for path in paths {
                guard !Task.isCancelled else { return finish(.idle) }
                let image: Image
                do {
                    image = try ImageFile.read(path)
                } catch {
                    cell.update {
                        $0.corruptFrames += 1
                        $0.lastError = error.description
                    }
                    continue
                }
                readAny = true
                if case .framesPerSecond(let fps) = configuration.pacing {
                    // The frame is decoded before its due time, so decoding does not slow the rate down.
                    do { try await clock.sleep(until: due) } catch { return finish(.idle) }
                    // The next one is due an interval after this one, never sooner: a camera does not
                    // deliver a burst of frames to catch up after a stall (a busy machine, a slow decode).
                    due = max(due, clock.now) + .seconds(1 / fps)
                }
                let frame = Frame(image: image, pixelFormat: image.channels == 1 ? .grey : .rgb24,
                                  sequence: sequence, timestamp: MonotonicClock.now(), sourceID: id)
                if case .asConsumed = configuration.pacing {
                    await ring.send(frame)
                } else {
                    ring.push(frame)
                }
                sequence += 1
                cell.update { $0.frames += 1 }
            }
            if !readAny {
                throw ReplayError.noReadableImages(folder: configuration.folder,
                                                   lastError: cell.snapshot.lastError ?? "")
            }
        } while configuration.loop && !Task.isCancelled
        finish(Task.isCancelled ? .idle : .finished)
    }

    private func finish(_ state: SourceState) {
        cell.update { $0.state = state }
    }
}
