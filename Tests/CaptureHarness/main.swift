// CaptureHarness: runs the real V4L2Source in its own process, so tests can start it with the
// V4L2 emulator in LD_PRELOAD (a preload must be present at process start). It prints one JSON
// line per frame and a summary; the test decides what is right.
//
//   CaptureHarness stream DEVICE FRAMES [--format F] [--exposure N] [--gain N]
//                  [--stall-ms N] [--restart-after N] [--deadline-s N] [--probe-after]
//                  [--assemble HEIGHT:OVERLAP]   (strips → LineScanSource, continuous frames)
//   CaptureHarness probe DEVICE
import Capture
import Foundation
import Synchronization

struct FrameLine: Encodable {
    var sequence: UInt64
    var width: Int
    var height: Int
    var channels: Int
    var format: String
    var hash: String
    var timestamp: UInt64
}

struct Summary: Encodable {
    var status: SourceStatus
    var ringDropped: UInt64
    /// Distinct states in the order the source passed through them.
    var states: [SourceState]
    var timedOut: Bool
    var controls: [String: Int]?
}

/// FNV-1a over the pixels: the test computes the same over its expected pixels.
func fnv1a(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16)
}

func emit(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}

/// Distinct states in order of appearance, written by the sampling task.
final class StateLog: Sendable {
    private let states = Mutex<[SourceState]>([])

    var all: [SourceState] { states.withLock { $0 } }

    func record(_ state: SourceState) {
        states.withLock { if $0.last != state { $0.append(state) } }
    }
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func stream(device: String, frames wanted: Int, arguments: [String]) async throws {
    var configuration = V4L2Configuration(path: device)
    configuration.pixelFormat = option("--format", in: arguments).flatMap(PixelFormat.init(name:))
    configuration.exposure = option("--exposure", in: arguments).flatMap { Int($0) }
    configuration.gain = option("--gain", in: arguments).flatMap { Int($0) }
    configuration.stallTimeout = .milliseconds(Int(option("--stall-ms", in: arguments) ?? "200")!)
    configuration.stallsBeforeRestart = Int(option("--restart-after", in: arguments) ?? "3")!
    configuration.reconnectInitialDelay = .milliseconds(20)
    configuration.reconnectMaximumDelay = .milliseconds(200)
    let deadline = ContinuousClock.now + .seconds(Int(option("--deadline-s", in: arguments) ?? "60")!)
    let camera = V4L2Source(configuration)
    let source: any FrameSource
    if let assemble = option("--assemble", in: arguments) {
        let parts = assemble.split(separator: ":").compactMap { Int($0) }
        source = try LineScanSource(strips: camera, mode: .continuous(height: parts[0], overlap: parts[1]))
    } else {
        source = camera
    }
    let states = StateLog()

    let (ringDropped, timedOut) = try await source.withFrames(capacity: 256) { ring in
        await withThrowingTaskGroup(of: Void.self) { group in
            // Samples the state often enough to see each transition the faults cause.
            group.addTask {
                while !Task.isCancelled {
                    let state = source.status.state
                    states.record(state)
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                ring.finish()
            }
            var received = 0
            for await frame in ring {
                emit(FrameLine(sequence: frame.sequence, width: frame.width, height: frame.height,
                               channels: frame.channels, format: frame.pixelFormat.description,
                               hash: fnv1a(frame.pixels), timestamp: frame.timestamp))
                received += 1
                if received == wanted { break }
            }
            group.cancelAll()
            return (ring.droppedCount, received < wanted)
        }
    }
    states.record(source.status.state)
    // Read back through a fresh open, as an operator's probe would.
    let controls = arguments.contains("--probe-after")
        ? Dictionary(try CameraProbe.probe(device).controls.map { ($0.name, $0.value ?? -1) }) { a, _ in a }
        : nil
    emit(Summary(status: source.status, ringDropped: ringDropped, states: states.all,
                 timedOut: timedOut, controls: controls))
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "stream" where arguments.count >= 3:
    try await stream(device: arguments[1], frames: Int(arguments[2])!, arguments: arguments)
case "probe" where arguments.count >= 2:
    emit(try CameraProbe.probe(arguments[1]))
default:
    FileHandle.standardError.write(Data("usage: CaptureHarness stream DEVICE FRAMES [options] | probe DEVICE\n".utf8))
    exit(2)
}
