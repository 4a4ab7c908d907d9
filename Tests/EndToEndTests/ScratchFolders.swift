import Foundation
import Synchronization

/// Temporary folders for the suites' shared fixtures. A fixture held in a global is never
/// deinitialised, so its folder is removed when the test process exits instead.
enum ScratchFolders {
    private static let made = Mutex<[String]>([])

    /// A new empty folder under the temporary directory, named `prefix-XXXXXX`.
    static func make(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + prefix + "-XXXXXX").utf8CString)
        guard let folder = mkdtemp(&template) else { throw TestFailure("mkdtemp \(prefix): \(String(cString: strerror(errno)))") }
        let path = String(cString: folder)
        let isFirst = made.withLock { paths in
            paths.append(path)
            return paths.count == 1
        }
        if isFirst { atexit { ScratchFolders.removeAll() } }
        return path
    }

    private static func removeAll() {
        for path in made.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
