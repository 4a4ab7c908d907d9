import Foundation

/// The HTML of the operator index pages: self-contained (inline CSS, no scripts, no external
/// files), so a browser on a factory PC opens them straight from a file share or `file://`.
enum IndexPage {
    /// A report folder as the day page shows it; `report` is nil when its `report.json`
    /// could not be read (the card still links the folder).
    struct Entry {
        var folder: String
        var report: DefectReport?
    }

    static func day(_ day: String, entries: [Entry], total: Int, thumbnailWidth: Int) -> String {
        var html = head(title: "rgi defect reports \(day)")
        html += "<header><h1>Defect reports — \(HTML.escape(day))</h1>\n"
        html += "<nav><a href=\"../index.html\">All days</a></nav>\n"
        let shown = entries.count < total ? "newest \(entries.count) of \(total) reports" : "\(total) reports"
        html += "<p>\(shown), newest first.</p></header>\n<main class=\"grid\">\n"
        for entry in entries { html += card(entry, thumbnailWidth: thumbnailWidth) }
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    /// `days` is (day, report count), newest day first.
    static func top(days: [(day: String, reports: Int)]) -> String {
        var html = head(title: "rgi defect reports")
        html += "<header><h1>Defect reports</h1>\n"
        html += "<p>\(days.count) day(s) with reports, newest first.</p></header>\n<main>\n"
        html += "<table>\n<thead><tr><th>Day</th><th>Reports</th></tr></thead>\n<tbody>\n"
        for (day, reports) in days {
            let link = HTML.escape(HTML.pathSegment(day)) + "/index.html"
            html += "<tr><td><a href=\"\(link)\">\(HTML.escape(day))</a></td><td>\(reports)</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</main>\n</body>\n</html>\n"
        return html
    }

    private static func card(_ entry: Entry, thumbnailWidth: Int) -> String {
        let base = HTML.escape(HTML.pathSegment(entry.folder)) + "/"
        let folder = HTML.escape(entry.folder)
        guard let report = entry.report else {
            return "<article class=\"card broken\"><h2>\(folder)</h2>"
                + "<p>report.json is missing or unreadable.</p>"
                + "<p class=\"files\"><a href=\"\(base)\">folder</a></p></article>\n"
        }
        let overlay = base + HTML.escape(HTML.pathSegment(report.files["overlay"] ?? "overlay.png"))
        let product = HTML.escape(report.product)
        var html = "<article class=\"card \(report.decision == .defect ? "defect" : "ok")\">\n"
        html += "<a href=\"\(overlay)\"><img src=\"\(overlay)\" width=\"\(thumbnailWidth)\" "
            + "alt=\"defects outlined on \(product) frame \(report.frame.sequence)\"></a>\n"
        html += "<dl>"
        html += "<dt>Product</dt><dd>\(product)</dd>"
        html += "<dt>Time</dt><dd>\(HTML.escape(clock(report.timestamp)))</dd>"
        html += "<dt>Score</dt><dd>\(HTML.escape(format(report.imageScore))) "
            + "(limit \(HTML.escape(format(report.thresholds.image))))</dd>"
        html += "<dt>Regions</dt><dd>\(report.regions.count), \(report.defectArea) px</dd>"
        html += "<dt>Frame</dt><dd>\(report.frame.sequence) · \(HTML.escape(report.frame.camera))</dd>"
        html += "<dt>Model</dt><dd>\(HTML.escape(report.modelVersion)) · \(HTML.escape(report.mode))</dd>"
        html += "</dl>\n<p class=\"files\">"
        let links = ["report.json"] + ["frame", "mask", "score", "restored", "overlay"].compactMap { report.files[$0] }
        html += links.map { "<a href=\"\(base)\(HTML.escape(HTML.pathSegment($0)))\">\(HTML.escape($0))</a>" }
            .joined(separator: " ")
        html += "</p>\n</article>\n"
        return html
    }

    private static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 1em; background: #f4f4f4; color: #111; }
        h1 { font-size: 1.4em; margin: 0 0 .3em; }
        h2 { font-size: 1em; margin: 0; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: .8em; }
        .card { background: #fff; border: 3px solid #999; border-radius: 6px; padding: .5em; }
        .card.defect { border-color: #c00; }
        .card.broken { border-style: dashed; }
        .card img { display: block; max-width: 100%; height: auto; image-rendering: pixelated; background: #000; }
        dl { display: grid; grid-template-columns: auto 1fr; gap: .1em .6em; margin: .5em 0; }
        dt { font-weight: bold; }
        dd { margin: 0; overflow-wrap: anywhere; }
        .files a { margin-right: .5em; }
        table { border-collapse: collapse; background: #fff; }
        th, td { border: 1px solid #ccc; padding: .3em .8em; text-align: left; }
        </style>
        </head>
        <body>

        """
    }

    private static func clock(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "--" }
        return "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }

    private static func format(_ value: Float) -> String {
        value.isFinite ? String(format: "%.4g", Double(value)) : "\(value)"
    }
}
