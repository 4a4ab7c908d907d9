import Foundation

/// JSON as the control socket speaks it: snake_case keys, ISO 8601 dates, one object per line.
public enum ControlCoding {
    /// Requests longer than this are refused (and the connection closed): no client needs more,
    /// and a peer must not make the daemon buffer without bound.
    public static let maxRequestBytes = 64 * 1024

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(line))
    }
}
