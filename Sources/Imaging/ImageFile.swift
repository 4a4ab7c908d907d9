import Glibc

/// Image files whose format is not known in advance (training folders, replay folders).
public enum ImageFile {
    /// Reads a PNG or JPEG, chosen by the file's first bytes rather than its name.
    public static func read(_ path: String) throws(ImagingError) -> Image {
        let bytes = try FileBytes.read(path)
        guard let first = bytes.first else { throw .emptyFile(path: path) }
        switch first {
        case PNG.signature[0]: return try PNG.decode(bytes, source: path)
        case JPEG.signature[0]: return try JPEG.decode(bytes, source: path)
        default:
            throw .notAnImage(path: path, expected: "PNG or JPEG", leadingBytes: Array(bytes.prefix(8)))
        }
    }

    /// Paths of the `*.png`, `*.jpg` and `*.jpeg` files (any letter case) in `folder`, not
    /// recursive, sorted by name. Hidden names are skipped: they are temporaries of
    /// `AtomicFile` or macOS `._` resource forks, never images to train on.
    public static func imagePaths(in folder: String) throws(ImagingError) -> [String] {
        guard let directory = opendir(folder) else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: folder) }
            throw .unreadable(path: folder, reason: errnoText(code))
        }
        defer { closedir(directory) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard !name.hasPrefix("."), isImageName(name) else { continue }
            // stat follows links, so a link to an image counts and a folder named x.png does not.
            var info = stat()
            guard stat(prefix + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted().map { prefix + $0 }
    }

    private static func isImageName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".png") || lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")
    }
}
