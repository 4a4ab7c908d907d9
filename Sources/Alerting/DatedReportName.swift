import Foundation

/// Names in the daemon's layout `reports/YYYY-MM-DD/<HHMMSS>-<product>-<seq>/`, in local time
/// (the clock the operators read; `report.json` carries the UTC offset). Names sort by time
/// within a day.
public struct DatedReportName: Equatable, Sendable {
    /// `YYYY-MM-DD`.
    public var day: String
    /// `HHMMSS-<product>-<seq>`, the product reduced to letters, digits, `.`, `_` and `-`.
    public var folder: String

    public init(capturedAt: Date, product: String, sequence: UInt64, timeZone: TimeZone = .current) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: capturedAt)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        day = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))"
        folder = "\(two(parts.hour))\(two(parts.minute))\(two(parts.second))-\(Self.safe(product))-\(sequence)"
    }

    /// Product names come from configuration, but a folder name must not hold `/`, start with
    /// `.` (hidden names are temporaries) or grow past a sane length.
    static func safe(_ product: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var name = String(product.prefix(64).map { allowed.contains($0) ? $0 : "_" })
        if name.isEmpty || name.hasPrefix(".") { name = "_" + name }
        return name
    }

    /// Whether `name` looks like a day folder, `YYYY-MM-DD`.
    static func isDay(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 10 else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
