/// The `[reports]` section: where defect reports go and how long they stay.
public struct ReportsConfiguration: Sendable, Equatable {
    public var folder: String
    /// Retention: the oldest reports are removed beyond this total size; nil: no limit.
    public var maxBytes: Int64?
    /// Retention: reports older than this are removed; nil: no limit.
    public var maxAge: Duration?
    /// Inspected defective frames waiting to be written; beyond it reports are dropped and
    /// counted, because inspection must never wait for a slow disk.
    public var queue: Int
    /// Rewrite the HTML index pages after each report.
    public var index: Bool

    public init(folder: String, maxBytes: Int64? = nil, maxAge: Duration? = nil, queue: Int = 32, index: Bool = true) {
        self.folder = folder; self.maxBytes = maxBytes; self.maxAge = maxAge; self.queue = queue; self.index = index
    }

    static func read(_ section: ConfigSection, paths: ConfigPaths) throws(ConfigError) -> ReportsConfiguration {
        var r = ReportsConfiguration(folder: paths.resolve(try section.requiredString("folder")))
        r.maxBytes = try section.integer("max_bytes", in: 1...Int.max).map(Int64.init)
        r.maxAge = try section.number("max_age_days", in: 0.000001...36_500).map { .seconds($0 * 86_400) }
        r.queue = try section.integer("queue", in: 1...100_000) ?? r.queue
        r.index = try section.bool("index") ?? r.index
        try section.finish()
        return r
    }
}
