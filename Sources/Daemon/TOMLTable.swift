/// A parsed TOML table: its keys in file order, each with the line that defined it, so that
/// configuration errors can name the line. A reference type because the parser fills nested
/// tables in place; it never leaves the thread that parsed it.
public final class TOMLTable {
    public struct Entry {
        public var value: TOMLValue
        public var line: Int
    }

    /// The line of the `[header]` (or of the first key that implied the table).
    public let line: Int
    /// Defined by its own `[header]`: a second header for it is an error.
    var hasHeader: Bool
    public private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(line: Int, hasHeader: Bool) {
        self.line = line
        self.hasHeader = hasHeader
    }

    public subscript(key: String) -> Entry? { entries[key] }

    func set(_ key: String, _ entry: Entry) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = entry
    }
}
