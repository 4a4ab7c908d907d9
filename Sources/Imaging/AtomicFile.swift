import Glibc

/// Whole-file writes that are all-or-nothing: readers (operators, `score.py`, a web index)
/// see either the old file or the complete new one, and a crash mid-write leaves the old one.
public enum AtomicFile {
    /// Writes to a hidden temporary name in the same folder (so `rename` stays on one file system),
    /// fsyncs it, renames it over `path`, then fsyncs the folder so the rename survives power loss.
    /// New files get mode 0666 minus the umask, like any ordinary file.
    public static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        let (folder, name) = split(path)
        let (fd, tempPath) = try createTemporary(folder: folder, name: name, for: path)
        do throws(ImagingError) {
            try writeAll(bytes, to: fd, for: path)
            guard fsync(fd) == 0 else { throw .writeFailed(path: path, reason: errnoText(errno)) }
        } catch {
            close(fd)
            unlink(tempPath)
            throw error
        }
        // close can report a delayed write error (e.g. on NFS), so it is checked too.
        guard close(fd) == 0 else {
            let reason = errnoText(errno)
            unlink(tempPath)
            throw .writeFailed(path: path, reason: reason)
        }
        guard rename(tempPath, path) == 0 else {
            let reason = errnoText(errno)
            unlink(tempPath)
            throw .writeFailed(path: path, reason: reason)
        }
        syncFolder(folder)
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// A dot name keeps the temporary out of `ImageFile.imagePaths` and most folder listings;
    /// O_EXCL with a random suffix keeps two concurrent writers of one path apart.
    private static func createTemporary(folder: String, name: String, for path: String)
        throws(ImagingError) -> (Int32, String)
    {
        while true {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let tempPath = (folder == "/" ? "" : folder) + "/." + name + ".tmp-" + suffix
            let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return (fd, tempPath) }
            if errno != EEXIST { throw .writeFailed(path: path, reason: errnoText(errno)) }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, for path: String) throws(ImagingError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: errnoText(errno))
            }
            written += count
        }
    }

    /// Best effort: by now the new file is in place; a failure here only weakens durability
    /// across a power cut, which is no reason to report the write as failed.
    private static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
