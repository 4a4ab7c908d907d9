// DaemonBenchmark: the real rgid, run as an operator runs it, on the bundled model: sustained
// frames/s and per-frame latency p50/p95/p99 (capture → result, and inspection alone) at 128×128
// and at 1280×1024 frames, and rgid's resident memory with one and with four products loaded.
//
//   swift build -c release --product rgid && swift build -c release --product DaemonBenchmark
//   .build/release/DaemonBenchmark --model models/brick --frames demo/frames [--output docs/PERFORMANCE.md]
//                                  [--small-frames 200] [--large-frames 4] [--rgid PATH]
//
// For each frame size the benchmark writes a configuration into a temporary folder (a looping
// replay camera, four products that are copies of the bundle, reports in that folder), starts
// the rgid built next to it, and reads every figure from the daemon itself: its `status` answer
// on the control socket (what `rgictl status --json` prints) and /proc/<pid>/status. Products
// are switched with the control socket's `use`, as `rgictl product use` does.
import BenchmarkSupport
import Daemon
import Foundation
import Imaging
import Inspection
import RGI

/// What to run, from the command line.
struct Arguments {
    var model: String
    var frames: String
    var output: String?
    var smallFrames: Int
    var largeFrames: Int
    var rgid: String

    init(_ arguments: [String]) {
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        model = option("--model") ?? "models/brick"
        frames = option("--frames") ?? "demo/frames"
        output = option("--output")
        // Nearest-rank p99 is the slowest frame below 100 frames.
        smallFrames = option("--small-frames").flatMap(Int.init) ?? 200
        largeFrames = option("--large-frames").flatMap(Int.init) ?? 4
        // `swift build --product rgid` with the same configuration puts rgid beside this executable.
        rgid = option("--rgid") ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("rgid").path
    }
}

/// One frame size to measure.
struct Scenario {
    var width: Int
    var height: Int
    /// The replay folder (looped).
    var folder: String
    /// The replay camera's rate: above what inspection sustains, so inspection never waits for a
    /// frame, and low enough that decoding the replay's PNGs takes little of the shared CPU.
    var cameraFPS: Double
    /// Frames of the first product the figures are measured over, after its first frame.
    var frames: Int

    var name: String { "\(width)×\(height)" }
}

/// Camera-sized frames made of one demo frame repeated and mirrored, so that neighbouring copies
/// meet without a seam (a seam would look like a defect).
enum MirroredMosaic {
    static func make(from tile: Image, width: Int, height: Int) throws -> Image {
        let grey = tile.grey()
        let source = grey.pixels
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let row = mirror(y, grey.height) * grey.width
            for x in 0..<width { pixels[y * width + x] = source[row + mirror(x, grey.width)] }
        }
        return try Image(width: width, height: height, channels: 1, pixels: pixels)
    }

    private static func mirror(_ i: Int, _ n: Int) -> Int {
        let r = i % (2 * n)
        return r < n ? r : 2 * n - 1 - r
    }
}

/// A temporary folder: the large frames, or one daemon run's product bundles, configuration,
/// socket, log and reports. Removed by `remove()`, not on deinit: rgid reads it after the
/// benchmark's last use of this object.
final class Workspace {
    let root: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "rgi-daemon-bench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        root = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// `count` copies of the bundle, one per product: each product loads its own bundle.
    func products(copying model: String, count: Int) throws -> [(name: String, path: String)] {
        try (1...count).map { number in
            let product = (name: "brick\(number)", path: root + "/models/brick\(number)")
            try FileManager.default.createDirectory(atPath: root + "/models", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: model, toPath: product.path)
            return product
        }
    }

    /// The daemon's defaults except: all products stay loaded (`models_in_memory`), and the
    /// camera queue holds one frame, so that a frame waits at most one camera interval for
    /// inspection and the capture → result latency is the inspection's plus that wait.
    func configuration(_ scenario: Scenario, products: [(name: String, path: String)]) throws -> String {
        var text = """
            [daemon]
            product = "\(products[0].name)"
            control_socket = "\(socket)"
            models_in_memory = \(products.count)

            [camera]
            source = "replay"
            folder = "\(scenario.folder)"
            loop = true
            fps = \(scenario.cameraFPS)
            queue = 1

            [reports]
            folder = "\(root)/reports"

            """
        for product in products {
            text += "\n[products.\(product.name)]\nmodel = \"\(product.path)\"\n"
        }
        let file = root + "/rgid.toml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    var socket: String { root + "/rgid.sock" }
    var log: String { root + "/rgid.log" }
}

/// rgid journals its defects and events through /run/systemd/journal/socket. The test suites
/// that stand in for journald bind that socket while holding an exclusive flock on its folder;
/// holding the lock while our rgid runs keeps its entries out of their listener. (With a real
/// journald the entries are journalled: identifier rgid, camera `replay:` a temporary folder.)
final class JournalTurn {
    private let lock: Int32

    init() {
        lock = open("/run/systemd/journal", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { flock(lock, LOCK_EX) }
    }

    func release() { if lock >= 0 { close(lock) } }
}

/// VmRSS (resident now) and VmHWM (the peak so far) of a process, from /proc/<pid>/status.
struct ResidentMemory {
    var rssKiB: Int
    var peakKiB: Int

    init(pid: Int32) throws {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kiB(_ key: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix(key + ":") }?
                .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = kiB("VmRSS"), let peak = kiB("VmHWM") else {
            throw BenchmarkError("no VmRSS/VmHWM in /proc/\(pid)/status")
        }
        rssKiB = rss
        peakKiB = peak
    }
}

/// CPU time used by one process and by the whole machine: how much of the cores rgid had while
/// it was measured, and how much other work took.
struct CPUSample {
    var process: Double
    var machineBusy: Double

    init(pid: Int32) throws {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // /proc/<pid>/stat: utime and stime are fields 14 and 15; the command name before them
        // may hold spaces, so count from its closing parenthesis.
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchmarkError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchmarkError("unreadable /proc/\(pid)/stat")
        }
        process = (user + system) / ticks
        // /proc/stat, first line: user nice system idle iowait irq softirq steal …
        let machine = try String(contentsOfFile: "/proc/stat", encoding: .utf8).split(separator: "\n")[0]
            .split(separator: " ").dropFirst().compactMap { Double($0) }
        guard machine.count >= 8 else { throw BenchmarkError("unreadable /proc/stat") }
        machineBusy = (machine[0..<8].reduce(0, +) - machine[3] - machine[4]) / ticks
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// rgid as a child process, asked over its control socket.
final class RunningDaemon {
    private let process = Process()
    private let client: ControlClient
    private let log: String

    init(rgid: String, config: String, socket: String, log: String) throws {
        self.log = log
        // A `use` waits for the frame being inspected, which takes a minute at 1280×1024.
        client = ControlClient(path: socket, timeoutSeconds: 900)
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw BenchmarkError("cannot create \(log)") }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        var environment = ProcessInfo.processInfo.environment
        // Not under systemd: log to stderr (the log file), no notify socket, no watchdog.
        for key in ["NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment[key] = nil }
        process.executableURL = URL(fileURLWithPath: rgid)
        process.arguments = ["--config", config]
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// SIGKILL rather than SIGTERM: a drain would inspect the queued frame for another minute
    /// at 1280×1024, and the figures have been read.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls the status every 50 ms until `condition` holds; returns that status and when it was read.
    func wait(for what: String, _ condition: (DaemonStatus) -> Bool) throws -> (DaemonStatus, ContinuousClock.Instant) {
        while true {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw BenchmarkError("rgid exited (\(process.terminationStatus)) while waiting for \(what):\n\(text)")
            }
            // Refused until the daemon has loaded its model and opened the socket.
            if let status = try? client.send(ControlRequest(command: .status)).status, condition(status) {
                return (status, .now)
            }
            usleep(50_000)
        }
    }

    func use(_ product: String) throws {
        let response = try client.send(ControlRequest(command: .use, product: product))
        guard response.ok else { throw BenchmarkError("use \(product): \(response.error ?? "refused")") }
    }
}

extension DaemonStatus {
    func product(_ name: String) -> Product? { products.first { $0.name == name } }
    func frames(of name: String) -> UInt64 { product(name)?.frames ?? 0 }
    var loadedModels: Int { products.filter { $0.model == "loaded" }.count }
}

/// What one daemon run measured.
struct Measurement {
    var scenario: Scenario
    var tilesPerFrame: Int
    /// The first product's figures when its measured frames were done.
    var product: DaemonStatus.Product
    var framesPerSecond: Double
    /// Frames the rate is measured over (the first frame's result starts the clock).
    var rateFrames: UInt64
    var rgidCores: Double
    var otherCores: Double
    var oneProduct: ResidentMemory
    var fourProducts: ResidentMemory
}

func measure(_ scenario: Scenario, arguments: Arguments, tilesPerFrame: Int) throws -> Measurement {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let products = try workspace.products(copying: arguments.model, count: 4)
    let config = try workspace.configuration(scenario, products: products)
    let turn = JournalTurn()
    defer { turn.release() }
    let daemon = try RunningDaemon(rgid: arguments.rgid, config: config, socket: workspace.socket, log: workspace.log)
    defer { daemon.stop() }
    let first = products[0].name

    // The clock starts at the first result, so model loading and the first frame's buffer
    // allocation are not in the rate; they are in the latency window (the daemon's own).
    let (warm, warmAt) = try daemon.wait(for: "the first frame of \(first)") { $0.frames(of: first) >= 1 }
    let cpuBefore = try CPUSample(pid: daemon.pid)
    let target = warm.frames(of: first) + UInt64(scenario.frames)
    let (done, doneAt) = try daemon.wait(for: "\(scenario.frames) frames of \(first)") { $0.frames(of: first) >= target }
    let cpuAfter = try CPUSample(pid: daemon.pid)
    let oneProduct = try ResidentMemory(pid: daemon.pid)
    guard done.loadedModels == 1 else { throw BenchmarkError("\(done.loadedModels) models loaded, expected 1") }

    // Each further product inspects a frame, so its inspector's buffers exist too.
    for product in products.dropFirst() {
        try daemon.use(product.name)
        _ = try daemon.wait(for: "a frame of \(product.name)") { $0.frames(of: product.name) >= 1 }
    }
    let fourProducts = try ResidentMemory(pid: daemon.pid)
    let last = try daemon.wait(for: "the final status") { _ in true }.0
    guard last.loadedModels == 4 else { throw BenchmarkError("\(last.loadedModels) models loaded, expected 4") }

    let (seconds, attoseconds) = (doneAt - warmAt).components
    let elapsed = Double(seconds) + Double(attoseconds) / 1e18
    let rateFrames = done.frames(of: first) - warm.frames(of: first)
    return Measurement(
        scenario: scenario, tilesPerFrame: tilesPerFrame, product: done.product(first)!,
        framesPerSecond: Double(rateFrames) / elapsed, rateFrames: rateFrames,
        rgidCores: (cpuAfter.process - cpuBefore.process) / elapsed,
        // The process's own times and the machine's per-CPU ticks are accounted apart, so on an idle
        // machine their difference can come out a little below zero: no other work, not negative work.
        otherCores: max(0, (cpuAfter.machineBusy - cpuBefore.machineBusy - (cpuAfter.process - cpuBefore.process)) / elapsed),
        oneProduct: oneProduct, fourProducts: fourProducts)
}

// MARK: report

/// A run takes minutes: progress shows as it happens, in a block-buffered log too.
func progress(_ line: String) {
    print(line)
    fflush(nil)
}

func ms(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "–" }
func mib(_ kiB: Int) -> String { String(format: "%.0f", Double(kiB) / 1024) }
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
}

func speedRow(_ m: Measurement) -> String {
    let p = m.product
    // The daemon's percentiles cover at most its window's capacity of recent frames.
    let window = min(p.frames, UInt64(LatencyWindow().capacity))
    return "| \(m.scenario.name) | \(m.tilesPerFrame) | \(window) | \(String(format: "%.3f", m.framesPerSecond)) (\(m.rateFrames)) "
        + "| \(ms(p.sinceCaptureP50Ms)) | \(ms(p.sinceCaptureP95Ms)) | \(ms(p.sinceCaptureP99Ms)) "
        + "| \(ms(p.latencyP50Ms)) | \(ms(p.latencyP95Ms)) | \(ms(p.latencyP99Ms)) "
        + "| \(String(format: "%.2f", m.rgidCores)) | \(String(format: "%.2f", m.otherCores)) | \(p.defects) |"
}

func memoryRow(_ m: Measurement) -> String {
    "| \(m.scenario.name) | \(mib(m.oneProduct.rssKiB)) | \(mib(m.oneProduct.peakKiB)) "
        + "| \(mib(m.fourProducts.rssKiB)) | \(mib(m.fourProducts.peakKiB)) |"
}

// MARK: main

/// Measures both frame sizes; returns the section for docs/PERFORMANCE.md.
func run(_ arguments: Arguments) throws -> String {
    let bundle = try ModelBundle.load(from: arguments.model)
    // The inspector rgid makes for a product without overrides: the bundle's solver settings.
    let tilesPerBatch = ProductConfiguration(name: "", model: "").maxTiles
    let detector = Inspector(bundle: bundle, maxTiles: tilesPerBatch).detector
    let demoFrames = try ImageFile.imagePaths(in: arguments.frames)
    let loadAtStart = loadAverage()

    // 1280×1024 frames: each demo frame mirrored to the camera's size, so that good and defective
    // parts come in the demo's proportion; the replay loops over them.
    let largeFrames = try Workspace()
    defer { largeFrames.remove() }
    let demo = try demoFrames.map { try ImageFile.read($0) }
    for (number, image) in demo.enumerated() {
        let frame = try MirroredMosaic.make(from: image, width: 1280, height: 1024)
        try PNG.write(frame, to: largeFrames.root + String(format: "/%02d.png", number))
    }
    let scenarios = [
        // Absolute: relative paths in the generated configuration would be relative to its folder.
        Scenario(width: demo[0].width, height: demo[0].height, folder: URL(fileURLWithPath: arguments.frames).standardizedFileURL.path,
                 cameraFPS: 30, frames: arguments.smallFrames),
        Scenario(width: 1280, height: 1024, folder: largeFrames.root, cameraFPS: 2, frames: arguments.largeFrames),
    ]
    var measurements: [Measurement] = []
    for scenario in scenarios {
        progress("measuring \(scenario.name) frames (\(scenario.frames) after the first)…")
        let m = try measure(scenario, arguments: arguments,
                            tilesPerFrame: detector.tileCount(width: scenario.width, height: scenario.height))
        progress(String(format: "  %.3f frames/s, capture → result p50 %@ ms, rgid %.2f cores, others %.2f cores",
                     m.framesPerSecond, ms(m.product.sinceCaptureP50Ms), m.rgidCores, m.otherCores))
        measurements.append(m)
    }

    let cpuModel = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let solver = bundle.manifest.solver
    let tile = bundle.manifest.architecture.generator.tile
    let fps = scenarios.map { String(format: "%g", $0.cameraFPS) }
    return """
        Measured by `Benchmarks/DaemonBenchmark` on \(cpuModel), \(ProcessInfo.processInfo.activeProcessorCount) cores, shared with other work:
        load average \(loadAtStart) at the start and \(loadAverage()) at the end; the "rgid cores" and "other cores" columns say how
        much CPU rgid and everything else used while rgid was measured. Wall-clock figures move with that load.

        The real `rgid` binary runs each case with its three stages. Capture: a replay camera looping over a folder — at
        \(scenarios[0].name) the \(demoFrames.count) frames of `\(arguments.frames)` at \(fps[0]) frames/s; at \(scenarios[1].name) each of them mirrored and
        repeated to fill the frame (made at run time, in a temporary folder) at \(fps[1]) frames/s. Both rates are above what
        inspection sustains, so inspection never waits: it takes the newest frame from a camera queue of 1 (which frames
        it takes, good or defective, depends on timing). Inspection: `\(arguments.model)`, \(tile)×\(tile) tiles at stride \(solver.stride), \(tilesPerBatch)
        tiles per batch, \(solver.mode.rawValue) with \(solver.steps) steps. Alerting: a report folder and the HTML index for each defective
        frame. Four products are configured, each a copy of the bundle in the temporary folder; the first is measured,
        then `use` switches to each other one for a frame. Every figure is rgid's own: its `status` answer on the
        control socket (as `rgictl status --json` prints it) and `/proc/<pid>/status`.

        "Capture → result" runs from the frame's capture timestamp to its result: inspection plus the wait in the
        camera queue (at most one camera interval here). "Inspection" runs from the frame taken off the queue to its
        result. Percentiles are the daemon's, nearest-rank over the first product's frames, its first frame included:
        with few frames, p95 and p99 are the slowest one. Frames/s counts the results after the first (their number
        in brackets) over the time since the first.

        | frames | tiles per frame | frames in the percentiles | frames/s (frames) | capture → result p50 ms | p95 | p99 | inspection p50 ms | p95 | p99 | rgid cores | other cores | defective frames (reported) |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        \(measurements.map(speedRow).joined(separator: "\n"))

        Resident memory of rgid in MiB (VmRSS now, VmHWM the peak so far): with 1 product loaded, after its measured
        frames; with 4 loaded, after each of the other three inspected a frame.

        | frames | VmRSS, 1 product | VmHWM, 1 product | VmRSS, 4 products | VmHWM, 4 products |
        |---|---:|---:|---:|---:|
        \(measurements.map(memoryRow).joined(separator: "\n"))
        """
}

let arguments = Arguments(CommandLine.arguments)
guard FileManager.default.isExecutableFile(atPath: arguments.rgid) else {
    print("rgid not found at \(arguments.rgid): build it first (swift build -c release --product rgid) or pass --rgid")
    exit(2)
}
do {
    let report = try run(arguments)
    print(report)
    if let output = arguments.output {
        try PerformanceDocument.replaceSection("daemon-benchmark", title: "Daemon (`DaemonBenchmark`)", body: report, in: output)
        print("wrote \(output)")
    }
} catch {
    print("DaemonBenchmark: \(error)")
    exit(1)
}
