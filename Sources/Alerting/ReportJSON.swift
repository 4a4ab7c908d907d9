import Foundation

/// The one JSON dialect of `report.json`, for writing and reading alike: snake_case keys,
/// sorted and indented for people reading it, timestamps in ISO 8601 with milliseconds and the
/// local UTC offset (the same clock as the folder names), and non-finite scores as the strings
/// "NaN"/"Infinity", which Python's `float()` reads, rather than a failed report.
public enum ReportJSON {
    public static func encode(_ report: DefectReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatter().string(from: date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: infinity, negativeInfinity: "-" + infinity, nan: nan)
        return Array(try encoder.encode(report)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> DefectReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = formatter().date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an ISO 8601 time with milliseconds")
            }
            return date
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: infinity, negativeInfinity: "-" + infinity, nan: nan)
        return try decoder.decode(DefectReport.self, from: Data(bytes))
    }

    private static let infinity = "Infinity"
    private static let nan = "NaN"

    /// A new formatter per use: ISO8601DateFormatter is a class without Sendable, and reports
    /// are written far less often than it costs to make one.
    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = .current
        return formatter
    }
}
