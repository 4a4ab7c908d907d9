import Capture
import Foundation
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

    @Test func statusGivesInspectionAndCaptureToResultPercentilesApart() throws {
        let configuration = DaemonConfiguration(
            file: "/etc/rgid.toml", product: "brick", controlSocket: "/run/rgid.sock", modelsInMemory: 1,
            hangTimeout: .seconds(60), camera: CameraConfiguration(source: .replay(ReplayConfiguration(folder: "/f")), queue: 1),
            reports: ReportsConfiguration(folder: "/r"), products: [ProductConfiguration(name: "brick", model: "/m")])
        let board = StatusBoard(configuration: configuration, version: "t")
        // Each frame waited 1000 ms in the camera queue before its inspection.
        for ms in 1...100 {
            board.inspected("brick", milliseconds: Double(ms), sinceCaptureMilliseconds: Double(ms) + 1000,
                            defect: false, overBudget: false, at: Date())
        }
        let status = board.snapshot(camera: SourceStatus(), sourceID: "replay:/f", droppedBehind: 0)
        let brick = try #require(status.products.first)
        #expect(brick.latencyP50Ms == 50 && brick.latencyP95Ms == 95 && brick.latencyP99Ms == 99)
        #expect(brick.sinceCaptureP50Ms == 1050 && brick.sinceCaptureP95Ms == 1095 && brick.sinceCaptureP99Ms == 1099)
        let text = StatusText.render(status)
        #expect(text.contains("latency p50 50 ms p95 95 ms p99 99 ms (budget 2000 ms, 0 over)"))
        #expect(text.contains("capture → result p50 1050 ms p95 1095 ms p99 1099 ms"))
    }
}
