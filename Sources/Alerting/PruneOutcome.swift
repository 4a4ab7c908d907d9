/// What one `ReportRetention.prune` removed and what is left.
public struct PruneOutcome: Equatable, Sendable {
    /// Report folders removed, oldest first.
    public var removed: [String]
    public var freedBytes: Int64
    /// Day folders (`YYYY-MM-DD`) removed because no report was left in them: the top-level
    /// index must drop them.
    public var removedDays: [String]
    /// Hidden temporaries of interrupted writes that were cleared away.
    public var staleTemporaries: [String]
    public var usage: ReportUsage
}
