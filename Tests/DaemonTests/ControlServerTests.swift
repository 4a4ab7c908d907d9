import Foundation
import Glibc
import Testing
@testable import Daemon

/// The control socket over a real Unix socket: framing, errors, limits and peer checks.
struct ControlServerTests {
    static func status(product: String) -> DaemonStatus {
        DaemonStatus(version: "t", pid: 1, state: .running, startedAt: Date(timeIntervalSince1970: 0), uptimeSeconds: 5,
                     configFile: "/etc/rgid.toml", activeProduct: product,
                     camera: .init(source: "replay:x", state: "streaming", format: nil, framesPerSecond: 2, frames: 10,
                                   droppedByCamera: 0, droppedBehind: 1, corrupt: 0, reconnects: 0, lastError: nil),
                     products: [], reports: .init(folder: "/r", written: 1, failed: 0, dropped: 0, bytes: 10, count: 1,
                                                  maxBytes: nil, lastError: nil))
    }

    static let patience = 600

    @Test func answersEachRequestLineAndKeepsServingAfterBadOnes() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/control.sock"
        let server = try ControlServer(path: path) { request in
            request.command == .use ? .success("switched", status: Self.status(product: request.product ?? ""))
                : .success(nil, status: Self.status(product: "brick"))
        }
        server.start()
        defer { server.stop() }

        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o660)

        // The handler runs on the cooperative pool, which the suite's blocking tests (subprocesses,
        // long computations) can hold on two cores for more than a minute: wait for it generously.
        let client = ControlClient(path: path, timeoutSeconds: Self.patience)
        let switched = try await offPool { try client.send(ControlRequest(command: .use, product: "grass")) }
        #expect(switched.status?.activeProduct == "grass")
        let malformed = try await offPool { try client.exchange(Array("[1,2\n".utf8)) }
        let malformedResponse = try ControlCoding.decode(ControlResponse.self, from: malformed)
        #expect(!malformedResponse.ok && malformedResponse.error!.hasPrefix("malformed request"))
        let unknown = try await offPool { try client.exchange(Array("{\"command\":\"fly\"}\n".utf8)) }
        #expect(!(try ControlCoding.decode(ControlResponse.self, from: unknown)).ok)
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: ControlCoding.maxRequestBytes * 2)
        let oversized = try await offPool { try client.exchange(huge) }
        #expect(try ControlCoding.decode(ControlResponse.self, from: oversized).error
                == "request longer than \(ControlCoding.maxRequestBytes) bytes")
        let status = try await offPool { try client.send(ControlRequest(command: .status)) }
        #expect(status.status?.activeProduct == "brick")
    }

    @Test func refusesASecondServerOnALiveSocketAndReplacesAStaleOne() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/control.sock"
        let first = try ControlServer(path: path) { _ in .failure("first") }
        first.start()
        #expect(throws: ControlServer.ServerError.self) { try ControlServer(path: path) { _ in .failure("second") } }
        first.stop()
        // A socket file left by a dead daemon: nobody listens, so it is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(ControlServer.withAddress(path) { bind(stale, $0, $1) } == 0)
        close(stale)
        let second = try ControlServer(path: path) { _ in .failure("second") }
        second.start()
        let answer = try await offPool { try ControlClient(path: path, timeoutSeconds: Self.patience).send(ControlRequest(command: .status)) }
        #expect(answer.error == "second")
        second.stop()
    }

    @Test func peerCredentialsAllowRootTheDaemonsUserAndGroupOnly() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        var peer = try #require(PeerCredentials(socket: pair[0]))
        #expect(peer.pid == getpid() && peer.uid == getuid())
        peer.uid = 1234
        peer.gid = 1234
        let groups = peer.supplementaryGroups()
        let outsider = gid_t(54321)
        #expect(!groups.contains(outsider))
        #expect(!peer.isAllowed(daemonUID: 999, daemonGID: outsider))
        #expect(peer.isAllowed(daemonUID: 1234, daemonGID: outsider))
        #expect(peer.isAllowed(daemonUID: 999, daemonGID: 1234))
        peer.uid = 0
        #expect(peer.isAllowed(daemonUID: 999, daemonGID: outsider))
    }
}
