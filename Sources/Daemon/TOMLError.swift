/// A TOML syntax error at a line of a file.
public struct TOMLError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var reason: String

    public var description: String { "\(file):\(line): \(reason)" }
}
