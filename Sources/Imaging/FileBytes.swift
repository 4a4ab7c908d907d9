import Glibc

/// Whole-file reads with errors that name the path and the errno text.
enum FileBytes {
    static func read(_ path: String) throws(ImagingError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: errnoText(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: errnoText(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let reason = info.st_mode & S_IFMT == S_IFDIR ? errnoText(EISDIR) : "not a regular file"
            throw .unreadable(path: path, reason: reason)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: errnoText(errno))
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

/// glibc's strerror is thread-safe since 2.32 (Debian 12 ships 2.36).
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
