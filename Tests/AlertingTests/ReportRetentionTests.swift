import Foundation
import Inspection
import Testing
@testable import Alerting

@Suite struct ReportRetentionTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let day: TimeInterval = 86_400

    /// Five reports on three days, written 10, 9, 5 and 2 days and 1 hour ago (by folder time),
    /// of different sizes.
    struct Fixture {
        let root = try! TemporaryFolder()
        var reports: [WrittenReport] = []

        init() throws {
            let day = ReportRetentionTests.day, now = ReportRetentionTests.now
            let ages: [TimeInterval] = [10 * day, 9 * day, 5 * day, 2 * day, 3600]
            for (index, age) in ages.enumerated() {
                let result = try sampleResult(width: 20 + 10 * index, height: 16, defect: (2, 2, 3, 3),
                                              sequence: UInt64(index), capturedAt: now - age, seed: UInt64(index + 1))
                let written = try ReportWriter().write(result, underRoot: root.path)
                try FileManager.default.setAttributes([.modificationDate: now - age], ofItemAtPath: written.path)
                reports.append(written)
            }
        }

        func bytes(_ indices: some Sequence<Int>) -> Int64 { indices.reduce(0) { $0 + reports[$1].bytes } }
        func day(_ index: Int) -> String { ReportWriter.split(ReportWriter.split(reports[index].path).parent).name }
        func exists(_ index: Int) -> Bool { FileManager.default.fileExists(atPath: reports[index].path) }
    }

    @Test func usageCountsEveryReportFolder() throws {
        let fixture = try Fixture()
        let usage = try ReportRetention(root: fixture.root.path, maxBytes: nil, maxAge: nil).usage()
        #expect(usage == ReportUsage(bytes: fixture.bytes(0..<5), reports: 5,
                                     oldest: Self.now - 10 * Self.day, newest: Self.now - 3600))
        #expect(try ReportRetention(root: fixture.root.path + "/none", maxBytes: nil, maxAge: nil).usage()
                == ReportUsage(bytes: 0, reports: 0, oldest: nil, newest: nil))
    }

    @Test func pruneByAgeRemovesExactlyTheOlderReports() throws {
        let fixture = try Fixture()
        let retention = ReportRetention(root: fixture.root.path, maxBytes: nil, maxAge: .seconds(6 * Self.day))
        let outcome = try retention.prune(now: Self.now)
        #expect(outcome.removed == [fixture.reports[0].path, fixture.reports[1].path])
        #expect(outcome.freedBytes == fixture.bytes(0..<2))
        #expect(outcome.usage == ReportUsage(bytes: fixture.bytes(2..<5), reports: 3,
                                             oldest: Self.now - 5 * Self.day, newest: Self.now - 3600))
        #expect(!fixture.exists(0) && !fixture.exists(1) && fixture.exists(2) && fixture.exists(4))
        // Days left without a report go; days with one stay.
        let emptied = Set([fixture.day(0), fixture.day(1)]).subtracting([fixture.day(2), fixture.day(3), fixture.day(4)])
        #expect(Set(outcome.removedDays) == emptied)
        #expect(try names(in: fixture.root.path) == Set((2..<5).map(fixture.day)).sorted())
        #expect(try retention.prune(now: Self.now).removed == [])
    }

    @Test func pruneByBytesRemovesOldestUntilUnderTheLimit() throws {
        let fixture = try Fixture()
        let limit = fixture.bytes(2..<5)
        var outcome = try ReportRetention(root: fixture.root.path, maxBytes: limit, maxAge: nil).prune(now: Self.now)
        #expect(outcome.removed == [fixture.reports[0].path, fixture.reports[1].path])
        #expect(outcome.usage.bytes == limit && outcome.usage.reports == 3)
        outcome = try ReportRetention(root: fixture.root.path, maxBytes: limit - 1, maxAge: nil).prune(now: Self.now)
        #expect(outcome.removed == [fixture.reports[2].path])
        #expect(outcome.usage.bytes == fixture.bytes(3..<5))
        outcome = try ReportRetention(root: fixture.root.path, maxBytes: 0, maxAge: nil).prune(now: Self.now)
        #expect(outcome.removed == [fixture.reports[3].path, fixture.reports[4].path])
        #expect(outcome.usage == ReportUsage(bytes: 0, reports: 0, oldest: nil, newest: nil))
        #expect(try names(in: fixture.root.path) == [])
    }

    @Test func ageAndBytesTogether() throws {
        let fixture = try Fixture()
        let outcome = try ReportRetention(root: fixture.root.path, maxBytes: fixture.bytes([4]),
                                          maxAge: .seconds(9.5 * Self.day)).prune(now: Self.now)
        #expect(outcome.removed == (0..<4).map { fixture.reports[$0].path })
        #expect(outcome.usage.reports == 1 && fixture.exists(4))
    }

    /// A crash mid-write leaves a hidden temporary: old ones go, a fresh one (a write in
    /// progress) stays, and so does its day folder.
    @Test func staleTemporariesGoFreshOnesStay() throws {
        let fixture = try Fixture()
        let oldDay = fixture.root.file(fixture.day(0)), newDay = fixture.root.file(fixture.day(4))
        let stale = oldDay + "/.120000-brick-9.tmp-abc", fresh = oldDay + "/.120000-brick-10.tmp-def"
        let other = newDay + "/.hidden-not-a-temporary"
        for path in [stale, fresh, other] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }
        try FileManager.default.setAttributes([.modificationDate: Self.now - 7200], ofItemAtPath: stale)
        try FileManager.default.setAttributes([.modificationDate: Self.now - 60], ofItemAtPath: fresh)
        let outcome = try ReportRetention(root: fixture.root.path, maxBytes: nil, maxAge: .seconds(Self.day))
            .prune(now: Self.now)
        #expect(outcome.staleTemporaries == [stale])
        #expect(outcome.removed.count == 4 && outcome.usage.reports == 1)
        #expect(FileManager.default.fileExists(atPath: fresh) && FileManager.default.fileExists(atPath: other))
        #expect(!outcome.removedDays.contains(fixture.day(0)))
    }
}
