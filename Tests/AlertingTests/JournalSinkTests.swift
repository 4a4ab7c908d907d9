import Foundation
import Inspection
import Testing
@testable import Alerting

/// The real JournalSink through libsystemd into a socket bound where journald would be.
@Suite(.serialized, .enabled(if: JournalSocketStub.available,
                             "a journald (or other listener) owns /run/systemd/journal/socket"))
struct JournalSinkTests {
    @Test func defectEntryCarriesEveryField() throws {
        let stub = try JournalSocketStub()
        // A newline in the product makes libsystemd use the binary field form for it.
        var result = try sampleResult(product: "brick\nline 2", sequence: 1234)
        result.regions.append(DefectRegion(x: 1, y: 1, width: 2, height: 3, area: 5, peakScore: 1, meanScore: 0.8))
        let report = DefectReport(result: result, scoreMapMax: 2.5)
        try JournalSink().defect(report, reportPath: "/var/lib/rgi/reports/2025-06-15/150640-brick_line_2-1234")
        let fields = try stub.receive()
        let message = "defect on brick\nline 2: score 1.75 (limit 0.5), 2 region(s), 40 px, frame 1234; "
            + "report /var/lib/rgi/reports/2025-06-15/150640-brick_line_2-1234"
        #expect(fields == [
            .init(name: "MESSAGE", value: message, binary: true),
            .init(name: "PRIORITY", value: "4", binary: false),
            .init(name: "MESSAGE_ID", value: JournalMessageID.defect, binary: false),
            .init(name: "SYSLOG_IDENTIFIER", value: "rgid", binary: false),
            .init(name: "RGI_PRODUCT", value: "brick\nline 2", binary: true),
            .init(name: "RGI_REPORT", value: "/var/lib/rgi/reports/2025-06-15/150640-brick_line_2-1234", binary: false),
            .init(name: "RGI_SCORE", value: "1.75", binary: false),
            .init(name: "RGI_DEFECT_AREA", value: "40", binary: false),
            .init(name: "RGI_FRAME_SEQ", value: "1234", binary: false),
            .init(name: "RGI_MODEL", value: "brick-2025-06-01", binary: false),
            .init(name: "RGI_REGIONS", value: "2", binary: false),
            .init(name: "RGI_CAMERA", value: "/dev/video0", binary: false),
        ])
    }

    @Test func serviceEventsCarryTheirIdPriorityAndFields() throws {
        let stub = try JournalSocketStub()
        let sink = JournalSink(identifier: "rgid-test")
        let events: [(ServiceEvent, String, [String: String])] = [
            (.started(version: "0.3.0", products: ["brick", "grass"]), "rgid 0.3.0 started, products: brick, grass",
             ["RGI_EVENT": "started", "RGI_VERSION": "0.3.0", "RGI_PRODUCTS": "brick,grass"]),
            (.stopping(reason: "SIGTERM"), "rgid stopping: SIGTERM", ["RGI_EVENT": "stopping", "RGI_REASON": "SIGTERM"]),
            (.productSwitched(from: nil, to: "brick", model: "brick-2"), "product switched from none to brick (model brick-2)",
             ["RGI_EVENT": "product-switched", "RGI_PRODUCT": "brick", "RGI_PREVIOUS_PRODUCT": "", "RGI_MODEL": "brick-2"]),
            (.modelLoadFailed(product: "grass", path: "/m/grass", reason: "manifest.json: bad version"),
             "cannot load model for product grass from /m/grass: manifest.json: bad version",
             ["RGI_EVENT": "model-load-failed", "RGI_PRODUCT": "grass", "RGI_MODEL_PATH": "/m/grass",
              "RGI_ERROR": "manifest.json: bad version"]),
            (.modelWarning(product: "grass", path: "/m/grass", warning: "scores the residual only"),
             "model for product grass at /m/grass: scores the residual only",
             ["RGI_EVENT": "model-warning", "RGI_PRODUCT": "grass", "RGI_MODEL_PATH": "/m/grass",
              "RGI_WARNING": "scores the residual only"]),
            (.cameraLost(camera: "/dev/video0", reason: "No such device"), "camera /dev/video0 lost: No such device",
             ["RGI_EVENT": "camera-lost", "RGI_CAMERA": "/dev/video0", "RGI_ERROR": "No such device"]),
            (.cameraBack(camera: "/dev/video0", downSeconds: 12.345), "camera /dev/video0 back after 12.3 s",
             ["RGI_EVENT": "camera-back", "RGI_CAMERA": "/dev/video0", "RGI_DOWN_SECONDS": "12.3"]),
            (.reportWriteFailed(path: "/r/x", reason: "No space left on device", failures: 3),
             "cannot write report /r/x: No space left on device (3 failed since start)",
             ["RGI_EVENT": "report-write-failed", "RGI_REPORT": "/r/x", "RGI_ERROR": "No space left on device",
              "RGI_FAILURES": "3"]),
        ]
        var ids = Set<String>()
        for (event, message, extra) in events {
            try sink.service(event)
            let fields = try stub.receive()
            let values = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            #expect(fields.count == values.count, "duplicate fields in \(fields)")
            #expect(values == extra.merging([
                "MESSAGE": message, "PRIORITY": String(event.priority), "MESSAGE_ID": event.messageID,
                "SYSLOG_IDENTIFIER": "rgid-test",
            ]) { $1 })
            ids.insert(event.messageID)
        }
        #expect(events.map { $0.0.priority } == [5, 5, 5, 3, 4, 3, 5, 3])
        #expect(ids.count == events.count && ids.isSubset(of: Set(JournalMessageID.all)))
        #expect(!ids.contains(JournalMessageID.defect))
    }

    /// With nothing listening (no journald), an entry is dropped without an error: the daemon
    /// must run the same in a container without systemd.
    @Test func noJournalIsNotAnError() throws {
        let stub = try JournalSocketStub()
        stub.removeSocketFile()
        #expect(access(JournalSocketStub.path, F_OK) != 0)
        try JournalSink().service(.stopping(reason: "test"))
    }

    @Test func parserReadsBothFieldForms() throws {
        var datagram = Array("A=1\nB\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0] + Array("x\ny\nC=\n".utf8)
        #expect(try JournalSocketStub.parse(datagram) == [
            .init(name: "A", value: "1", binary: false), .init(name: "B", value: "x\ny", binary: true),
            .init(name: "C", value: "", binary: false),
        ])
        datagram[6] = 9
        #expect(throws: JournalSocketStub.StubError.self) { try JournalSocketStub.parse(datagram) }
    }
}
