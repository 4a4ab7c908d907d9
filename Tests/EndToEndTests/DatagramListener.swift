import Foundation
import Synchronization
import Synchronization

/// A Unix datagram socket bound at a path, collecting what arrives on a thread of its own: it
/// stands in for journald (`/run/systemd/journal/socket`) and for systemd's `NOTIFY_SOCKET`.
final class DatagramListener: Sendable {
    let path: String
    private let fd: Int32
    private let shared = Shared()
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, Self.withAddress(path, { bind(fd, $0, $1) }) == 0 else {
            throw TestFailure("bind \(path): \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Captures the parts, not self: the thread must not keep the listener alive.
        let thread = Thread { [fd, shared, done] in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while !shared.stopped.load(ordering: .relaxed) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { shared.received.withLock { $0.append(Array(buffer[0..<n])) } }
            }
            done.signal()
        }
        thread.start()
    }

    deinit {
        shared.stopped.store(true, ordering: .relaxed)
        done.wait()
        close(fd)
        unlink(path)
    }

    var datagrams: [[UInt8]] { shared.received.withLock { $0 } }

    private final class Shared: Sendable {
        let received = Mutex<[[UInt8]]>([])
        let stopped = Atomic<Bool>(false)
    }

    /// Journal datagrams as field lists (native protocol: `NAME=value\n`, or the binary form).
    var journalEntries: [[String: String]] {
        datagrams.map { JournalProtocol.parse($0) }
    }

    /// sd_notify datagrams as their assignment lines.
    var notifications: [String] {
        datagrams.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
    }

    static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
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

/// The journal's native datagram format, as journald reads it.
enum JournalProtocol {
    static func parse(_ bytes: [UInt8]) -> [String: String] {
        var fields = [String: String]()
        var i = 0
        while i < bytes.count {
            guard let end = bytes[i...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else { break }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                fields[name] = String(decoding: bytes[(end + 1)..<newline], as: UTF8.self)
                i = newline + 1
            } else {
                guard end + 9 <= bytes.count else { break }
                let length = (0..<8).reduce(0) { $0 | Int(bytes[end + 1 + $1]) << (8 * $1) }
                let start = end + 9
                guard start + length <= bytes.count else { break }
                fields[name] = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                i = start + length + 1
            }
        }
        return fields
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
