/// How to capture from a V4L2 camera; every field except the path has a sensible default.
public struct V4L2Configuration: Sendable, Equatable {
    public var path: String
    /// Names the source in frames and reports; the path if not set.
    public var sourceID: String
    /// The camera format to use; nil picks the first of `PixelFormat.preferred` the camera has.
    public var pixelFormat: PixelFormat?
    /// nil takes the largest size the camera offers in that format.
    public var size: FrameSize?
    public var framesPerSecond: Double?
    /// mmap buffers shared with the driver: enough to ride out a slow frame, few enough to keep
    /// latency low.
    public var bufferCount = 4
    /// Manual exposure (V4L2_CID_EXPOSURE_ABSOLUTE, in 100 µs units) and gain, set when the
    /// camera exposes them; otherwise the status carries a warning.
    public var exposure: Int?
    public var gain: Int?
    /// No frame for this long and the source reports `stalled`.
    public var stallTimeout: Duration = .seconds(2)
    /// After this many consecutive stall timeouts the stream is closed and reopened: a USB
    /// camera that stopped sending rarely recovers without a fresh STREAMON.
    public var stallsBeforeRestart = 3
    public var reconnectInitialDelay: Duration = .milliseconds(100)
    public var reconnectMaximumDelay: Duration = .seconds(5)

    public init(path: String, sourceID: String? = nil) {
        self.path = path
        self.sourceID = sourceID ?? path
    }
}
