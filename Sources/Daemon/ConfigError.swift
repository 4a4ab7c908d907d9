/// A configuration that cannot be used, naming the file, the line and the field at fault, e.g.
/// `config/rgid.toml:14: camera.fps: must be a positive number, not -3`.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    /// nil when the fault is a missing key (there is no line to point at) or an unreadable file.
    public var line: Int?
    /// The dotted path of the key, e.g. `products.brick.roi`; nil for file-level faults.
    public var field: String?
    public var reason: String

    public init(file: String, line: Int?, field: String?, reason: String) {
        self.file = file; self.line = line; self.field = field; self.reason = reason
    }

    public init(_ syntax: TOMLError) {
        self.init(file: syntax.file, line: syntax.line, field: nil, reason: syntax.reason)
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let field { text += ": \(field)" }
        return text + ": " + reason
    }
}
