import Imaging

public enum ReplayError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The folder is missing or unreadable.
    case unreadableFolder(path: String, reason: String)
    /// The folder has no PNG or JPEG files.
    case noImages(folder: String)
    /// Every image in the folder failed to decode; the last reason is kept.
    case noReadableImages(folder: String, lastError: String)

    public var description: String {
        switch self {
        case .unreadableFolder(let path, let reason):
            return "replay folder '\(path)': \(reason)"
        case .noImages(let folder):
            return "replay folder '\(folder)' has no .png or .jpg images"
        case .noReadableImages(let folder, let lastError):
            return "no image in replay folder '\(folder)' could be read (last: \(lastError))"
        }
    }
}
