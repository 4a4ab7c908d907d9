import Glibc

/// Folder walks with errno-text errors: listing, sizing and removing report folders.
/// Symbolic links are never followed, so a link inside a report cannot make retention
/// count or delete anything outside the reports folder.
enum FileTree {
    struct Entry {
        var name: String
        var isFolder: Bool
        var size: Int64
        var modified: timespec
    }

    /// The entries of `folder` except `.` and `..`, unsorted.
    static func entries(of folder: String) throws(ReportError) -> [Entry] {
        guard let directory = opendir(folder) else {
            throw .unreadable(path: folder, reason: errnoText(errno))
        }
        defer { closedir(directory) }
        var result = [Entry]()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            // Gone between readdir and lstat (a concurrent prune or rename): not an error.
            guard lstat(folder + "/" + name, &info) == 0 else { continue }
            result.append(Entry(name: name, isFolder: info.st_mode & S_IFMT == S_IFDIR,
                                size: Int64(info.st_size), modified: info.st_mtim))
        }
        return result
    }

    /// Whether `path` is a folder (links followed).
    static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Bytes of the files under `folder`, recursively (a link counts its own size).
    static func size(of folder: String) throws(ReportError) -> Int64 {
        var total: Int64 = 0
        for entry in try entries(of: folder) {
            total += entry.isFolder ? try size(of: folder + "/" + entry.name) : entry.size
        }
        return total
    }

    /// Removes `path` and everything under it; a path that is already gone is fine.
    static func remove(_ path: String) throws(ReportError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .removeFailed(path: path, reason: errnoText(errno))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            for entry in try entries(of: path) { try remove(path + "/" + entry.name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw .removeFailed(path: path, reason: errnoText(errno))
            }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .removeFailed(path: path, reason: errnoText(errno))
            }
        }
    }
}

/// glibc's strerror is thread-safe since 2.32 (Debian 12 ships 2.36).
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
