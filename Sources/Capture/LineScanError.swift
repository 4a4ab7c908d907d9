public enum LineScanError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidMode(String)
    /// A strip's width, channel count or format differs from the first strip's.
    case stripMismatch(source: String, expected: String, got: String)

    public var description: String {
        switch self {
        case .invalidMode(let reason):
            return "line-scan assembly: \(reason)"
        case .stripMismatch(let source, let expected, let got):
            return "line-scan strips from \(source) changed shape: expected \(expected), got \(got)"
        }
    }
}
