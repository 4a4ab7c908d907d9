import Alerting
import Foundation
import Inspection

/// The alerting stage: for each defective frame a report folder (atomic, dated layout), the
/// day's HTML index, a journal entry, and retention. An actor on its own thread, fed by a
/// bounded queue that inspection never waits on. Disk faults (full, read-only) are logged,
/// journalled and counted, never fatal: the next report tries again.
public actor AlertingStage {
    private let executor = ThreadExecutor(name: "rgid alerting")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let configuration: ReportsConfiguration
    private let writer = ReportWriter()
    private let index: ReportIndex
    private let retention: ReportRetention
    private let board: StatusBoard
    private let events: EventLog
    /// Retention scans the whole folder, so it runs at most this often (and when over size).
    private let pruneInterval: Duration
    private var lastPrune: ContinuousClock.Instant?
    private var bytesSincePrune: Int64 = 0

    public init(configuration: ReportsConfiguration, board: StatusBoard, events: EventLog,
                pruneInterval: Duration = .seconds(30)) {
        self.configuration = configuration
        self.board = board
        self.events = events
        self.pruneInterval = pruneInterval
        index = ReportIndex(root: configuration.folder)
        retention = ReportRetention(root: configuration.folder, maxBytes: configuration.maxBytes,
                                    maxAge: configuration.maxAge)
    }

    /// At start: prune what aged while the daemon was down, and learn the disk use.
    public func prepare() {
        prune()
        if configuration.index {
            do { try index.rebuild() } catch { events.logger.warning("\(error.description)") }
        }
    }

    /// Writes a report for every result until the queue is finished and drained.
    public func run(_ queue: BoundedQueue<InspectionResult>) async {
        while let result = await queue.next() {
            report(result)
        }
    }

    func report(_ result: InspectionResult) {
        do {
            let written = try writer.write(result, underRoot: configuration.folder)
            board.reportWritten(result.product, path: written.path, bytes: written.bytes)
            events.defect(written.report, path: written.path)
            bytesSincePrune += written.bytes
            if configuration.index {
                do { try index.update(after: written) } catch { events.logger.warning("\(error.description)") }
            }
        } catch {
            board.reportFailed(error.description)
            let failures = Int(board.reportFailures)
            let name = DatedReportName(capturedAt: result.frame.capturedAt, product: result.product,
                                       sequence: result.frame.sequence)
            let path = configuration.folder + "/" + name.day + "/" + name.folder
            events.emit(.reportWriteFailed(path: path, reason: error.description, failures: failures))
            // The defect itself is still an event operators must see.
            events.defect(DefectReport(result: result, scoreMapMax: result.scores.maximum), path: path)
        }
        if isPruneDue() { prune() }
    }

    private func isPruneDue() -> Bool {
        guard let lastPrune else { return true }
        if let maxBytes = configuration.maxBytes, bytesSincePrune > 0,
           board.reportBytes > maxBytes { return true }
        return ContinuousClock.now - lastPrune >= pruneInterval
    }

    private func prune() {
        lastPrune = .now
        bytesSincePrune = 0
        do {
            let outcome = try retention.prune()
            board.reportUsage(bytes: outcome.usage.bytes, count: outcome.usage.reports)
            if !outcome.removed.isEmpty {
                events.logger.info("retention removed \(outcome.removed.count) report(s), \(outcome.freedBytes) bytes")
                if configuration.index { try index.rebuild() }
            }
        } catch {
            events.logger.warning("retention: \(error.description)")
        }
    }
}
