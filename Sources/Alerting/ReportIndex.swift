import Foundation
import Imaging

/// The operator's static HTML index of the daemon's reports folder: `<root>/index.html` lists
/// the days, `<root>/YYYY-MM-DD/index.html` shows each report of the day as an overlay
/// thumbnail with product, time, image score, regions and links to its files. Pages are
/// rewritten whole and atomically (`AtomicFile`), so a browser never loads half a page.
public struct ReportIndex: Sendable {
    public var root: String
    /// A day page shows at most this many reports (the newest): every page rewrite reads their
    /// `report.json` files, and a browser slows down long before.
    public var maxEntriesPerDay: Int
    /// Thumbnail width in CSS pixels (the browser scales the overlay image).
    public var thumbnailWidth: Int

    public init(root: String, maxEntriesPerDay: Int = 500, thumbnailWidth: Int = 256) {
        self.root = root; self.maxEntriesPerDay = maxEntriesPerDay; self.thumbnailWidth = thumbnailWidth
    }

    /// After writing `report` under `root`: rewrites its day page and the top page.
    public func update(after report: WrittenReport) throws(ReportError) {
        try update(day: ReportWriter.split(ReportWriter.split(report.path).parent).name)
    }

    /// Rewrites the page of `day` (when the day folder exists) and the top page.
    public func update(day: String) throws(ReportError) {
        if DatedReportName.isDay(day), FileTree.isFolder(root + "/" + day) {
            try writeDayPage(day)
        }
        try writeTopPage()
    }

    /// Rewrites every day page and the top page (at start-up, or after `ReportRetention.prune`).
    public func rebuild() throws(ReportError) {
        for day in try days() { try writeDayPage(day) }
        try writeTopPage()
    }

    private func writeDayPage(_ day: String) throws(ReportError) {
        let folder = root + "/" + day
        let names = try reportFolders(in: folder).sorted(by: >)
        let entries = names.prefix(maxEntriesPerDay).map { name in
            let data = FileManager.default.contents(atPath: folder + "/" + name + "/report.json")
            return IndexPage.Entry(folder: name, report: data.flatMap { try? ReportJSON.decode(Array($0)) })
        }
        try write(IndexPage.day(day, entries: entries, total: names.count, thumbnailWidth: thumbnailWidth),
                  to: folder + "/index.html")
    }

    private func writeTopPage() throws(ReportError) {
        guard FileTree.isFolder(root) else { return }
        var rows = [(day: String, reports: Int)]()
        for day in try days().sorted(by: >) {
            rows.append((day, try reportFolders(in: root + "/" + day).count))
        }
        try write(IndexPage.top(days: rows), to: root + "/index.html")
    }

    private func days() throws(ReportError) -> [String] {
        guard FileTree.isFolder(root) else { return [] }
        return try FileTree.entries(of: root).filter { $0.isFolder && DatedReportName.isDay($0.name) }.map(\.name)
    }

    /// Report folders are the visible subfolders; dot names are temporaries of writes in progress.
    private func reportFolders(in folder: String) throws(ReportError) -> [String] {
        try FileTree.entries(of: folder).filter { $0.isFolder && !$0.name.hasPrefix(".") }.map(\.name)
    }

    private func write(_ html: String, to path: String) throws(ReportError) {
        do {
            try AtomicFile.write(Array(html.utf8), to: path)
        } catch {
            if case .writeFailed(_, let reason) = error { throw .writeFailed(path: path, reason: reason) }
            throw .writeFailed(path: path, reason: error.description)
        }
    }
}
