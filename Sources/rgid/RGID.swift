import ArgumentParser
import Daemon
import Engine
import Foundation
import Logging

/// `rgid`: the inspection daemon. Parses arguments, picks the log backend and runs `Daemon`.
@main
struct RGID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rgid",
        abstract: "The rgi visual-inspection daemon: camera → R-RGI inspection → reports and journal.",
        discussion: """
            Runs in the foreground. Under systemd (Type=notify) it reports READY=1, STATUS= and \
            WATCHDOG=1 and logs to the journal; otherwise it logs to stderr. SIGTERM or SIGINT \
            drains (queued frames are inspected and their reports written) and exits 0; SIGHUP \
            reloads the products and their models from the configuration.
            """,
        version: Daemon.version)

    @Option(help: "Configuration file (TOML), e.g. /etc/rgid/rgid.toml.")
    var config = "/etc/rgid/rgid.toml"

    @Flag(help: "With a replay camera that does not loop: drain and exit 0 after the last frame.")
    var exitAfterReplay = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // GEMMs on the engine's worker pool: inspections ran faster and steadier that way than on
        // OpenBLAS's own threads (docs/PERFORMANCE.md).
        BLAS.threading = .workerPool
        // The journal is the log when systemd connected stderr to it.
        let underJournal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = underJournal
                ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rgid")
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(config)
        } catch {
            logger.critical("\(error.description)")
            throw ExitCode(78)  // EX_CONFIG: systemd does not restart on it (RestartPreventExitStatus)
        }
        var options = Daemon.Options()
        options.exitAfterReplay = exitAfterReplay
        let daemon = Daemon(configuration: configuration, options: options,
                            events: EventLog(logger: logger, alsoLog: !underJournal))
        do {
            try await daemon.run()
        } catch {
            logger.critical("\(error.description)")
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
