import Capture

/// The `[camera]` section: where frames come from, and how many may wait for inspection.
public struct CameraConfiguration: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case v4l2(V4L2Configuration)
        case replay(ReplayConfiguration)
    }

    public var source: Source
    /// Frames queued between capture and inspection; when inspection falls behind a camera,
    /// the oldest is dropped and counted.
    public var queue: Int

    public var isReplay: Bool {
        if case .replay = source { return true }
        return false
    }

    public func makeSource() -> any FrameSource {
        switch source {
        case .v4l2(let configuration): return V4L2Source(configuration)
        case .replay(let configuration): return ReplaySource(configuration)
        }
    }

    static func read(_ section: ConfigSection, paths: ConfigPaths) throws(ConfigError) -> CameraConfiguration {
        let kind = try section.requiredString("source")
        let queue = try section.integer("queue", in: 1...1024) ?? 4
        let source: Source
        switch kind {
        case "v4l2":
            var v4l2 = V4L2Configuration(path: try section.string("device") ?? "/dev/video0")
            if let name = try section.string("format") {
                guard let format = PixelFormat(name: name) else {
                    throw section.error("format", "'\(name)' is not a four-character V4L2 format code (GREY, Y16, YUYV, RGB3, MJPG)")
                }
                v4l2.pixelFormat = format
            }
            let width = try section.integer("width", in: 1...65536), height = try section.integer("height", in: 1...65536)
            switch (width, height) {
            case let (w?, h?): v4l2.size = FrameSize(width: w, height: h)
            case (nil, nil): break
            case (nil, _): throw section.missing("width")
            case (_, nil): throw section.missing("height")
            }
            v4l2.framesPerSecond = try section.number("fps", in: 0.1...10_000)
            v4l2.exposure = try section.integer("exposure", in: 0...Int(Int32.max))
            v4l2.gain = try section.integer("gain", in: 0...Int(Int32.max))
            source = .v4l2(v4l2)
        case "replay":
            let folder = paths.resolve(try section.requiredString("folder"))
            let loop = try section.bool("loop") ?? false
            // Without fps the replay waits for inspection: every frame is inspected.
            let fps = try section.number("fps", in: 0.01...10_000)
            source = .replay(ReplayConfiguration(folder: folder, loop: loop,
                                                 pacing: fps.map { .framesPerSecond($0) } ?? .asConsumed))
        default:
            throw section.error("source", "must be \"v4l2\" or \"replay\", not \"\(kind)\"")
        }
        try section.finish()
        return CameraConfiguration(source: source, queue: queue)
    }
}
