import Alerting
import Daemon
import Foundation
import Testing

/// One fixture (model trained once) for the suite.
private let fixture = Result { try Fixture() }

/// The real rgid binary on a replay camera with a trained model: reports, journal, sd_notify,
/// control socket, reload, a corrupt bundle, a read-only reports folder and the SIGTERM drain.
@Suite(.serialized,
       .enabled(if: JournalSocket.available, "a journald (or other listener) owns /run/systemd/journal/socket"))
struct DaemonEndToEndTests {
    @Test func inspectsReportsJournalsNotifiesReloadsAndSurvivesACorruptBundle() throws {
        let f = try fixture.get()
        let journal = try JournalSocket()
        let expected = f.defectiveFrames
        #expect(!expected.isEmpty && expected.count < f.frameCount, "the fixture's threshold splits the frames")

        // A second product with its own copy of the bundle, to switch to when brick breaks.
        let spare = f.root + "/models/spare"
        try? FileManager.default.removeItem(atPath: spare)
        try FileManager.default.copyItem(atPath: f.model, toPath: spare)
        let reports = f.root + "/reports-1"
        let config = try f.configuration(name: "one", loop: false, reports: reports, extraProducts: """
            [products.spare]
            model = "\(spare)"
            threshold = \(f.threshold)
            """)
        let daemon = try RunningDaemon(config: config, socket: f.root + "/one.sock", folder: f.root)

        try daemon.wait("READY=1") { daemon.notify.notifications.contains("READY=1") }
        try daemon.wait("all \(f.frameCount) frames inspected and reported") {
            let s = try daemon.status()
            return s.products[0].frames == UInt64(f.frameCount) && s.reports.written == UInt64(expected.count)
        }

        // Status: what the daemon did, in numbers.
        let status = try daemon.status()
        #expect(status.state == .running)
        #expect(status.activeProduct == "brick")
        #expect(status.camera.state == "finished")
        #expect(status.camera.frames == UInt64(f.frameCount))
        let brick = try #require(status.products.first { $0.name == "brick" })
        #expect(brick.model == "loaded" && brick.modelVersion != nil)
        #expect(brick.defects == UInt64(expected.count))
        #expect(brick.latencyP50Ms != nil && brick.latencyP95Ms! >= brick.latencyP50Ms!)
        #expect(status.reports.failed == 0 && status.reports.count == expected.count && status.reports.bytes > 0)
        #expect(status.products.first { $0.name == "spare" }?.model == "not-loaded")

        // Reports: one per frame the model calls defective, none for the others, complete.
        let written = try ReportFolders.read(reports)
        #expect(Set(written.map { Int($0.sequence) }) == expected)
        #expect(written.count == expected.count)
        for report in written {
            try ReportFolders.checkSchema(report)
            let verdict = try #require(f.verdicts[Int(report.sequence)])
            #expect(abs(report.imageScore - verdict.score) < 1e-3, "daemon and rgictl inspect agree on frame \(report.sequence)")
        }
        #expect(FileManager.default.fileExists(atPath: reports + "/index.html"))

        // Journal: a structured entry per defect, plus the start event.
        let defects = journal.listener.journalEntries.filter { $0["MESSAGE_ID"] == JournalMessageID.defect }
        #expect(defects.count == expected.count)
        for entry in defects {
            #expect(entry["RGI_PRODUCT"] == "brick")
            #expect(entry["PRIORITY"] == "4")
            #expect(entry["SYSLOG_IDENTIFIER"] == "rgid")
            let path = try #require(entry["RGI_REPORT"])
            #expect(written.contains { $0.folder == path }, "journal names a report that exists: \(path)")
            #expect(entry["RGI_FRAME_SEQ"].flatMap(Int.init).map(expected.contains) == true)
            #expect(Float(entry["RGI_SCORE"] ?? "") != nil && Int(entry["RGI_DEFECT_AREA"] ?? "") ?? 0 > 0)
        }
        #expect(journal.listener.journalEntries.contains { $0["MESSAGE_ID"] == JournalMessageID.started })

        // sd_notify: READY, STATUS lines, watchdog pings (WATCHDOG_USEC = 1 s: a ping every 0.5 s).
        try daemon.wait("watchdog pings") { daemon.notify.notifications.filter { $0 == "WATCHDOG=1" }.count >= 2 }
        try daemon.wait("a STATUS line with the counts") {
            daemon.notify.notifications.contains { $0.hasPrefix("STATUS=running: brick, \(f.frameCount) frames") }
        }

        // SIGHUP: RELOADING=1, the model read again, READY=1 again.
        let readyBefore = daemon.notify.notifications.filter { $0 == "READY=1" }.count
        daemon.signal(SIGHUP)
        try daemon.wait("reload on SIGHUP") {
            daemon.notify.notifications.contains("RELOADING=1")
                && daemon.notify.notifications.filter { $0 == "READY=1" }.count > readyBefore
        }
        #expect(try daemon.status().products[0].model == "loaded")

        // A corrupt bundle swapped in at run time: the product becomes unavailable with the
        // reason, the journal says so, and the daemon and the other product keep working.
        let generator = f.model + "/generator.safetensors"
        let original = try Data(contentsOf: URL(fileURLWithPath: generator))
        defer { try? original.write(to: URL(fileURLWithPath: generator)) }
        try Data(original.prefix(100)).write(to: URL(fileURLWithPath: generator))
        let reload = try Binaries.rgictl("reload", "--socket", daemon.socket)
        #expect(reload.status == 0, "\(reload.text)")
        let broken = try #require(try daemon.status().products.first { $0.name == "brick" })
        #expect(broken.model == "unavailable")
        #expect(broken.reason?.contains("generator.safetensors") == true, "reason: \(broken.reason ?? "none")")
        let failure = journal.listener.journalEntries.first { $0["MESSAGE_ID"] == JournalMessageID.modelLoadFailed }
        #expect(failure?["RGI_PRODUCT"] == "brick")
        #expect(failure?["RGI_ERROR"]?.contains("generator.safetensors") == true)
        let text = try Binaries.rgictl("status", "--socket", daemon.socket)
        #expect(text.status == 0 && text.text.contains("unavailable: "), "\(text.text)")

        let use = try Binaries.rgictl("product", "use", "spare", "--socket", daemon.socket)
        #expect(use.status == 0, "\(use.text)")
        let switched = try daemon.status()
        #expect(switched.activeProduct == "spare")
        #expect(switched.products.first { $0.name == "spare" }?.model == "loaded")
        #expect(journal.listener.journalEntries.contains {
            $0["MESSAGE_ID"] == JournalMessageID.productSwitched && $0["RGI_PRODUCT"] == "spare"
        })
        let unknown = try Binaries.rgictl("product", "use", "nope", "--socket", daemon.socket)
        #expect(unknown.status != 0 && unknown.text.contains("no product 'nope'"))

        // Malformed and oversized requests get an error answer; the daemon keeps serving.
        let client = ControlClient(path: daemon.socket, timeoutSeconds: 60)
        let malformed = try ControlCoding.decode(ControlResponse.self, from: try client.exchange(Array("{nope\n".utf8)))
        #expect(!malformed.ok && malformed.error?.contains("malformed") == true)
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: ControlCoding.maxRequestBytes + 10) + [10]
        let oversized = try ControlCoding.decode(ControlResponse.self, from: try client.exchange(huge))
        #expect(!oversized.ok && oversized.error?.contains("longer than") == true)
        #expect(try daemon.status().state == .running)

        // SIGTERM: STOPPING=1, the stop event, exit 0.
        daemon.signal(SIGTERM)
        let code = daemon.exitStatus(timeout: 30)
        #expect(code == 0, "rgid log:\n\(daemon.log)")
        #expect(daemon.notify.notifications.contains("STOPPING=1"))
        #expect(journal.listener.journalEntries.contains {
            $0["MESSAGE_ID"] == JournalMessageID.stopping && $0["RGI_REASON"] == "SIGTERM"
        })
        #expect(!FileManager.default.fileExists(atPath: daemon.socket), "the control socket is removed at exit")
    }

    @Test func drainsOnSigtermWithoutLosingAReportAndSurvivesAReadOnlyFolder() throws {
        let f = try fixture.get()
        let journal = try JournalSocket()
        let expected = f.defectiveFrames
        let reports = f.root + "/reports-2"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let config = try f.configuration(name: "two", loop: true, reports: reports)
        let daemon = try RunningDaemon(config: config, socket: f.root + "/two.sock", folder: f.root)
        try daemon.wait("first reports") { try daemon.status().reports.written >= 2 }

        // A read-only reports folder (root ignores modes, so a read-only bind mount): reports
        // fail, are counted and journalled, inspection goes on; writable again, reports resume.
        let readOnly = ReadOnlyMount(reports)
        if let readOnly {
            let before = try daemon.status()
            try daemon.wait("failed reports while read-only") { try daemon.status().reports.failed >= 2 }
            let during = try daemon.status()
            #expect(during.products[0].frames > before.products[0].frames, "inspection goes on")
            #expect(journal.listener.journalEntries.contains {
                $0["MESSAGE_ID"] == JournalMessageID.reportWriteFailed && $0["RGI_ERROR"]?.contains("Read-only") == true
            })
            readOnly.remove()
            try daemon.wait("reports written again") { try daemon.status().reports.written > during.reports.written }
        } else {
            Issue.record("mount is not permitted here: the read-only folder phase was not run")
        }

        // SIGTERM while frames are queued: every accepted report is written before exit.
        daemon.signal(SIGTERM)
        #expect(daemon.exitStatus(timeout: 60) == 0, "rgid log:\n\(daemon.log)")
        let final = try #require(daemon.notify.notifications.last { $0.hasPrefix("STATUS=stopped") })
        let numbers = ReportFolders.counts(in: final)
        let frames = try #require(numbers["frames"]), defects = try #require(numbers["defects"])

        // Sequences run 0, 1, 2, … over the looping folder: frame s is file s mod N.
        let defectSequences = (0..<frames).filter { expected.contains($0 % f.frameCount) }
        let entries = journal.listener.journalEntries.filter { $0["MESSAGE_ID"] == JournalMessageID.defect }
        #expect(defects == defectSequences.count, "\(final)")
        #expect(entries.compactMap { $0["RGI_FRAME_SEQ"].flatMap(Int.init) }.sorted() == defectSequences)
        let failures = journal.listener.journalEntries.filter { $0["MESSAGE_ID"] == JournalMessageID.reportWriteFailed }
        let written = try ReportFolders.read(reports)
        #expect(written.count + failures.count == defectSequences.count, "no report lost")
        #expect(Set(written.map { Int($0.sequence) % f.frameCount }).isSubset(of: expected))
        for report in written { try ReportFolders.checkSchema(report) }
    }
}
