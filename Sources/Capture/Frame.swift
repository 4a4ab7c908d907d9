import Imaging

/// One picture from a source, ready for inspection: 8-bit pixels, 1 (grey) or 3 (RGB)
/// interleaved channels, whatever the camera sent.
public struct Frame: Sendable {
    public var image: Image
    /// The format the camera delivered (`GREY`, `Y16`, `YUYV`, `RGB3`, `MJPG`, …) before conversion.
    public var pixelFormat: PixelFormat
    /// The source's running frame number. It advances by one per frame plus the frames lost
    /// upstream (V4L2 sequence gaps), and keeps counting across reconnects, so a gap downstream
    /// always means frames the camera took and nobody inspected.
    public var sequence: UInt64
    /// CLOCK_MONOTONIC nanoseconds at capture: the driver's buffer timestamp when it is
    /// monotonic, else the moment the frame was dequeued.
    public var timestamp: UInt64
    public var sourceID: String

    public init(image: Image, pixelFormat: PixelFormat, sequence: UInt64, timestamp: UInt64, sourceID: String) {
        self.image = image
        self.pixelFormat = pixelFormat
        self.sequence = sequence
        self.timestamp = timestamp
        self.sourceID = sourceID
    }

    public var width: Int { image.width }
    public var height: Int { image.height }
    public var channels: Int { image.channels }
    public var pixels: [UInt8] { image.pixels }
}
