import Foundation

/// The built `rgid` and `rgictl`, beside the test bundle in the build folder, run as child
/// processes.
enum Binaries {
    static let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    static var rgid: String { folder.appendingPathComponent("rgid").path }
    static var rgictl: String { folder.appendingPathComponent("rgictl").path }

    struct Output {
        var status: Int32
        /// stdout and stderr together.
        var text: String
    }

    /// Runs to completion; output goes through a file, so a chatty child never blocks on a pipe.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("rgi-e2e-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return Output(status: process.terminationStatus, text: try String(contentsOf: log, encoding: .utf8))
    }

    static func rgictl(_ arguments: String...) throws -> Output { try run(rgictl, arguments) }

    /// `rgictl train` of the suites' tiny model (32-px tiles, width 8, latent 16, batch 4, one critic
    /// crop per image): seconds to train, and nothing a test asserts depends on its quality.
    static func trainTinyModel(data: String, out: String, steps: Int, seconds: Int = 120, holdout: String,
                               _ extra: String...) throws -> Output {
        try run(rgictl, ["train", "--data", data, "--out", out, "--tile", "32", "--width", "8", "--latent", "16",
                         "--batch", "4", "--steps", String(steps), "--seconds", String(seconds),
                         "--holdout", holdout, "--critic-crops", "1"] + extra)
    }
}
