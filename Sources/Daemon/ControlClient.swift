import Foundation
import Glibc

/// `rgictl`'s side of the control socket: connects, sends one request line, reads one response.
public struct ControlClient: Sendable {
    public enum ClientError: Error, CustomStringConvertible {
        case connect(path: String, reason: String)
        case io(path: String, reason: String)
        case badResponse(path: String)

        public var description: String {
            switch self {
            case let .connect(path, reason):
                return "cannot connect to rgid at \(path): \(reason) (is rgid running? is --socket right?)"
            case let .io(path, reason): return "control socket \(path): \(reason)"
            case .badResponse(let path): return "control socket \(path): the daemon's answer is not a response"
            }
        }
    }

    public let path: String
    public var timeoutSeconds: Int

    public init(path: String, timeoutSeconds: Int = 60) {
        self.path = path; self.timeoutSeconds = timeoutSeconds
    }

    public func send(_ request: ControlRequest) throws(ClientError) -> ControlResponse {
        guard let bytes = try? ControlCoding.encode(request) else { throw .badResponse(path: path) }
        let line = try exchange(bytes)
        guard let response = try? ControlCoding.decode(ControlResponse.self, from: line) else {
            throw .badResponse(path: path)
        }
        return response
    }

    /// Sends raw bytes and returns the first response line (tests send malformed requests).
    public func exchange(_ bytes: [UInt8]) throws(ClientError) -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connect(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard ControlServer.withAddress(path, { connect(fd, $0, $1) }) == 0 else {
            throw .connect(path: path, reason: String(cString: strerror(errno)))
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The daemon may answer and close before reading everything (an oversized request).
            guard n > 0 else { break }
            sent += n
        }
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !received.contains(UInt8(ascii: "\n")) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else {
                if n < 0 { throw .io(path: path, reason: String(cString: strerror(errno))) }
                break
            }
            received.append(contentsOf: chunk[0..<n])
        }
        guard let newline = received.firstIndex(of: UInt8(ascii: "\n")) else { throw .badResponse(path: path) }
        return Array(received[..<newline])
    }
}
