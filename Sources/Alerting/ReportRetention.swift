import Foundation

/// Keeps the daemon's reports folder (`<root>/YYYY-MM-DD/<report>/`) under a total size and a
/// maximum age by deleting the oldest report folders first. Age and order come from each report
/// folder's modification time (when its files were written); equal times go by path.
/// Run `prune` on the same queue as `ReportWriter.write(_:underRoot:)`: it removes day folders
/// that hold no report, which a concurrent writer may just have created.
public struct ReportRetention: Sendable {
    public var root: String
    /// Reports beyond this many bytes in total are removed, oldest first; nil: no limit.
    public var maxBytes: Int64?
    /// Reports older than this are removed; nil: no limit.
    public var maxAge: Duration?
    /// Hidden `.*.tmp-*` folders older than this are leftovers of a crash mid-write, not a
    /// write in progress (one report takes milliseconds to write).
    public var staleTemporaryAge: Duration

    public init(root: String, maxBytes: Int64?, maxAge: Duration?, staleTemporaryAge: Duration = .seconds(3600)) {
        self.root = root; self.maxBytes = maxBytes; self.maxAge = maxAge
        self.staleTemporaryAge = staleTemporaryAge
    }

    public func usage() throws(ReportError) -> ReportUsage {
        Self.usage(of: try scan().reports)
    }

    /// Removes reports older than `maxAge`, then the oldest until at most `maxBytes` remain,
    /// then day folders left without reports and stale temporaries. A missing root is an empty
    /// one (nothing was reported yet).
    @discardableResult
    public func prune(now: Date = Date()) throws(ReportError) -> PruneOutcome {
        let found = try scan()
        var kept = found.reports
        var removed = [StoredReport]()
        if let maxAge {
            let cutoff = now.addingTimeInterval(-Self.seconds(maxAge))
            removed = kept.filter { $0.modified < cutoff }
            kept.removeFirst(removed.count)
        }
        if let maxBytes {
            var total = kept.reduce(Int64(0)) { $0 + $1.bytes }
            while total > maxBytes, let oldest = kept.first {
                removed.append(oldest)
                total -= oldest.bytes
                kept.removeFirst()
            }
        }
        for report in removed { try FileTree.remove(report.path) }
        let staleCutoff = now.addingTimeInterval(-Self.seconds(staleTemporaryAge))
        let (stale, live) = (found.temporaries.filter { $0.modified < staleCutoff },
                             found.temporaries.filter { $0.modified >= staleCutoff })
        for temporary in stale { try FileTree.remove(temporary.path) }
        // A day holding a write in progress keeps its folder.
        let daysInUse = Set(kept.map(\.day) + live.map(\.day))
        let emptied = found.days.filter { !daysInUse.contains($0) }
        for day in emptied { try FileTree.remove(root + "/" + day) }
        return PruneOutcome(removed: removed.map(\.path), freedBytes: removed.reduce(0) { $0 + $1.bytes },
                            removedDays: emptied, staleTemporaries: stale.map(\.path), usage: Self.usage(of: kept))
    }

    struct StoredReport {
        var path: String
        var day: String
        var modified: Date
        var bytes: Int64
    }

    private struct Scan {
        var days: [String] = []
        /// Oldest first.
        var reports: [StoredReport] = []
        var temporaries: [StoredReport] = []
    }

    private func scan() throws(ReportError) -> Scan {
        var result = Scan()
        guard FileManager.default.fileExists(atPath: root) else { return result }
        let days = try FileTree.entries(of: root).filter { $0.isFolder && DatedReportName.isDay($0.name) }
        for day in days.map(\.name).sorted() {
            result.days.append(day)
            let folder = root + "/" + day
            for entry in try FileTree.entries(of: folder) where entry.isFolder {
                let path = folder + "/" + entry.name
                let modified = Date(timeIntervalSince1970: Double(entry.modified.tv_sec)
                                    + Double(entry.modified.tv_nsec) / 1e9)
                if entry.name.hasPrefix(".") {
                    guard entry.name.contains(".tmp-") else { continue }
                    result.temporaries.append(StoredReport(path: path, day: day, modified: modified, bytes: 0))
                    continue
                }
                result.reports.append(StoredReport(path: path, day: day, modified: modified,
                                                   bytes: try FileTree.size(of: path)))
            }
        }
        result.reports.sort { ($0.modified, $0.path) < ($1.modified, $1.path) }
        return result
    }

    private static func usage(of reports: [StoredReport]) -> ReportUsage {
        ReportUsage(bytes: reports.reduce(0) { $0 + $1.bytes }, reports: reports.count,
                    oldest: reports.map(\.modified).min(), newest: reports.map(\.modified).max())
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
