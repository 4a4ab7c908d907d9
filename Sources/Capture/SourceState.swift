/// Where a frame source stands; shown by `rgictl status`.
public enum SourceState: String, Sendable, Codable {
    /// Not started yet, or stopped.
    case idle
    /// Frames are flowing.
    case streaming
    /// The device is open but no frame arrived within the stall timeout.
    case stalled
    /// The device is gone (missing at start, unplugged, failed); waiting to retry.
    case disconnected
    /// Opening and configuring the device again.
    case reconnecting
    /// A finite source (replay without looping) delivered everything.
    case finished
}
