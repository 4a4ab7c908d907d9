import Foundation

/// `docs/PERFORMANCE.md` is shared by the benchmarks: each owns one section, delimited by HTML
/// comments, and rewrites only that section, so the figures of every benchmark stay in one file.
public enum PerformanceDocument {
    public static func replaceSection(_ id: String, title: String, body: String, in path: String) throws {
        let begin = "<!-- \(id):begin -->", end = "<!-- \(id):end -->"
        let date = ISO8601DateFormatter().string(from: Date())
        let section = "\(begin)\n## \(title) (measured \(date))\n\n\(body.trimmingCharacters(in: .newlines))\n\(end)"
        var doc = (try? String(contentsOfFile: path, encoding: .utf8))
            ?? "# Performance\n\nFigures measured by the project's benchmarks (`make bench`); each section is rewritten by its benchmark.\n"
        if let r1 = doc.range(of: begin), let r2 = doc.range(of: end), r1.upperBound <= r2.lowerBound {
            doc.replaceSubrange(r1.lowerBound..<r2.upperBound, with: section)
        } else {
            doc += "\n" + section + "\n"
        }
        try doc.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
