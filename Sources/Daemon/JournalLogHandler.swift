internal import CSystemd
import Glibc
import Logging

/// A swift-log backend that writes to the journal natively (`sd_journal_sendv`): the level
/// becomes PRIORITY, metadata becomes upper-case fields, and the source location CODE_FILE,
/// CODE_LINE and CODE_FUNC. Used when systemd runs the daemon (`JOURNAL_STREAM` is set).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let identifier: String

    public init(label: String, identifier: String = "rgid") {
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = ["MESSAGE=\(event.message)", "PRIORITY=\(Self.priority(event.level))",
                      "SYSLOG_IDENTIFIER=\(identifier)", "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)",
                      "CODE_FUNC=\(event.function)"]
        if let error = event.error { fields.append("ERRNO_TEXT=\(error)") }
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields.append("RGI_\(Self.fieldName(key))=\(value)")
        }
        // One buffer holds every "NAME=value"; the iovecs point into it.
        var buffer = [UInt8]()
        var ranges = [Range<Int>]()
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.utf8)
            ranges.append(start..<buffer.count)
        }
        _ = buffer.withUnsafeMutableBytes { bytes -> Int32 in
            let vectors = ranges.map { iovec(iov_base: bytes.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }

    /// syslog priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Journal field names: upper-case letters, digits and underscores.
    static func fieldName(_ key: String) -> String {
        String(key.uppercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "_" })
    }
}
