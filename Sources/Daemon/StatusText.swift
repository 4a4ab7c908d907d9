import Foundation

/// `rgictl status` for people: the daemon, its camera, each product and the reports folder.
public enum StatusText {
    public static func render(_ s: DaemonStatus, now: Date = Date()) -> String {
        var lines = [String]()
        lines.append("rgid \(s.version) (pid \(s.pid)): \(s.state.rawValue), up \(duration(s.uptimeSeconds)), config \(s.configFile)")
        let c = s.camera
        lines.append("camera  \(c.source): \(c.state)" + (c.format.map { ", \($0)" } ?? ""))
        lines.append(String(format: "        %.1f fps inspected, %llu frames, %llu dropped by camera, %llu dropped behind, %llu corrupt, %llu reconnects",
                            c.framesPerSecond, c.frames, c.droppedByCamera, c.droppedBehind, c.corrupt, c.reconnects))
        if let error = c.lastError { lines.append("        last error: \(error)") }
        lines.append("products")
        for p in s.products {
            var model = p.model
            if let version = p.modelVersion { model += " \(version)" }
            lines.append("  \(p.active ? "*" : " ") \(p.name): \(model)  (\(p.modelPath))")
            if let reason = p.reason { lines.append("      unavailable: \(reason)") }
            var counts = "      \(p.frames) frames, \(p.defects) defects"
            if p.skipped > 0 { counts += ", \(p.skipped) skipped" }
            if p.errors > 0 { counts += ", \(p.errors) errors" }
            if let p50 = p.latencyP50Ms, let p95 = p.latencyP95Ms {
                counts += String(format: ", latency p50 %.0f ms p95 %.0f ms", p50, p95)
                // A daemon older than rgictl answers without p99.
                if let p99 = p.latencyP99Ms { counts += String(format: " p99 %.0f ms", p99) }
                counts += String(format: " (budget %.0f ms, %llu over)", p.timeBudgetMs, p.overBudget)
            }
            lines.append(counts)
            if let p50 = p.sinceCaptureP50Ms, let p95 = p.sinceCaptureP95Ms, let p99 = p.sinceCaptureP99Ms {
                lines.append(String(format: "      capture → result p50 %.0f ms p95 %.0f ms p99 %.0f ms", p50, p95, p99))
            }
            if let last = p.lastDefectAt {
                lines.append("      last defect \(duration(now.timeIntervalSince(last))) ago" + (p.lastReport.map { ": \($0)" } ?? ""))
            }
        }
        let r = s.reports
        var reports = "reports \(r.folder): \(r.count) reports, \(bytes(r.bytes))"
        if let max = r.maxBytes { reports += " of \(bytes(max))" }
        lines.append(reports)
        lines.append("        \(r.written) written, \(r.failed) failed, \(r.dropped) dropped (queue full)")
        if let error = r.lastError { lines.append("        last error: \(error)") }
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86_400 { return "\(s / 3600)h\(s / 60 % 60)m" }
        return "\(s / 86_400)d\(s / 3600 % 24)h"
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
