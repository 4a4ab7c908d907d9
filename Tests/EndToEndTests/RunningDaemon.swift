import Daemon
import Foundation

/// The real `rgid` binary as a child process, with a NOTIFY_SOCKET the test owns and the
/// watchdog enabled; its log goes to a file that failures print.
final class RunningDaemon {
    let process = Process()
    let notify: DatagramListener
    let socket: String
    let logPath: String

    init(config: String, socket: String, folder: String, arguments: [String] = []) throws {
        self.socket = socket
        notify = try DatagramListener(path: folder + "/notify-\(UUID().uuidString.prefix(8)).sock")
        logPath = folder + "/rgid-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["WATCHDOG_USEC"] = "1000000"
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.removeValue(forKey: "WATCHDOG_PID")
        process.executableURL = URL(fileURLWithPath: Binaries.rgid)
        process.arguments = ["--config", config] + arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            process.interrupt()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func status() throws -> DaemonStatus {
        let out = try Binaries.rgictl("status", "--json", "--socket", socket)
        guard out.status == 0 else { throw TestFailure("rgictl status failed (\(out.status)): \(out.text)") }
        return try ControlCoding.decode(DaemonStatus.self, from: Array(out.text.utf8))
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Polls `condition` every 100 ms until it holds; throws with the daemon's log on timeout.
    func wait(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { throw TestFailure("rgid exited (\(process.terminationStatus)) while waiting for \(what):\n\(log)") }
            if (try? condition()) == true { return }
            usleep(100_000)
        }
        throw TestFailure("timed out waiting for \(what); rgid log:\n\(log)")
    }

    /// Waits for the process to end; nil on timeout.
    func exitStatus(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }
}
