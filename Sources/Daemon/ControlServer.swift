import Dispatch
import Foundation
import Glibc
import Synchronization

/// The control socket: a Unix stream socket, mode 0660, one JSON request and one JSON response
/// per line. Served on its own thread, one connection at a time (requests are rare and short);
/// a client that sends nothing for `idleTimeout` is disconnected so it cannot block others.
/// Peers are checked with SO_PEERCRED; a malformed or oversized request gets an error response
/// and the server goes on.
public final class ControlServer: Sendable {
    public typealias Handler = @Sendable (ControlRequest) async -> ControlResponse

    public enum ServerError: Error, CustomStringConvertible {
        case socket(path: String, call: String, reason: String)
        case inUse(path: String)

        public var description: String {
            switch self {
            case let .socket(path, call, reason): return "control socket \(path): \(call) failed: \(reason)"
            case .inUse(let path): return "control socket \(path) is in use: is another rgid running?"
            }
        }
    }

    public let path: String
    private let listener: Int32
    private let handler: Handler
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let idleTimeout: Int

    /// Binds and listens at once, so that a client connecting right after start is served.
    public init(path: String, idleTimeoutSeconds: Int = 5, handler: @escaping Handler) throws(ServerError) {
        self.path = path
        self.handler = handler
        idleTimeout = idleTimeoutSeconds
        if Self.isLive(path) { throw .inUse(path: path) }
        unlink(path)  // a stale socket of a daemon that died
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket(path: path, call: "socket", reason: String(cString: strerror(errno))) }
        // The mode is set on the file below; the umask keeps it private until then.
        let previous = umask(0o177)
        let bound = Self.withAddress(path) { bind(fd, $0, $1) }
        let code = errno
        umask(previous)
        guard bound == 0 else {
            close(fd)
            throw .socket(path: path, call: "bind", reason: String(cString: strerror(code)))
        }
        guard chmod(path, 0o660) == 0, listen(fd, 8) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .socket(path: path, call: "listen", reason: reason)
        }
        listener = fd
    }

    /// Serves on a new thread until `stop()`.
    public func start() {
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "rgid control"
        thread.start()
    }

    /// Stops accepting, waits for the serving thread, and removes the socket file.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        finished.wait()
        close(listener)
        unlink(path)
    }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            // Not inherited by anything the daemon might start.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        guard let peer = PeerCredentials(socket: client), peer.isAllowed() else {
            let who = PeerCredentials(socket: client).map { "uid \($0.uid)" } ?? "unknown peer"
            reply(.failure("permission denied: \(who) is not root, the daemon's user or in its group"), to: client)
            return
        }
        var timeout = timeval(tv_sec: idleTimeout, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .relaxed) {
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")), newline <= ControlCoding.maxRequestBytes {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                guard reply(answer(line), to: client) else { return }
            }
            if pending.count > ControlCoding.maxRequestBytes {
                // The rest of the line cannot be told from a next request: answer and hang up.
                reply(.failure("request longer than \(ControlCoding.maxRequestBytes) bytes"), to: client)
                return
            }
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[0..<count])
        }
    }

    private func answer(_ line: [UInt8]) -> ControlResponse {
        let request: ControlRequest
        do {
            request = try ControlCoding.decode(ControlRequest.self, from: line)
        } catch {
            return .failure("malformed request: expected one JSON object such as {\"command\":\"status\"}")
        }
        // The handler is async (it awaits the stages); this thread waits for it.
        let box = Mutex<ControlResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task { [handler] in
            let response = await handler(request)
            box.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }

    @discardableResult
    private func reply(_ response: ControlResponse, to client: Int32) -> Bool {
        guard let bytes = try? ControlCoding.encode(response) else { return false }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    static func isLive(_ path: String) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(probe) }
        return withAddress(path) { connect(probe, $0, $1) } == 0
    }

    static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { errno = ENAMETOOLONG; return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
