/// The format a device agreed to stream in (after the driver's adjustments).
struct ActiveFormat: Sendable, Equatable {
    var format: PixelFormat
    var size: FrameSize
    /// Row stride of uncompressed formats, which may exceed width × bytes per pixel; 0 for MJPEG.
    var bytesPerLine: Int
    var imageSize: Int
}
