/// A snapshot of a source's state and counters.
public struct SourceStatus: Sendable, Equatable, Codable {
    public var state: SourceState = .idle
    /// Frames handed to the ring.
    public var frames: UInt64 = 0
    /// Frames lost before reaching us, from gaps in the device's sequence numbers.
    public var droppedFrames: UInt64 = 0
    /// Frames received but unusable (a corrupt or short MJPEG frame).
    public var corruptFrames: UInt64 = 0
    /// Successful re-opens after the device was lost or stalled.
    public var reconnects: UInt64 = 0
    /// Times frames stopped for longer than the stall timeout.
    public var stalls: UInt64 = 0
    /// What is being captured, e.g. "GREY 1280x1024 @ 30 fps".
    public var mode: String?
    /// The last fault, with the device or file it concerns.
    public var lastError: String?
    /// Configuration the device could not honour (a control it does not expose).
    public var warnings: [String] = []

    public init() {}
}
