import Foundation

/// Disk use of the daemon's reports folder, for `rgictl status`.
public struct ReportUsage: Codable, Equatable, Sendable {
    /// Bytes of the files in report folders (apparent sizes; index pages not counted).
    public var bytes: Int64
    public var reports: Int
    /// Modification times of the oldest and newest report folders.
    public var oldest: Date?
    public var newest: Date?

    public init(bytes: Int64, reports: Int, oldest: Date?, newest: Date?) {
        self.bytes = bytes; self.reports = reports; self.oldest = oldest; self.newest = newest
    }
}
