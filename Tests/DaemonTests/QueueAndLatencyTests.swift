import Testing
@testable import Daemon

struct QueueAndLatencyTests {
    @Test func boundedQueueRefusesWhenFullAndDrainsAfterFinish() async {
        let queue = BoundedQueue<Int>(capacity: 2)
        #expect(queue.offer(1) && queue.offer(2))
        #expect(!queue.offer(3), "full: refused, the producer does not wait")
        queue.finish()
        #expect(!queue.offer(4), "finished: refused")
        #expect(await queue.next() == 1)
        #expect(await queue.next() == 2)
        #expect(await queue.next() == nil)
    }

    @Test func boundedQueueHandsAnElementToAWaitingConsumer() async {
        let queue = BoundedQueue<Int>(capacity: 1)
        async let first = queue.next()
        while !queue.offer(7) {}  // taken directly by the consumer or queued
        #expect(await first == 7)
        queue.finish()
        #expect(await queue.next() == nil)
    }

    @Test func latencyPercentilesUseTheRecentWindow() {
        var window = LatencyWindow(capacity: 100)
        #expect(window.percentile(50) == nil)
        for ms in 1...100 { window.add(Double(ms)) }
        #expect(window.percentile(50) == 50 && window.percentile(95) == 95 && window.percentile(100) == 100)
        for _ in 1...100 { window.add(1000) }
        #expect(window.percentile(50) == 1000, "old samples are replaced")
    }
}
