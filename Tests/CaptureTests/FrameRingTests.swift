import Capture
import Imaging
import Testing

@Suite struct FrameRingTests {
    static func frame(_ sequence: UInt64) throws -> Frame {
        Frame(image: try Image(width: 1, height: 1, channels: 1, pixels: [UInt8(truncatingIfNeeded: sequence)]),
              pixelFormat: .grey, sequence: sequence, timestamp: sequence, sourceID: "test")
    }

    @Test func dropsTheOldestWhenFullAndCountsIt() async throws {
        let ring = FrameRing(capacity: 3)
        for sequence in 0..<10 { ring.push(try Self.frame(UInt64(sequence))) }
        ring.finish()
        var received: [UInt64] = []
        for await frame in ring { received.append(frame.sequence) }
        #expect(received == [7, 8, 9])
        #expect(ring.droppedCount == 7)
    }

    @Test func sendWaitsForRoomAndLosesNothing() async throws {
        let ring = FrameRing(capacity: 2)
        async let produced: Void = {
            for sequence in 0..<50 { await ring.send(try! Self.frame(UInt64(sequence))) }
            ring.finish()
        }()
        var received: [UInt64] = []
        for await frame in ring {
            received.append(frame.sequence)
            await Task.yield()
        }
        await produced
        #expect(received == Array(0..<50))
        #expect(ring.droppedCount == 0)
    }

    @Test func aWaitingConsumerGetsThePushedFrame() async throws {
        let ring = FrameRing(capacity: 1)
        async let first = ring.next()
        try await Task.sleep(for: .milliseconds(20))
        ring.push(try Self.frame(42))
        #expect(await first?.sequence == 42)
    }

    @Test func cancellingTheConsumerEndsTheWait() async throws {
        let ring = FrameRing(capacity: 1)
        let waiter = Task { await ring.next() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == nil)
    }
}
