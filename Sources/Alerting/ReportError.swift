/// Everything that can go wrong while writing, indexing or pruning reports. Each case names the
/// file or folder involved and, for system calls, the errno text (e.g. "No space left on device"),
/// so the daemon can count the failure and log one readable line.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Creating, writing, syncing or renaming into place failed. `path` is where the file or
    /// folder was meant to end up, never the hidden temporary it was built in.
    case writeFailed(path: String, reason: String)
    /// A report image could not be encoded as PNG.
    case encodeFailed(path: String, reason: String)
    /// A folder or report could not be listed or read (retention, index).
    case unreadable(path: String, reason: String)
    /// A report folder or stale temporary could not be removed (retention).
    case removeFailed(path: String, reason: String)
    /// The inspection result contradicts itself, e.g. a restored image of another size.
    case inconsistentResult(product: String, detail: String)

    public var description: String {
        switch self {
        case .writeFailed(let path, let reason): return "cannot write report file '\(path)': \(reason)"
        case .encodeFailed(let path, let reason): return "cannot encode '\(path)': \(reason)"
        case .unreadable(let path, let reason): return "cannot read '\(path)': \(reason)"
        case .removeFailed(let path, let reason): return "cannot remove '\(path)': \(reason)"
        case .inconsistentResult(let product, let detail):
            return "inspection result for product '\(product)' cannot be reported: \(detail)"
        }
    }
}
