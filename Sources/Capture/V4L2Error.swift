import Glibc

/// What can go wrong with a V4L2 device; every message names the device.
public enum V4L2Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// Nothing at the path (not plugged in, wrong number, udev not done yet).
    case deviceMissing(path: String)
    case openFailed(path: String, errno: Int32)
    /// The node exists but cannot capture video (a metadata or output node).
    case notACaptureDevice(path: String, card: String)
    /// An ioctl failed for a reason that is not a lost device.
    case ioctlFailed(path: String, request: String, errno: Int32)
    /// The device went away (ENODEV, EIO, POLLHUP): unplugged, or its driver gave up.
    case disconnected(path: String, errno: Int32)
    /// No frame for longer than the stall timeout, and restarting the stream is due.
    case stalled(path: String, seconds: Double)
    /// None of the formats the device offers is one Capture can read, or not the one asked for.
    case formatUnsupported(path: String, requested: String, available: [String])
    case mmapFailed(path: String, buffer: Int, errno: Int32)
    /// A control the configuration sets is outside the range the device accepts.
    case controlRejected(path: String, control: String, value: Int, errno: Int32)
    /// A frame could not be turned into pixels (corrupt MJPEG, short buffer).
    case corruptFrame(path: String, reason: String)

    public var description: String {
        switch self {
        case .deviceMissing(let path):
            return "\(path): no such device (is the camera plugged in?)"
        case .openFailed(let path, let code):
            return "\(path): cannot open: \(Self.text(code))"
        case .notACaptureDevice(let path, let card):
            return "\(path): '\(card)' is not a video capture device"
        case .ioctlFailed(let path, let request, let code):
            return "\(path): \(request) failed: \(Self.text(code))"
        case .disconnected(let path, let code):
            return "\(path): device lost: \(Self.text(code))"
        case .stalled(let path, let seconds):
            return "\(path): no frame for \(String(format: seconds)) s, restarting the stream"
        case .formatUnsupported(let path, let requested, let available):
            return "\(path): cannot capture \(requested); the device offers \(available.joined(separator: ", "))"
        case .mmapFailed(let path, let buffer, let code):
            return "\(path): cannot map buffer \(buffer): \(Self.text(code))"
        case .controlRejected(let path, let control, let value, let code):
            return "\(path): cannot set \(control) to \(value): \(Self.text(code))"
        case .corruptFrame(let path, let reason):
            return "\(path): unusable frame: \(reason)"
        }
    }

    /// Errors that mean the device itself is gone or broken, so the stream must be reopened.
    static func isDeviceLost(_ code: Int32) -> Bool {
        code == ENODEV || code == EIO || code == ENXIO || code == EPIPE || code == EBADF
    }

    private static func text(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }
}

extension String {
    fileprivate init(format seconds: Double) {
        self = String((seconds * 10).rounded() / 10)
    }
}
