import CV4L2
import Glibc
import Imaging

/// One streaming session on a device: opened, negotiated, buffers mapped and queued, STREAMON.
/// Closing (deinit) stops the stream and unmaps; a reconnect is a new session.
final class V4L2Stream {
    let device: V4L2Device
    /// The format the camera captures in (what `Frame.pixelFormat` reports).
    let cameraFormat: PixelFormat
    let active: ActiveFormat
    let framesPerSecond: Double?
    /// Settings the device could not honour.
    let warnings: [String]
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private let decoder: FrameDecoder
    private var streaming = false

    enum Outcome {
        case frame(Image, deviceSequence: UInt32, timestamp: UInt64)
        /// Nothing within the wait.
        case timeout
        /// Woken, but no buffer was ready (EAGAIN); wait again.
        case notReady
        /// A frame arrived but cannot be used (corrupt MJPEG, short buffer).
        case corrupt(V4L2Error, deviceSequence: UInt32)
    }

    init(_ configuration: V4L2Configuration) throws(V4L2Error) {
        let device = try V4L2Device(path: configuration.path)
        self.device = device
        let capability = try device.capability()
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
        guard caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0, caps & UInt32(V4L2_CAP_STREAMING) != 0 else {
            throw .notACaptureDevice(path: device.path, card: V4L2Device.string(capability.card))
        }

        let offered = try device.formats()
        let (camera, request) = try Self.negotiate(
            offered.map { ($0.format, $0.emulated) }, requested: configuration.pixelFormat, path: device.path)
        cameraFormat = camera
        let sizes = try device.frameSizes(camera)
        let size = configuration.size
            ?? sizes.max { $0.width * $0.height < $1.width * $1.height }
            ?? FrameSize(width: 640, height: 480)
        active = try device.setFormat(request, size)
        guard active.format == request else {
            throw .formatUnsupported(path: device.path, requested: request.description,
                                     available: offered.map { $0.format.description })
        }
        decoder = try FrameDecoder(active: active, path: device.path)
        var warnings: [String] = []
        if let wanted = configuration.size, wanted != active.size {
            warnings.append("asked for \(wanted), the device chose \(active.size)")
        }
        if let fps = configuration.framesPerSecond {
            framesPerSecond = try device.setFrameRate(fps)
            if framesPerSecond == nil { warnings.append("the device has no frame rate setting") }
        } else {
            framesPerSecond = try device.frameRate()
        }
        warnings += try Self.applyControls(configuration, to: device)
        self.warnings = warnings

        let granted = try device.requestBuffers(configuration.bufferCount)
        for index in 0..<granted {
            buffers.append(try device.mapBuffer(index))
            try device.queue(index)
        }
        try device.setStreaming(true)
        streaming = true
    }

    deinit {
        if streaming { try? device.setStreaming(false) }
        for buffer in buffers { device.unmap(buffer) }
    }

    /// "GREY 1280x1024 @ 30 fps"
    var mode: String {
        let rate = framesPerSecond.map { " @ \(($0 * 100).rounded() / 100) fps" } ?? ""
        let via = active.format == cameraFormat ? "" : " (as \(active.format) via libv4lconvert)"
        return "\(cameraFormat) \(active.size)\(rate)\(via)"
    }

    /// Waits up to `milliseconds` for a frame and converts it; the buffer goes straight back
    /// to the driver, whether or not it could be converted.
    func next(milliseconds: Int32) throws(V4L2Error) -> Outcome {
        switch try device.wait(milliseconds: milliseconds) {
        case .timeout: return .timeout
        case .hangup: throw .disconnected(path: device.path, errno: ENODEV)
        case .frame: break
        }
        guard let buffer = try device.dequeue() else { return .notReady }
        let index = Int(buffer.index)
        let timestamp = buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
            ? UInt64(buffer.timestamp.tv_sec) * 1_000_000_000 + UInt64(buffer.timestamp.tv_usec) * 1000
            : MonotonicClock.now()
        defer { _ = try? device.queue(index) }
        guard index < buffers.count else {
            throw .ioctlFailed(path: device.path, request: "VIDIOC_DQBUF (unknown buffer \(index))", errno: EINVAL)
        }
        let used = buffer.bytesused > 0 ? Int(buffer.bytesused) : buffers[index].count
        do {
            let image = try decoder.decode(UnsafeRawBufferPointer(rebasing: buffers[index].prefix(used)))
            return .frame(image, deviceSequence: buffer.sequence, timestamp: timestamp)
        } catch {
            return .corrupt(error, deviceSequence: buffer.sequence)
        }
    }

    /// Which format to request from libv4l2 for which camera format: the four Capture reads
    /// itself are requested as they are; anything else as RGB24, converted by libv4lconvert.
    static func negotiate(
        _ offered: [(format: PixelFormat, emulated: Bool)], requested: PixelFormat?, path: String
    ) throws(V4L2Error) -> (camera: PixelFormat, request: PixelFormat) {
        let native = offered.filter { !$0.emulated }.map(\.format)
        let readable: Set<PixelFormat> = [.grey, .y16, .rgb24, .mjpeg]
        let convertible = offered.contains { $0.emulated && $0.format == .rgb24 }
        func plan(_ camera: PixelFormat) -> (PixelFormat, PixelFormat) {
            (camera, readable.contains(camera) ? camera : .rgb24)
        }
        if let requested {
            if native.contains(requested), readable.contains(requested) || convertible { return plan(requested) }
            if requested == .rgb24, convertible, let first = native.first { return (first, .rgb24) }
        } else {
            if let best = PixelFormat.preferred.first(where: native.contains), readable.contains(best) || convertible {
                return plan(best)
            }
            if convertible, let first = native.first { return (first, .rgb24) }
        }
        throw .formatUnsupported(path: path, requested: requested?.description ?? "any readable format",
                                 available: native.map(\.description))
    }

    /// Sets exposure and gain where the device has them; returns warnings for those it lacks.
    private static func applyControls(
        _ configuration: V4L2Configuration, to device: V4L2Device
    ) throws(V4L2Error) -> [String] {
        var warnings: [String] = []
        if let exposure = configuration.exposure {
            if try device.controlRange(RGI_V4L2_CID_EXPOSURE_ABSOLUTE) == nil {
                warnings.append("the device has no exposure control; exposure \(exposure) not set")
            } else {
                // Manual mode first, or auto-exposure overrides the value at once.
                if try device.controlRange(RGI_V4L2_CID_EXPOSURE_AUTO) != nil {
                    try device.setControl(RGI_V4L2_CID_EXPOSURE_AUTO, name: "exposure_auto",
                                          value: Int(V4L2_EXPOSURE_MANUAL.rawValue))
                }
                try device.setControl(RGI_V4L2_CID_EXPOSURE_ABSOLUTE, name: "exposure", value: exposure)
            }
        }
        if let gain = configuration.gain {
            if try device.controlRange(RGI_V4L2_CID_GAIN) == nil {
                warnings.append("the device has no gain control; gain \(gain) not set")
            } else {
                try device.setControl(RGI_V4L2_CID_GAIN, name: "gain", value: gain)
            }
        }
        return warnings
    }
}
