internal import CSystemd
import Glibc

/// Structured journal entries through libsystemd's `sd_journal_sendv`: one per reported defect,
/// and one per service event. Field values may hold any bytes, newlines included (libsystemd
/// switches to the journal's binary field form for those).
public struct JournalSink: Sendable {
    /// SYSLOG_IDENTIFIER, so `journalctl -t rgid` finds every entry.
    public var identifier: String

    public init(identifier: String = "rgid") {
        self.identifier = identifier
    }

    /// A warning (PRIORITY=4) with MESSAGE_ID `JournalMessageID.defect`.
    public func defect(_ report: DefectReport, reportPath: String) throws(JournalError) {
        let message = "defect on \(report.product): score \(report.imageScore) (limit \(report.thresholds.image)), "
            + "\(report.regions.count) region(s), \(report.defectArea) px, frame \(report.frame.sequence); "
            + "report \(reportPath)"
        try send(messageID: JournalMessageID.defect, priority: 4, message: message, fields: [
            ("RGI_PRODUCT", report.product),
            ("RGI_REPORT", reportPath),
            ("RGI_SCORE", String(report.imageScore)),
            ("RGI_DEFECT_AREA", String(report.defectArea)),
            ("RGI_FRAME_SEQ", String(report.frame.sequence)),
            ("RGI_MODEL", report.modelVersion),
            ("RGI_REGIONS", String(report.regions.count)),
            ("RGI_CAMERA", report.frame.camera),
        ])
    }

    public func service(_ event: ServiceEvent) throws(JournalError) {
        try send(messageID: event.messageID, priority: event.priority, message: event.message, fields: event.fields)
    }

    private func send(messageID: String, priority: Int, message: String,
                      fields: [(name: String, value: String)]) throws(JournalError)
    {
        let all: [(name: String, value: String)] = [
            ("MESSAGE", message), ("PRIORITY", String(priority)), ("MESSAGE_ID", messageID),
            ("SYSLOG_IDENTIFIER", identifier),
        ] + fields
        // One buffer holds every "NAME=value"; the iovecs point into it.
        var buffer = [UInt8]()
        var ranges = [Range<Int>]()
        for field in all {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        let status = buffer.withUnsafeMutableBytes { bytes -> Int32 in
            let vectors = ranges.map { iovec(iov_base: bytes.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        guard status >= 0 else { throw .sendFailed(messageID: messageID, reason: errnoText(-status)) }
    }
}
