import Foundation

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`,
/// then the raw little-endian tensor bytes, offsets relative to the end of the header. Every byte
/// of the data section belongs to exactly one tensor.
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32"

    public var byteSize: Int {
        switch self {
        case .f16, .bf16: return 2
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        }
    }
}

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case truncated(file: String, reason: String)
    case badHeader(file: String, reason: String)
    case badEntry(file: String, tensor: String, reason: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case missingTensor(file: String, tensor: String)
    case shapeMismatch(file: String, tensor: String, found: [Int], expected: [Int])
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read safetensors file: \(r)"
        case let .truncated(f, r): return "\(f): truncated safetensors file: \(r)"
        case let .badHeader(f, r): return "\(f): bad safetensors header: \(r)"
        case let .badEntry(f, t, r): return "\(f): tensor '\(t)': \(r)"
        case let .unsupportedDType(f, t, d): return "\(f): tensor '\(t)' has dtype \(d); supported: F32, F16, BF16, F64, I64, I32"
        case let .missingTensor(f, t): return "\(f): tensor '\(t)' is missing"
        case let .shapeMismatch(f, t, found, expected): return "\(f): tensor '\(t)' has shape \(found), the model expects \(expected)"
        case let .writeFailed(f, r): return "\(f): cannot write safetensors file: \(r)"
        }
    }
}

public struct SafeTensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data section.
    public let range: Range<Int>
}

/// A parsed safetensors file held in memory. Parsing validates the whole header (types, shapes,
/// offsets, coverage of the data section), so a corrupt file fails here with an error naming the
/// file, never later with a crash.
public struct SafeTensorsFile: Sendable {
    /// Header size above which a file is rejected, as the reference implementation does.
    public static let maxHeaderBytes = 100_000_000

    public let name: String
    public let metadata: [String: String]
    public let entries: [SafeTensorsEntry]
    private let bytes: [UInt8]
    private let dataStart: Int

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw SafeTensorsError.unreadable(file: path, reason: reason)
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    public init(bytes: [UInt8], name: String = "<memory>") throws {
        self.name = name
        guard bytes.count >= 8 else {
            throw SafeTensorsError.truncated(file: name, reason: "\(bytes.count) bytes, less than the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw SafeTensorsError.badHeader(file: name, reason: "header length \(headerLength) exceeds \(Self.maxHeaderBytes) bytes")
        }
        guard Int(headerLength) <= bytes.count - 8 else {
            throw SafeTensorsError.truncated(file: name, reason: "header of \(headerLength) bytes but only \(bytes.count - 8) follow")
        }
        let headerEnd = 8 + Int(headerLength)
        let header = bytes[8..<headerEnd]
        guard header.first == UInt8(ascii: "{") else {
            throw SafeTensorsError.badHeader(file: name, reason: "header does not start with '{'")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(header), options: [])
        } catch {
            throw SafeTensorsError.badHeader(file: name, reason: "invalid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else {
            throw SafeTensorsError.badHeader(file: name, reason: "header is not a JSON object")
        }
        let dataSize = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var entries: [SafeTensorsEntry] = []
        for (key, value) in object {
            if key == "__metadata__" {
                guard let dict = value as? [String: Any] else {
                    throw SafeTensorsError.badHeader(file: name, reason: "__metadata__ is not an object")
                }
                for (k, v) in dict {
                    guard let s = v as? String else {
                        throw SafeTensorsError.badHeader(file: name, reason: "__metadata__ value for '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try Self.parseEntry(key, value, dataSize: dataSize, file: name))
        }
        entries.sort { $0.range.lowerBound < $1.range.lowerBound || ($0.range.lowerBound == $1.range.lowerBound && $0.name < $1.name) }
        var next = 0
        for e in entries {
            guard e.range.lowerBound == next else {
                let what = e.range.lowerBound < next ? "overlaps the tensor before it" : "leaves a gap of \(e.range.lowerBound - next) bytes before it"
                throw SafeTensorsError.badEntry(file: name, tensor: e.name, reason: "data \(what)")
            }
            next = e.range.upperBound
        }
        guard next == dataSize else {
            throw SafeTensorsError.badHeader(file: name, reason: "tensors cover \(next) of the \(dataSize) data bytes")
        }
        self.metadata = metadata
        self.entries = entries
        self.bytes = bytes
        self.dataStart = headerEnd
    }

    private static func parseEntry(_ key: String, _ value: Any, dataSize: Int, file: String) throws -> SafeTensorsEntry {
        guard let dict = value as? [String: Any] else {
            throw SafeTensorsError.badEntry(file: file, tensor: key, reason: "entry is not an object")
        }
        guard let dtypeName = dict["dtype"] as? String else {
            throw SafeTensorsError.badEntry(file: file, tensor: key, reason: "missing or non-string dtype")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unsupportedDType(file: file, tensor: key, dtype: dtypeName)
        }
        guard let shape = integers(dict["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.badEntry(file: file, tensor: key, reason: "shape is not a list of non-negative integers")
        }
        guard let offsets = integers(dict["data_offsets"]), offsets.count == 2,
              offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw SafeTensorsError.badEntry(file: file, tensor: key, reason: "data_offsets is not [begin, end] with 0 ≤ begin ≤ end")
        }
        guard offsets[1] <= dataSize else {
            throw SafeTensorsError.truncated(file: file, reason: "tensor '\(key)' ends at byte \(offsets[1]) of a \(dataSize)-byte data section")
        }
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= dataSize else {
                throw SafeTensorsError.badEntry(file: file, tensor: key, reason: "shape \(shape) is larger than the file")
            }
            elements = product
        }
        guard elements * dtype.byteSize == offsets[1] - offsets[0] else {
            throw SafeTensorsError.badEntry(
                file: file, tensor: key,
                reason: "shape \(shape) of \(dtype.rawValue) needs \(elements * dtype.byteSize) bytes, data_offsets give \(offsets[1] - offsets[0])")
        }
        return SafeTensorsEntry(name: key, dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var out: [Int] = []
        for v in list {
            // Values beyond 2^53 cannot be exact offsets into a file held in memory anyway.
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else { return nil }
            out.append(i)
        }
        return out
    }

    public func entry(_ tensorName: String) -> SafeTensorsEntry? { entries.first { $0.name == tensorName } }

    /// The tensor's values converted to Float.
    public func floats(_ tensorName: String) throws -> [Float] {
        guard let e = entry(tensorName) else { throw SafeTensorsError.missingTensor(file: name, tensor: tensorName) }
        let count = e.range.count / e.dtype.byteSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress! + dataStart + e.range.lowerBound
                decode(base, dtype: e.dtype, count: count, into: out.baseAddress!)
            }
            initialized = count
        }
    }

    /// Copies every named tensor out of the file, checking names and shapes first so that a
    /// mismatched file changes nothing.
    public func load(into tensors: [NamedTensor]) throws {
        for t in tensors {
            guard let e = entry(t.name) else { throw SafeTensorsError.missingTensor(file: name, tensor: t.name) }
            guard e.shape == t.dimensions else {
                throw SafeTensorsError.shapeMismatch(file: name, tensor: t.name, found: e.shape, expected: t.dimensions)
            }
        }
        bytes.withUnsafeBytes { raw in
            for t in tensors {
                let e = entry(t.name)!
                decode(raw.baseAddress! + dataStart + e.range.lowerBound, dtype: e.dtype, count: t.tensor.count, into: t.tensor.data)
            }
        }
    }
}

private func decode(_ src: UnsafeRawPointer, dtype: SafeTensorsDType, count: Int, into dst: UnsafeMutablePointer<Float>) {
    switch dtype {
    case .f32:
        for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
    case .f16:
        for i in 0..<count {
            dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
        }
    case .bf16:
        for i in 0..<count {
            dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
    case .f64:
        for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
    case .i64:
        for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
    case .i32:
        for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
    }
}

/// Writes safetensors files in F32 or F16.
public enum SafeTensorsWriter {
    public static func encode(_ tensors: [NamedTensor], dtype: SafeTensorsDType = .f32,
                              metadata: [String: String] = [:]) -> [UInt8] {
        precondition(dtype == .f32 || dtype == .f16, "the writer stores F32 or F16")
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let size = t.tensor.count * dtype.byteSize
            let shape = t.dimensions.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(t.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        let n = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8((n >> (8 * UInt64(i))) & 0xFF)) }
        out += headerBytes
        for t in tensors {
            let p = t.tensor.data
            for i in 0..<t.tensor.count {
                switch dtype {
                case .f16:
                    let bits = Float16(p[i]).bitPattern
                    out.append(UInt8(bits & 0xFF)); out.append(UInt8(bits >> 8))
                default:
                    let bits = p[i].bitPattern
                    for k in 0..<4 { out.append(UInt8((bits >> (8 * UInt32(k))) & 0xFF)) }
                }
            }
        }
        return out
    }

    /// Encodes and writes atomically (temporary file, then rename), so an interrupted save leaves
    /// the previous file intact.
    public static func write(_ tensors: [NamedTensor], to path: String, dtype: SafeTensorsDType = .f32,
                             metadata: [String: String] = [:]) throws {
        let data = Data(encode(tensors, dtype: dtype, metadata: metadata))
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SafeTensorsError.writeFailed(file: path, reason: error.localizedDescription)
        }
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
