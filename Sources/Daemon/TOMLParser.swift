import Foundation

/// Parses the TOML subset rgid's configuration needs, strictly, keeping the line of every key:
/// `key = value` (bare, quoted and dotted keys), `[table]`, `[[array of tables]]`, basic and
/// literal strings, integers (with `_`, hex, octal, binary), floats, booleans, arrays (over
/// several lines) and inline tables. Not supported, and reported as such: multi-line strings
/// and dates. A key defined twice is an error, as in TOML.
public struct TOMLParser {
    private let file: String
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    public static func parse(_ text: String, file: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(file: file, bytes: Array(text.utf8))
        return try parser.document()
    }

    private init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    private mutating func document() throws(TOMLError) -> TOMLTable {
        let root = TOMLTable(line: 1, hasHeader: true)
        var current = root
        while true {
            skipWhitespaceAndComments()
            guard let byte = peek() else { return root }
            if byte == UInt8(ascii: "[") {
                current = try header(root: root)
            } else {
                let keyLine = line
                let path = try key()
                skipSpaces()
                try expect("=", "'=' after the key \(path.joined(separator: "."))")
                skipSpaces()
                let value = try value()
                try define(path, value, line: keyLine, in: current)
            }
            try endOfLine()
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the table that following keys go into.
    private mutating func header(root: TOMLTable) throws(TOMLError) -> TOMLTable {
        let headerLine = line
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        let path = try key()
        skipSpaces()
        try expect("]", "']' closing the table header")
        if isArray { try expect("]", "']]' closing the array-of-tables header") }
        let name = path.joined(separator: ".")
        let parent = try walk(path.dropLast(), from: root, line: headerLine)
        let last = path.last!
        if isArray {
            let table = TOMLTable(line: headerLine, hasHeader: true)
            switch parent[last]?.value {
            case nil:
                parent.set(last, .init(value: .tableArray([table]), line: headerLine))
            case .tableArray(let tables)?:
                parent.set(last, .init(value: .tableArray(tables + [table]), line: parent[last]!.line))
            default:
                throw error("[[\(name)]]: '\(name)' is already defined as another kind of value", line: headerLine)
            }
            return table
        }
        switch parent[last]?.value {
        case nil:
            let table = TOMLTable(line: headerLine, hasHeader: true)
            parent.set(last, .init(value: .table(table), line: headerLine))
            return table
        case .table(let table)? where !table.hasHeader:
            table.hasHeader = true
            return table
        case .table?:
            throw error("table [\(name)] is defined twice (first on line \(parent[last]!.line))", line: headerLine)
        default:
            throw error("[\(name)]: '\(name)' is already defined on line \(parent[last]!.line) as a value", line: headerLine)
        }
    }

    /// The table at `path` below `table`, creating implicit tables; through an array of tables
    /// it continues in the last one, as TOML says.
    private func walk(_ path: ArraySlice<String>, from table: TOMLTable, line: Int) throws(TOMLError) -> TOMLTable {
        var current = table
        for part in path {
            switch current[part]?.value {
            case nil:
                let next = TOMLTable(line: line, hasHeader: false)
                current.set(part, .init(value: .table(next), line: line))
                current = next
            case .table(let next)?:
                current = next
            case .tableArray(let tables)?:
                current = tables.last!
            case let other?:
                throw error("'\(part)' is \(other.kind) (line \(current[part]!.line)), not a table", line: line)
            }
        }
        return current
    }

    private func define(_ path: [String], _ value: TOMLValue, line: Int, in table: TOMLTable) throws(TOMLError) {
        let parent = try walk(path.dropLast(), from: table, line: line)
        let last = path.last!
        if let existing = parent[last] {
            throw error("key '\(path.joined(separator: "."))' is defined twice (first on line \(existing.line))", line: line)
        }
        parent.set(last, .init(value: value, line: line))
    }

    // MARK: keys and values

    private mutating func key() throws(TOMLError) -> [String] {
        var parts = [String]()
        while true {
            skipSpaces()
            guard let byte = peek() else { throw error("a key is missing") }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                parts.append(try string())
            } else {
                let start = index
                while let b = peek(), Self.isBareKey(b) { index += 1 }
                guard index > start else { throw error("unexpected '\(Self.show(byte))' where a key should be") }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
        }
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw error("a value is missing") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try string())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        default:
            let start = index
            while let b = peek(), Self.isBareValue(b) { index += 1 }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !word.isEmpty else { throw error("unexpected '\(Self.show(byte))' where a value should be") }
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            if let integer = Self.integer(word) { return .integer(integer) }
            if let float = Self.float(word) { return .float(float) }
            throw error("'\(word)' is not a valid value (strings need quotes; dates are not supported)")
        }
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        index += 1
        var items = [TOMLValue]()
        while true {
            skipWhitespaceAndComments()
            if peek() == UInt8(ascii: "]") { index += 1; return .array(items) }
            items.append(try value())
            skipWhitespaceAndComments()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            try expect("]", "',' or ']' in the array")
            return .array(items)
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        let table = TOMLTable(line: line, hasHeader: true)
        index += 1
        skipSpaces()
        if peek() == UInt8(ascii: "}") { index += 1; return .table(table) }
        while true {
            skipSpaces()
            let keyLine = line
            let path = try key()
            skipSpaces()
            try expect("=", "'=' after the key \(path.joined(separator: "."))")
            skipSpaces()
            try define(path, try value(), line: keyLine, in: table)
            skipSpaces()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            try expect("}", "',' or '}' in the inline table")
            return .table(table)
        }
    }

    private mutating func string() throws(TOMLError) -> String {
        let quote = bytes[index]
        if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
            throw error("multi-line strings are not supported")
        }
        index += 1
        var out = [UInt8]()
        while let byte = peek() {
            index += 1
            if byte == quote { return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            guard quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard let escape = peek() else { break }
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(escape)
            case UInt8(ascii: "\\"): out.append(escape)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "u") ? 4 : 8
                guard index + count <= bytes.count,
                      let code = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(code)
                else { throw error("invalid \\\(Self.show(escape)) escape in a string") }
                index += count
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("invalid escape '\\\(Self.show(escape))' in a string")
            }
        }
        throw error("string is not closed on its line")
    }

    // MARK: scanning

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ character: Unicode.Scalar, _ what: String) throws(TOMLError) {
        guard peek() == UInt8(ascii: character) else {
            throw error("expected \(what), found " + (peek().map { "'\(Self.show($0))'" } ?? "the end of the file"))
        }
        index += 1
    }

    private mutating func skipSpaces() {
        while let b = peek(), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { index += 1 }
    }

    private mutating func skipComment() {
        guard peek() == UInt8(ascii: "#") else { return }
        while let b = peek(), b != UInt8(ascii: "\n") { index += 1 }
    }

    private mutating func skipWhitespaceAndComments() {
        while true {
            skipSpaces()
            skipComment()
            guard let b = peek(), b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") else { return }
            if b == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
    }

    /// After a key-value pair or a header only a comment may follow on the line.
    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        skipComment()
        if peek() == UInt8(ascii: "\r") { index += 1 }
        guard let b = peek() else { return }
        guard b == UInt8(ascii: "\n") else { throw error("unexpected '\(Self.show(b))' after the value (one key per line)") }
        index += 1
        line += 1
    }

    private func error(_ reason: String, line: Int? = nil) -> TOMLError {
        TOMLError(file: file, line: line ?? self.line, reason: reason)
    }

    // MARK: lexical classes

    private static func isBareKey(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    private static func isBareValue(_ b: UInt8) -> Bool {
        isBareKey(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
    }

    private static func show(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "\\u{\(String(b, radix: 16))}"
    }

    /// Underscores only between digits, as TOML requires.
    private static func digits(_ text: Substring) -> String? {
        guard !text.isEmpty, text.first != "_", text.last != "_", !text.contains("__") else { return nil }
        return text.replacingOccurrences(of: "_", with: "")
    }

    static func integer(_ word: String) -> Int? {
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where word.hasPrefix(prefix) {
            return digits(word.dropFirst(2)).flatMap { Int($0, radix: radix) }
        }
        var body = Substring(word)
        var sign = 1
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        guard let text = digits(body), text.allSatisfy(\.isASCIIDigitCharacter),
              text == "0" || !text.hasPrefix("0"), let value = Int(text) else { return nil }
        return sign * value
    }

    static func float(_ word: String) -> Double? {
        switch word {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard let text = digits(Substring(word)),
              text.allSatisfy({ $0.isASCIIDigitCharacter || "+-.eE".contains($0) }),
              !text.hasPrefix("."), !text.hasSuffix("."), !text.contains(".e"), !text.contains(".E")
        else { return nil }
        return Double(text)
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
