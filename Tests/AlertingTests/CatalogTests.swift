import Foundation
import Testing
@testable import Alerting

/// `systemd/rgid-catalog.catalog` has an entry for every MESSAGE_ID the daemon sends, and
/// journalctl's own catalog parser accepts it.
@Suite struct CatalogTests {
    static let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/systemd/rgid-catalog.catalog"

    @Test func everyMessageIdHasAnEntry() throws {
        let text = try readText(Self.catalog)
        let headers = text.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        #expect(headers.sorted() == JournalMessageID.all.sorted())
        for id in JournalMessageID.all {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl"), "journalctl not installed"))
    func journalctlCompilesAndListsTheCatalog() throws {
        let root = try TemporaryFolder()
        let folder = root.file("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.catalog, toPath: folder + "/rgid.catalog")
        #expect(try journalctl(["--root=\(root.path)", "--update-catalog"]).status == 0)
        let listed = try journalctl(["--root=\(root.path)", "--list-catalog"])
        #expect(listed.status == 0)
        let ids = listed.output.split(separator: "\n").map { String($0.prefix(32)) }
        #expect(ids.sorted() == JournalMessageID.all.sorted(), "\(listed.output)")
        #expect(listed.output.contains("\(JournalMessageID.defect) rgi: Defect found on @RGI_PRODUCT@ (score @RGI_SCORE@)"))
    }

    private func journalctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
