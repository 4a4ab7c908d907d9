import Glibc
import Imaging
import Inspection

/// Writes report folders all-or-nothing: every file is written (and fsynced) into a hidden
/// temporary folder beside the target, `.<name>.tmp-<random>`, which is then renamed into place,
/// so nobody ever sees half a report. On any failure the temporary is removed and a
/// `ReportError` naming the intended path is thrown; nothing is left behind.
public struct ReportWriter: Sendable {
    public init() {}

    /// Writes to `folder` exactly (`rgictl inspect/evaluate`: `PRED/<kind>/<name>/`), creating
    /// its parents. An existing folder is replaced in one atomic swap (`RENAME_EXCHANGE`), so a
    /// crash leaves either the old report or the new one; where the file system cannot swap, the
    /// old folder is moved aside first, which leaves a short window with neither.
    @discardableResult
    public func write(_ result: InspectionResult, toFolder folder: String) throws(ReportError) -> WrittenReport {
        let (parent, name) = Self.split(folder)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .writeFailed(path: folder, reason: "a report needs a folder of its own, not '\(folder)'")
        }
        try Self.makeFolders(parent)
        let built = try ReportFolderBuilder.build(result, in: parent, finalName: name)
        do throws(ReportError) {
            try Self.replace(folder, with: built.temporary)
        } catch {
            try? FileTree.remove(built.temporary)
            throw error
        }
        Self.syncFolder(parent)
        return WrittenReport(path: folder, report: built.report, bytes: built.bytes)
    }

    /// Writes into the daemon's dated layout, `<root>/YYYY-MM-DD/<HHMMSS>-<product>-<seq>/`
    /// (local time of capture), creating the day folder. A name already taken (a sequence that
    /// restarted) gets `-2`, `-3`, … appended; an existing report is never replaced.
    @discardableResult
    public func write(_ result: InspectionResult, underRoot root: String) throws(ReportError) -> WrittenReport {
        let name = DatedReportName(capturedAt: result.frame.capturedAt, product: result.product,
                                   sequence: result.frame.sequence)
        let day = root + "/" + name.day
        try Self.makeFolders(day)
        let built = try ReportFolderBuilder.build(result, in: day, finalName: name.folder)
        var attempt = 1
        while true {
            let target = day + "/" + name.folder + (attempt == 1 ? "" : "-\(attempt)")
            let code = Self.renameNoReplace(built.temporary, target)
            if code == 0 {
                Self.syncFolder(day)
                return WrittenReport(path: target, report: built.report, bytes: built.bytes)
            }
            guard code == EEXIST || code == ENOTEMPTY, attempt < 1000 else {
                try? FileTree.remove(built.temporary)
                throw .writeFailed(path: target, reason: errnoText(code))
            }
            attempt += 1
        }
    }

    private static func replace(_ folder: String, with temporary: String) throws(ReportError) {
        var code = DirectoryRename.renameNoReplace(temporary, folder)
        if code == 0 { return }
        if code == EINVAL || code == ENOSYS {
            code = rename(temporary, folder) == 0 ? 0 : errno
            if code == 0 { return }
        }
        guard code == EEXIST || code == ENOTEMPTY else { throw .writeFailed(path: folder, reason: errnoText(code)) }
        code = DirectoryRename.exchange(temporary, folder)
        if code == EINVAL || code == ENOSYS {
            try replaceInTwoSteps(folder, with: temporary)
            return
        }
        guard code == 0 else { throw .writeFailed(path: folder, reason: errnoText(code)) }
        // The temporary name now holds the old report.
        try? FileTree.remove(temporary)
    }

    private static func replaceInTwoSteps(_ folder: String, with temporary: String) throws(ReportError) {
        let aside = temporary + "-old"
        guard rename(folder, aside) == 0 else { throw .writeFailed(path: folder, reason: errnoText(errno)) }
        guard rename(temporary, folder) == 0 else {
            let reason = errnoText(errno)
            rename(aside, folder)
            throw .writeFailed(path: folder, reason: reason)
        }
        try? FileTree.remove(aside)
    }

    /// RENAME_NOREPLACE where the file system has it, else `rename`, which still refuses to
    /// replace a non-empty folder (ENOTEMPTY) and every report folder holds files.
    private static func renameNoReplace(_ from: String, _ to: String) -> Int32 {
        let code = DirectoryRename.renameNoReplace(from, to)
        guard code == EINVAL || code == ENOSYS else { return code }
        return rename(from, to) == 0 ? 0 : errno
    }

    /// `mkdir -p`: every missing component with mode 0777 less the umask.
    static func makeFolders(_ path: String) throws(ReportError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o777) == 0 { continue }
            let code = errno
            var info = stat()
            guard code == EEXIST, stat(prefix, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw .writeFailed(path: prefix, reason: errnoText(code == EEXIST ? ENOTDIR : code))
            }
        }
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        return (parent, String(trimmed[trimmed.index(after: slash)...]))
    }

    /// Best effort: the rename is done; the fsync only makes it survive a power cut.
    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
