import Foundation
import Imaging
import Inspection

/// A fresh folder under the system temp folder, removed with everything in it on deinit.
final class TemporaryFolder {
    let path: String

    init() throws {
        // No doubled slash, so paths built here equal the ones the code under test builds.
        var base = NSTemporaryDirectory()
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/rgi-alerting-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Sorted names in `folder`, hidden ones included (temporaries must show up here).
func names(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// A deterministic pseudo-random sequence (xorshift), so failures reproduce.
struct Pattern {
    var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 24) }

    /// In [0, 1).
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

/// An inspection result with one rectangular defect at (x, y, w, h): noisy frame, scores in
/// [0, 0.3) outside and [0.5, 2.5) inside the defect, restored = frame with the defect area
/// filled grey.
func sampleResult(
    product: String = "brick", width: Int = 40, height: Int = 30, channels: Int = 1,
    defect: (x: Int, y: Int, w: Int, h: Int)? = (10, 8, 7, 5), sequence: UInt64 = 42,
    capturedAt: Date = Date(timeIntervalSince1970: 1_750_000_000.25), seed: UInt64 = 1
) throws -> InspectionResult {
    var random = Pattern(seed: seed)
    let pixels = (0..<(width * height * channels)).map { _ in random.byte() }
    let image = try Image(width: width, height: height, channels: channels, pixels: pixels)
    var mask = [UInt8](repeating: 0, count: width * height)
    var scores = (0..<(width * height)).map { _ in random.unit() * 0.3 }
    var restored = image
    var regions = [DefectRegion]()
    if let d = defect {
        var peak: Float = 0, sum: Float = 0
        for y in d.y..<(d.y + d.h) {
            for x in d.x..<(d.x + d.w) {
                let i = y * width + x
                mask[i] = 255
                scores[i] = 0.5 + 2 * random.unit()
                peak = max(peak, scores[i]); sum += scores[i]
                for c in 0..<channels { restored.pixels[i * channels + c] = 128 }
            }
        }
        regions = [DefectRegion(x: d.x, y: d.y, width: d.w, height: d.h, area: d.w * d.h,
                                peakScore: peak, meanScore: sum / Float(d.w * d.h))]
    }
    return InspectionResult(
        product: product, modelVersion: "brick-2025-06-01", mode: "r-rgi",
        frame: FrameInfo(sequence: sequence, camera: "/dev/video0", capturedAt: capturedAt),
        image: image, scores: ScoreMap(width: width, height: height, values: scores), mask: mask,
        restored: restored, imageScore: defect == nil ? 0.21 : 1.75,
        decision: defect == nil ? .ok : .defect, regions: regions,
        thresholds: Thresholds(pixel: 0.4, minArea: 6, image: 0.5),
        timings: Timings(preprocessMs: 1.5, solveMs: 120.25, restoreMs: 80.5, postprocessMs: 2, totalMs: 204.25))
}

/// Runs Python with the interpreter `make test` prepares (`RGI_PYTHON`: a venv holding
/// Tests/requirements.txt), or `python3` from PATH; returns the exit status and what it printed.
func runPython(_ script: String, arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [ProcessInfo.processInfo.environment["RGI_PYTHON"] ?? "python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// A tmpfs of `size` (e.g. "8k") mounted on a fresh folder, for disk-full and read-only
/// failures: tests run as root, so permissions cannot make a write fail. Needs CAP_SYS_ADMIN.
final class TinyTmpfs {
    let folder: TemporaryFolder
    var path: String { folder.path }

    init(size: String) throws {
        folder = try TemporaryFolder()
        guard mount("tmpfs", folder.path, "tmpfs", 0, "size=\(size),mode=0755") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    func makeReadOnly() throws {
        guard mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), nil) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    deinit { umount2(path, Int32(MNT_DETACH)) }

    /// Whether this process may mount at all (root with CAP_SYS_ADMIN, not a locked-down CI).
    static let available: Bool = (try? TinyTmpfs(size: "4k")) != nil
}
