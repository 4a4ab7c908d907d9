import Foundation
import Testing

private let analyzer = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// `systemd/rgid.service` checked by systemd's own tools (no running systemd needed).
@Suite(.enabled(if: analyzer != nil, "systemd-analyze is not installed (Debian package systemd)"))
struct SystemdUnitTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../systemd/rgid.service").standardizedFileURL.path

    static func analyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyzer!)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// verify checks that ExecStart exists: the unit is verified with the built rgid there.
    @Test func verifies() throws {
        let folder = try TemporaryFolder()
        let rgid = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("rgid").path
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        #expect(text.contains("ExecStart=/usr/local/bin/rgid "))
        let copy = try folder.write("rgid.service", text.replacingOccurrences(of: "/usr/local/bin/rgid", with: rgid))
        let result = try Self.analyze(["verify", copy])
        #expect(result.status == 0 && result.output.isEmpty, "\(result.output)")
    }

    @Test func exposureIsAtMostTwo() throws {
        let result = try Self.analyze(["security", "--offline=yes", "--no-pager", Self.unit])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let figure = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(figure <= 2.0, "\(line)")
    }
}
