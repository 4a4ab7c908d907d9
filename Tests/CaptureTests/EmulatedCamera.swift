import Foundation
import Imaging

/// One emulated V4L2 camera for a test: payload files in a fresh folder, the emulator shim
/// (built once per test run from Tests/V4L2Emulator), and a way to run a real Capture process
/// against it.
struct EmulatedCamera {
    var format: String
    var width: Int
    var height: Int
    /// Paced like a camera, fast enough that a thousand frames take a second.
    var fps = 1000
    var faults: [String] = []
    var absentMilliseconds = 0
    var controls = true
    /// Padding bytes after each row (payloads must include them).
    var rowPadding = 0
    /// A path nothing else uses, so the emulator owns it outright.
    let devicePath: String
    let folder: URL

    init(format: String, width: Int, height: Int, payloads: [[UInt8]]) throws {
        self.format = format
        self.width = width
        self.height = height
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rgi-emu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("frames"),
                                                withIntermediateDirectories: true)
        devicePath = folder.appendingPathComponent("video0").path
        // A plain file, so a directory scan (`rgictl camera list`) finds the node; opening it
        // under the emulator reaches the emulated device, not the file.
        guard FileManager.default.createFile(atPath: devicePath, contents: nil) else {
            throw HarnessFailure(message: "cannot create \(devicePath)")
        }
        for (index, payload) in payloads.enumerated() {
            let name = String(format: "%04d.raw", index)
            try Data(payload).write(to: folder.appendingPathComponent("frames").appendingPathComponent(name))
        }
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = Emulator.library
        environment["RGI_EMU_DEVICE"] = devicePath
        environment["RGI_EMU_FORMAT"] = format
        environment["RGI_EMU_SIZE"] = "\(width)x\(height)"
        environment["RGI_EMU_FPS"] = String(fps)
        environment["RGI_EMU_PACE"] = "1"
        environment["RGI_EMU_FRAMES"] = folder.appendingPathComponent("frames").path
        environment["RGI_EMU_FAULTS"] = faults.joined(separator: ",")
        environment["RGI_EMU_ABSENT_MS"] = String(absentMilliseconds)
        environment["RGI_EMU_NO_CONTROLS"] = controls ? "0" : "1"
        environment["RGI_EMU_PAD"] = String(rowPadding)
        return environment
    }

    /// Runs `executable` (a product of this package) under the emulator; returns its output.
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Emulator.products.appendingPathComponent(executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the child forever.
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Streams `frames` frames through the real V4L2Source in CaptureHarness.
    func stream(_ frames: Int, _ options: [String] = []) throws -> StreamResult {
        let result = try run("CaptureHarness", ["stream", devicePath, String(frames)] + options)
        guard result.status == 0 else {
            throw HarnessFailure(message: "CaptureHarness exited \(result.status): \(result.stderr)")
        }
        return try StreamResult(output: result.stdout)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

struct HarnessFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What CaptureHarness printed: one line per frame, then a summary.
struct StreamResult {
    struct FrameLine: Decodable {
        var sequence: UInt64
        var width: Int
        var height: Int
        var channels: Int
        var format: String
        var hash: String
        var timestamp: UInt64
    }

    struct Status: Decodable {
        var state: String
        var frames: UInt64
        var droppedFrames: UInt64
        var corruptFrames: UInt64
        var reconnects: UInt64
        var stalls: UInt64
        var mode: String?
        var lastError: String?
        var warnings: [String]
    }

    struct Summary: Decodable {
        var status: Status
        var ringDropped: UInt64
        var states: [String]
        var timedOut: Bool
        /// Control values read back from the device after streaming (`--probe-after`).
        var controls: [String: Int]?
    }

    var frames: [FrameLine] = []
    var summary: Summary

    init(output: String) throws {
        let decoder = JSONDecoder()
        var summary: Summary?
        for line in output.split(separator: "\n") {
            let data = Data(line.utf8)
            if line.contains("\"hash\"") {
                frames.append(try decoder.decode(FrameLine.self, from: data))
            } else {
                summary = try decoder.decode(Summary.self, from: data)
            }
        }
        guard let summary else { throw HarnessFailure(message: "no summary in output:\n\(output.suffix(2000))") }
        self.summary = summary
    }
}

enum Emulator {
    /// The folder holding this package's built products (next to the test bundle).
    static let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    /// Tests/V4L2Emulator/v4l2_emulator.c compiled to a shared object, once per test run, removed at exit.
    static let library: String = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("V4L2Emulator/v4l2_emulator.c")
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("rgi-v4l2-emulator-\(getpid()).so")
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["clang", "-shared", "-fPIC", "-O2", "-o", output.path, source.path]
        try! compiler.run()
        compiler.waitUntilExit()
        precondition(compiler.terminationStatus == 0, "cannot build the V4L2 emulator from \(source.path)")
        atexit { try? FileManager.default.removeItem(atPath: Emulator.library) }
        return output.path
    }()
}

/// FNV-1a over pixels, the same digest CaptureHarness prints.
func fnv1a(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16)
}
