import Alerting
import Logging

/// Where service events and defects go: the journal as structured entries (through
/// `sd_journal_send`, with their MESSAGE_IDs), and the log. Under systemd the log is the journal
/// too, so events are not logged a second time there.
public struct EventLog: Sendable {
    public let logger: Logger
    let journal: JournalSink
    /// False when the logger itself writes to the journal.
    let alsoLog: Bool

    public init(logger: Logger, journal: JournalSink = JournalSink(), alsoLog: Bool) {
        self.logger = logger; self.journal = journal; self.alsoLog = alsoLog
    }

    public func emit(_ event: ServiceEvent) {
        if alsoLog {
            logger.log(level: event.priority <= 3 ? .error : .notice, "\(event.message)")
        }
        do { try journal.service(event) } catch { logger.error("\(error.description)") }
    }

    func defect(_ report: DefectReport, path: String) {
        if alsoLog {
            logger.warning("defect on \(report.product): score \(report.imageScore), \(report.regions.count) region(s), frame \(report.frame.sequence) → \(path)")
        }
        do { try journal.defect(report, reportPath: path) } catch { logger.error("\(error.description)") }
    }
}
