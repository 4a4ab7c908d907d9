import Foundation
import Inspection
import Testing
@testable import Alerting

@Suite struct ReportIndexTests {
    static let hostile = "<b>&\"x'</b>"

    /// Three reports on one day (one with a hostile product name), one on another day.
    struct Fixture {
        let root = try! TemporaryFolder()
        var reports: [WrittenReport] = []
        var days: [String] { reports.map { ReportWriter.split(ReportWriter.split($0.path).parent).name } }

        init() throws {
            let first = Date(timeIntervalSince1970: 1_750_000_000)
            let specs: [(String, TimeInterval)] = [
                ("brick", 0), (ReportIndexTests.hostile, 60), ("gravel", 120), ("brick", 3 * 86_400),
            ]
            for (index, (product, offset)) in specs.enumerated() {
                let result = try sampleResult(product: product, sequence: UInt64(index), capturedAt: first + offset)
                reports.append(try ReportWriter().write(result, underRoot: root.path))
                try ReportIndex(root: root.path).update(after: reports.last!)
            }
        }
    }

    @Test func dayPageHasOneCardPerReportWithWorkingLinks() throws {
        let fixture = try Fixture()
        let day = fixture.days[0]
        let page = try readText(fixture.root.file(day + "/index.html"))
        #expect(page.components(separatedBy: "<article").count - 1 == 3)
        #expect(page.contains("3 reports, newest first."))
        for report in fixture.reports.prefix(3) {
            let folder = ReportWriter.split(report.path).name
            #expect(page.contains("<img src=\"\(folder)/overlay.png\" width=\"256\""))
        }
        // Every link and image on the page resolves to a file beside it.
        let targets = page.matches(of: /(?:href|src)="([^"]*)"/).map { String($0.output.1) }
        #expect(targets.count == 1 + 3 * 8)
        for target in targets {
            let path = fixture.root.file(day + "/" + (target.removingPercentEncoding ?? target))
            #expect(FileManager.default.fileExists(atPath: path), "broken link \(target)")
        }
        #expect(page.contains("<dd>1.75 (limit 0.5)</dd>") && page.contains("<dd>1, 35 px</dd>"))
        // Newest first.
        let order = fixture.reports.prefix(3).map { page.range(of: ReportWriter.split($0.path).name)!.lowerBound }
        #expect(order[2] < order[1] && order[1] < order[0])
        #expect(!page.lowercased().contains("<script"))
    }

    @Test func everythingInsertedIsEscaped() throws {
        let fixture = try Fixture()
        let page = try readText(fixture.root.file(fixture.days[1] + "/index.html"))
        #expect(page.contains("<dd>&lt;b&gt;&amp;&quot;x&#39;&lt;/b&gt;</dd>"))
        #expect(page.contains("alt=\"defects outlined on &lt;b&gt;&amp;&quot;x&#39;&lt;/b&gt; frame 1\""))
        #expect(!page.contains(Self.hostile) && !page.contains("<b>"))
        // The product's folder name is sanitised, and links percent-encode whatever remains.
        #expect(DatedReportName.safe(Self.hostile) == "_b___x___b_")
        #expect(HTML.pathSegment("a b/c?#%é") == "a%20b%2Fc%3F%23%25%C3%A9")
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func topPageListsEveryDayWithItsCount() throws {
        let fixture = try Fixture()
        let page = try readText(fixture.root.file("index.html"))
        let (first, last) = (fixture.days[0], fixture.days[3])
        #expect(first != last)
        #expect(page.contains("<tr><td><a href=\"\(last)/index.html\">\(last)</a></td><td>1</td></tr>"))
        #expect(page.contains("<tr><td><a href=\"\(first)/index.html\">\(first)</a></td><td>3</td></tr>"))
        #expect(page.range(of: last)!.lowerBound < page.range(of: first)!.lowerBound)
        #expect(try names(in: fixture.root.path) == [first, last, "index.html"])
    }

    /// After pruning a whole day away, a rebuild drops it from the top page; a day's page only
    /// lists what is left and a report whose report.json is unreadable still gets a card.
    @Test func rebuildFollowsRetentionAndSurvivesBrokenReports() throws {
        let fixture = try Fixture()
        let index = ReportIndex(root: fixture.root.path, maxEntriesPerDay: 2)
        try FileManager.default.removeItem(atPath: fixture.reports[3].path)
        try Data("{".utf8).write(to: URL(fileURLWithPath: fixture.reports[0].path + "/report.json"))
        let outcome = try ReportRetention(root: fixture.root.path, maxBytes: nil, maxAge: nil).prune()
        #expect(outcome.removedDays == [fixture.days[3]])
        try index.rebuild()
        let top = try readText(fixture.root.file("index.html"))
        #expect(!top.contains(fixture.days[3]) && top.contains(fixture.days[0]))
        let day = try readText(fixture.root.file(fixture.days[0] + "/index.html"))
        #expect(day.contains("newest 2 of 3 reports"))
        #expect(day.components(separatedBy: "<article").count - 1 == 2)
        try ReportIndex(root: fixture.root.path).update(day: fixture.days[0])
        let full = try readText(fixture.root.file(fixture.days[0] + "/index.html"))
        #expect(full.contains("<article class=\"card broken\"><h2>\(ReportWriter.split(fixture.reports[0].path).name)</h2>"))
        #expect(try names(in: fixture.root.file(fixture.days[0])).filter { $0.hasPrefix(".") } == [])
    }
}
