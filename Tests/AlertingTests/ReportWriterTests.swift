import Foundation
import Imaging
import Inspection
import Synchronization
import Testing
@testable import Alerting

@Suite struct ReportWriterTests {
    @Test func replacingAFolderSwapsItWhole() throws {
        let folder = try TemporaryFolder()
        let target = folder.file("pred/good/000")
        try ReportWriter().write(try sampleResult(sequence: 1), toFolder: target)
        try Data([1]).write(to: URL(fileURLWithPath: target + "/stale.txt"))
        let written = try ReportWriter().write(try sampleResult(sequence: 2, seed: 9), toFolder: target)
        #expect(try ReportJSON.decode(readBytes(target + "/report.json")).frame.sequence == 2)
        #expect(written.report.frame.sequence == 2)
        #expect(try names(in: target)
                == ["frame.png", "mask.png", "overlay.png", "report.json", "restored.png", "score.png"])
        #expect(try names(in: folder.file("pred/good")) == ["000"])
    }

    @Test func datedLayoutNamesDayTimeProductAndSequence() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        // 1_750_000_000 s after 1970 is 2025-06-15 15:06:40 UTC.
        let name = DatedReportName(capturedAt: Date(timeIntervalSince1970: 1_750_000_000.25), product: "brick",
                                   sequence: 42, timeZone: utc)
        #expect(name == DatedReportName(capturedAt: Date(timeIntervalSince1970: 1_750_000_000.9), product: "brick",
                                        sequence: 42, timeZone: utc))
        #expect(name.day == "2025-06-15" && name.folder == "150640-brick-42")
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let local = DatedReportName(capturedAt: Date(timeIntervalSince1970: 1_750_000_000), product: "brick",
                                    sequence: 7, timeZone: tokyo)
        #expect(local.day == "2025-06-16" && local.folder == "000640-brick-7")
        #expect(DatedReportName.safe("a/b c<&>") == "a_b_c___")
        #expect(DatedReportName.safe(".hidden") == "_.hidden" && DatedReportName.safe("") == "_")
        #expect(DatedReportName.safe(String(repeating: "x", count: 100)).count == 64)
    }

    @Test func datedLayoutNeverReplacesAReport() throws {
        let root = try TemporaryFolder()
        let result = try sampleResult()
        let name = DatedReportName(capturedAt: result.frame.capturedAt, product: "brick", sequence: 42)
        let paths = try (0..<3).map { _ in try ReportWriter().write(result, underRoot: root.path).path }
        let day = root.file(name.day)
        #expect(paths == [day + "/" + name.folder, day + "/" + name.folder + "-2", day + "/" + name.folder + "-3"])
        #expect(try names(in: root.path) == [name.day])
        #expect(try names(in: day) == [name.folder, name.folder + "-2", name.folder + "-3"])
    }

    /// Tests run as root, so a read-only folder would not stop the write: a parent that is a
    /// regular file does.
    @Test func parentThatIsAFileIsATypedErrorAndLeavesNothing() throws {
        let folder = try TemporaryFolder()
        let blocker = folder.file("blocker")
        try Data([7]).write(to: URL(fileURLWithPath: blocker))
        let error = try #require(throws: ReportError.self) {
            try ReportWriter().write(try sampleResult(), toFolder: blocker + "/kind/000")
        }
        #expect(error == .writeFailed(path: blocker, reason: "Not a directory"))
        #expect(error.description == "cannot write report file '\(blocker)': Not a directory")
        #expect(throws: ReportError.writeFailed(path: blocker, reason: "Not a directory")) {
            try ReportWriter().write(try sampleResult(), underRoot: blocker)
        }
        #expect(try names(in: folder.path) == ["blocker"])
        #expect(try readBytes(blocker) == [7])
    }

    @Test func aFolderThatIsNoNameIsRefused() throws {
        let folder = try TemporaryFolder()
        for path in [folder.path + "/..", folder.path + "/.", ""] {
            #expect(throws: ReportError.writeFailed(path: path, reason: "a report needs a folder of its own, not '\(path)'")) {
                try ReportWriter().write(try sampleResult(), toFolder: path)
            }
        }
        #expect(try names(in: folder.path) == [])
    }

    /// A full disk in the middle of a report: typed error naming the file and ENOSPC, no
    /// temporary left, and the report that was there before is untouched.
    @Test(.enabled(if: TinyTmpfs.available, "mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)"))
    func fullDiskLeavesTheOldReportAndNoTemporary() throws {
        // Each small file takes one 4 KiB page: a 2×2 report fits in 32 KiB, a noisy 200×200 one does not.
        let disk = try TinyTmpfs(size: "32k")
        let target = disk.path + "/000"
        try ReportWriter().write(try sampleResult(width: 2, height: 2, defect: nil, sequence: 1), toFolder: target)
        let error = try #require(throws: ReportError.self) {
            try ReportWriter().write(try sampleResult(width: 200, height: 200, channels: 3, sequence: 2), toFolder: target)
        }
        guard case .writeFailed(let path, let reason) = error else {
            Issue.record("expected writeFailed, got \(error)")
            return
        }
        #expect(path.hasPrefix(target + "/") && reason == "No space left on device")
        #expect(try names(in: disk.path) == ["000"])
        #expect(try ReportJSON.decode(readBytes(target + "/report.json")).frame.sequence == 1)

        #expect(throws: ReportError.self) {
            try ReportWriter().write(try sampleResult(width: 200, height: 200, channels: 3), underRoot: disk.path + "/reports")
        }
        let days = try names(in: disk.path + "/reports")
        #expect(days.count == 1)
        #expect(try names(in: disk.path + "/reports/" + days[0]) == [])
    }

    @Test(.enabled(if: TinyTmpfs.available, "mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)"))
    func readOnlyFileSystemIsATypedError() throws {
        let disk = try TinyTmpfs(size: "1m")
        let target = disk.path + "/000"
        try ReportWriter().write(try sampleResult(sequence: 1), toFolder: target)
        try disk.makeReadOnly()
        #expect(throws: ReportError.writeFailed(path: target, reason: "Read-only file system")) {
            try ReportWriter().write(try sampleResult(sequence: 2), toFolder: target)
        }
        #expect(try ReportJSON.decode(readBytes(target + "/report.json")).frame.sequence == 1)
        #expect(try names(in: disk.path) == ["000"])
    }

    /// A reader polling the target in a tight loop while it is replaced again and again
    /// always finds it (with two renames, old aside then new in, it finds nothing in between).
    @Test func targetNeverGoesMissingWhileReplaced() throws {
        let folder = try TemporaryFolder()
        let target = folder.file("000")
        let writes = 200
        try ReportWriter().write(try sampleResult(width: 2, height: 2, defect: (0, 0, 1, 1), sequence: 0), toFolder: target)
        // A thread of its own: the test's tasks share a small pool and may not run meanwhile.
        let probe = Probe()
        let reader = Thread {
            while !probe.done.load(ordering: .acquiring) {
                if access(target + "/report.json", F_OK) != 0 { probe.missing.add(1, ordering: .relaxed) }
                probe.checks.add(1, ordering: .releasing)
            }
        }
        reader.start()
        while probe.checks.load(ordering: .acquiring) == 0 { sched_yield() }
        for sequence in 1...writes {
            try ReportWriter().write(try sampleResult(width: 2, height: 2, defect: (0, 0, 1, 1),
                                                      sequence: UInt64(sequence)), toFolder: target)
        }
        probe.done.store(true, ordering: .releasing)
        let (checks, missing) = (probe.checks.load(ordering: .acquiring), probe.missing.load(ordering: .acquiring))
        #expect(missing == 0, "report.json was missing in \(missing) of \(checks) checks")
        #expect(checks > writes)
        #expect(try ReportJSON.decode(readBytes(target + "/report.json")).frame.sequence == UInt64(writes))
        #expect(try names(in: folder.path) == ["000"])
    }
}

private final class Probe: Sendable {
    let done = Atomic<Bool>(false)
    let checks = Atomic<Int>(0)
    let missing = Atomic<Int>(0)
}
