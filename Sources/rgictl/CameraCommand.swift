import ArgumentParser
import Capture
import Foundation
import Imaging

/// `rgictl camera list | probe | grab`: find a camera, see what it can do, save one frame.
struct CameraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera",
        abstract: "List, probe and test V4L2 cameras.",
        subcommands: [List.self, Probe.self, Grab.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the V4L2 video devices.")

        @Option(help: "Folder holding the video* device nodes.")
        var devices = "/dev"

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let paths = CameraProbe.devicePaths(in: devices)
            var found: [CameraInfo] = []
            for path in paths {
                do {
                    found.append(try CameraProbe.identify(path))
                } catch {
                    if !json { print("\(path)\t(unusable: \(error))") }
                }
            }
            if json { return printJSON(found) }
            if paths.isEmpty { print("no video devices in \(devices)") }
            for camera in found {
                let kind = camera.canCapture ? "capture" : "no capture (metadata or output node)"
                print("\(camera.path)\t\(camera.card)\tdriver \(camera.driver)\tbus \(camera.busInfo)\t\(kind)")
            }
        }
    }

    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a device's formats, sizes, frame rates and controls.")

        @Argument(help: "The device, e.g. /dev/video0.")
        var device: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let camera = try CameraProbe.probe(device)
            if json { return printJSON(camera) }
            print("\(camera.path): \(camera.card) (driver \(camera.driver), bus \(camera.busInfo))")
            guard camera.canCapture else { return print("  not a video capture device") }
            print("Formats (\"emulated\": converted by libv4lconvert, not sent by the camera):")
            for (index, format) in camera.formats.enumerated() {
                let note = format.emulated ? ", emulated" : ""
                print("  [\(index)] '\(format.fourcc)' (\(format.description)\(note))")
                for mode in format.modes {
                    print("      Size: \(mode.width)x\(mode.height)")
                    for fps in mode.framesPerSecond {
                        print("          Interval: \(String(format: "%.3f", 1 / fps))s (\(String(format: "%.3f", fps)) fps)")
                    }
                }
            }
            print("Controls:")
            if camera.controls.isEmpty { print("  none") }
            for control in camera.controls {
                let value = control.value.map(String.init) ?? "write-only"
                print("  \(control.name): min=\(control.minimum) max=\(control.maximum) default=\(control.defaultValue) value=\(value)")
            }
        }
    }

    struct Grab: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Capture one frame and save it as PNG.")

        @Argument(help: "The device, e.g. /dev/video0.")
        var device: String

        @Option(name: .shortAndLong, help: "The PNG file to write.")
        var output: String

        @Option(help: "Camera format: GREY, Y16, YUYV, RGB24 or MJPEG (default: the best the camera has).")
        var format: String?

        @Option(help: "Frame size WIDTHxHEIGHT (default: the largest).")
        var size: String?

        @Option(help: "Exposure (V4L2 exposure_time_absolute units, 100 µs).")
        var exposure: Int?

        @Option(help: "Gain.")
        var gain: Int?

        @Option(help: "Frames to discard first, so auto-exposure can settle.")
        var skip = 0

        @Option(help: "Seconds to wait for a frame.")
        var timeout = 10.0

        func run() async throws {
            var configuration = V4L2Configuration(path: device)
            if let format {
                guard let pixelFormat = PixelFormat(name: format) else {
                    throw ValidationError("unknown format '\(format)'")
                }
                configuration.pixelFormat = pixelFormat
            }
            if let size {
                let parts = size.split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2 else { throw ValidationError("size must be WIDTHxHEIGHT, e.g. 1280x1024") }
                configuration.size = FrameSize(width: parts[0], height: parts[1])
            }
            configuration.exposure = exposure
            configuration.gain = gain
            let source = V4L2Source(configuration)
            let wanted = skip + 1
            let deadline = ContinuousClock.now + .seconds(timeout)
            let (frame, status) = try await source.withFrames(capacity: 2) { ring in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try? await Task.sleep(until: deadline)
                        ring.finish()
                    }
                    var seen = 0
                    var last: Frame?
                    for await frame in ring {
                        seen += 1
                        last = frame
                        if seen == wanted { break }
                    }
                    group.cancelAll()
                    // The status now, before stopping resets the state to idle.
                    return (seen == wanted ? last : nil, source.status)
                }
            }
            guard let frame else {
                throw CameraCommandError.noFrame(device: device, seconds: timeout, state: status.state,
                                                 lastError: status.lastError)
            }
            try PNG.write(frame.image, to: output)
            print("saved \(frame.width)x\(frame.height) \(frame.channels == 1 ? "grey" : "RGB") frame "
                + "(camera format \(frame.pixelFormat), \(status.mode ?? "")) to \(output)")
            for warning in status.warnings { print("warning: \(warning)") }
        }
    }
}

enum CameraCommandError: Error, CustomStringConvertible {
    case noFrame(device: String, seconds: Double, state: SourceState, lastError: String?)

    var description: String {
        switch self {
        case .noFrame(let device, let seconds, let state, let lastError):
            return "\(device): no frame within \(seconds) s (camera \(state.rawValue)"
                + (lastError.map { "; last error: \($0)" } ?? "") + ")"
        }
    }
}

private func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}
