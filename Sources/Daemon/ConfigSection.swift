/// Reads one table of the configuration with typed accessors that turn every wrong type or
/// value into a `ConfigError` at the key's line, and remembers which keys were read so that
/// `finish()` can reject the unknown ones (a typo must not be silently ignored).
final class ConfigSection {
    let table: TOMLTable
    let file: String
    /// Dotted path of this table, "" for the top level.
    let path: String
    private var read = Set<String>()

    init(_ table: TOMLTable, file: String, path: String) {
        self.table = table; self.file = file; self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: table[key]?.line ?? table.line, field: field(key), reason: reason)
    }

    /// A missing required key has no line of its own: the table's header line is the best pointer.
    func missing(_ key: String) -> ConfigError {
        ConfigError(file: file, line: table.line, field: field(key), reason: "is required")
    }

    private func entry(_ key: String) -> TOMLValue? {
        read.insert(key)
        return table[key]?.value
    }

    private func mismatch(_ key: String, _ expected: String, _ found: TOMLValue) -> ConfigError {
        error(key, "must be \(expected), not \(found.kind)")
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = entry(key) else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string", value) }
        return text
    }

    /// A string naming one case of `T`; any other string is an error listing the cases.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, of _: T.Type) throws(ConfigError) -> T? where T.RawValue == String {
        guard let name = try string(key) else { return nil }
        guard let value = T(rawValue: name) else {
            let cases = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(key, "must be one of \(cases), not \"\(name)\"")
        }
        return value
    }

    func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key) else { throw missing(key) }
        guard !text.isEmpty else { throw error(key, "must not be empty") }
        return text
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = entry(key) else { return nil }
        guard case .boolean(let flag) = value else { throw mismatch(key, "true or false", value) }
        return flag
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = entry(key) else { return nil }
        guard case .integer(let number) = value else { throw mismatch(key, "an integer", value) }
        guard range.contains(number) else { throw error(key, Self.outside(range, Double(number))) }
        return number
    }

    /// Integers are accepted where a number is asked for (`fps = 30`).
    func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let value = entry(key) else { return nil }
        let number: Double
        switch value {
        case .float(let f): number = f
        case .integer(let i): number = Double(i)
        default: throw mismatch(key, "a number", value)
        }
        guard range.contains(number) else { throw error(key, Self.outside(range, number)) }
        return number
    }

    func integers(_ key: String, count: Int) throws(ConfigError) -> [Int]? {
        guard let value = entry(key) else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, "an array of \(count) integers", value) }
        var out = [Int]()
        for item in items {
            guard case .integer(let number) = item else { throw error(key, "must hold integers only, not \(item.kind)") }
            out.append(number)
        }
        guard out.count == count else { throw error(key, "must hold \(count) integers, not \(out.count)") }
        return out
    }

    func section(_ key: String) throws(ConfigError) -> ConfigSection? {
        guard let value = entry(key) else { return nil }
        guard case .table(let table) = value else { throw mismatch(key, "a table", value) }
        return ConfigSection(table, file: file, path: field(key))
    }

    /// Every key not read is unknown: the first one is reported at its line.
    func finish() throws(ConfigError) {
        if let unknown = table.keys.first(where: { !read.contains($0) }) {
            throw error(unknown, "unknown key" + (path.isEmpty ? "" : " in [\(path)]"))
        }
    }

    private static func outside(_ range: ClosedRange<Double>, _ value: Double) -> String {
        "must be between \(format(range.lowerBound)) and \(format(range.upperBound)), not \(format(value))"
    }

    private static func outside(_ range: ClosedRange<Int>, _ value: Double) -> String {
        if range.upperBound == .max { return "must be at least \(range.lowerBound), not \(format(value))" }
        return outside(Double(range.lowerBound)...Double(range.upperBound), value)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
