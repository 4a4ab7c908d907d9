/// Turns the device's per-stream V4L2 sequence numbers into the source's running frame number
/// and a count of frames lost in between.
struct SequenceTracker: Sendable {
    /// The running number the next frame gets if nothing is lost.
    private(set) var nextFrame: UInt64 = 0
    private var lastDevice: UInt32?

    /// A new stream (after STREAMON, e.g. on reconnect) restarts device numbering at an
    /// arbitrary value; the running number carries on.
    mutating func restart() { lastDevice = nil }

    /// Records a dequeued buffer; returns its running number and the frames lost before it.
    mutating func observe(deviceSequence: UInt32) -> (frame: UInt64, lost: UInt64) {
        // Wrapping subtraction: the 32-bit counter rolls over after 2^32 frames. A step
        // backwards (a driver that restarted numbering) is no loss, not four billion of them.
        let step = lastDevice.map { deviceSequence &- $0 &- 1 } ?? 0
        let lost = step < UInt32(1) << 31 ? UInt64(step) : 0
        lastDevice = deviceSequence
        let frame = nextFrame + lost
        nextFrame = frame + 1
        return (frame, lost)
    }
}
