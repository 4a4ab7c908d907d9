@testable import Capture
import Testing

@Suite struct SequenceTrackerTests {
    @Test func countsGapsAcrossTheThirtyTwoBitWrap() {
        var tracker = SequenceTracker()
        #expect(tracker.observe(deviceSequence: UInt32.max - 1) == (0, 0))
        #expect(tracker.observe(deviceSequence: UInt32.max) == (1, 0))
        #expect(tracker.observe(deviceSequence: 2) == (4, 2))  // 0 and 1 lost over the wrap
    }

    @Test func aRestartedStreamContinuesTheRunningNumberWithoutALoss() {
        var tracker = SequenceTracker()
        _ = tracker.observe(deviceSequence: 40)
        _ = tracker.observe(deviceSequence: 41)
        tracker.restart()
        #expect(tracker.observe(deviceSequence: 0) == (2, 0))
        // A driver that steps back without a restart is not four billion frames lost.
        #expect(tracker.observe(deviceSequence: 0) == (3, 0))
    }

    @Test func backoffDoublesUpToTheMaximumAndResets() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        let delays = (0..<5).map { _ in backoff.advance() }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)])
        backoff.reset()
        #expect(backoff.advance() == .milliseconds(100))
    }
}
