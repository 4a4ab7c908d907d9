import Foundation

/// Stands in for journald: binds a Unix datagram socket at the path libsystemd's
/// `sd_journal_send` writes to and decodes the journal native protocol, so the real
/// `JournalSink` is tested without systemd running. The journal folder is locked (flock)
/// while bound, so two test processes take turns; the socket is removed afterwards.
final class JournalSocketStub {
    static let folder = "/run/systemd/journal"
    static let path = folder + "/socket"

    /// A field as received, and whether it came in the binary form (values with newlines).
    struct Field: Equatable {
        var name: String
        var value: String
        var binary: Bool
    }

    enum StubError: Error, CustomStringConvertible {
        case system(String, Int32)
        case malformed(String)

        var description: String {
            switch self {
            case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
            case .malformed(let detail): return "malformed journal datagram: \(detail)"
            }
        }
    }

    private let socketFD: Int32
    private let lockFD: Int32

    init() throws {
        mkdir("/run/systemd", 0o755)
        mkdir(Self.folder, 0o755)
        lockFD = open(Self.folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lockFD >= 0 else { throw StubError.system("open \(Self.folder)", errno) }
        flock(lockFD, LOCK_EX)
        if Self.isLive() {
            close(lockFD)
            throw StubError.malformed("something (journald?) already listens at \(Self.path)")
        }
        unlink(Self.path)  // a stale socket file of an earlier, killed run
        socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0, Self.withAddress({ bind(socketFD, $0, $1) }) == 0 else {
            let code = errno
            close(lockFD)
            throw StubError.system("bind \(Self.path)", code)
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(socketFD)
        unlink(Self.path)
        close(lockFD)
    }

    /// Leaves the journal path empty (as without journald) while keeping the lock.
    func removeSocketFile() {
        unlink(Self.path)
    }

    /// The next datagram's fields, in order.
    func receive() throws -> [Field] {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw StubError.system("recv from \(Self.path)", errno) }
        return try Self.parse(Array(buffer[0..<count]))
    }

    /// `NAME=value\n`, or for values holding newlines `NAME\n<le64 length><value>\n`.
    static func parse(_ bytes: [UInt8]) throws -> [Field] {
        var fields = [Field]()
        var i = 0
        while i < bytes.count {
            guard let end = bytes[i...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else {
                throw StubError.malformed("field name without end at byte \(i)")
            }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else {
                    throw StubError.malformed("\(name) without final newline")
                }
                fields.append(Field(name: name, value: String(decoding: bytes[(end + 1)..<newline], as: UTF8.self),
                                    binary: false))
                i = newline + 1
            } else {
                guard end + 9 <= bytes.count else { throw StubError.malformed("\(name) cut inside its length") }
                let length = (0..<8).reduce(0) { $0 | Int(bytes[end + 1 + $1]) << (8 * $1) }
                let start = end + 9
                guard length >= 0, start + length < bytes.count, bytes[start + length] == UInt8(ascii: "\n") else {
                    throw StubError.malformed("\(name) declares \(length) bytes that are not there")
                }
                fields.append(Field(name: name, value: String(decoding: bytes[start..<(start + length)], as: UTF8.self),
                                    binary: true))
                i = start + length + 1
            }
        }
        return fields
    }

    /// Nothing answers at the journal path, or only our own stub in another test process.
    static var available: Bool {
        mkdir("/run/systemd", 0o755)
        mkdir(folder, 0o755)
        let lock = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { return false }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        return !isLive()
    }

    private static func isLive() -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(probe) }
        return withAddress { connect(probe, $0, $1) } == 0
    }

    private static func withAddress(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
