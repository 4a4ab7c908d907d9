import CV4L2
import Glibc

/// One open V4L2 device node, spoken to through libv4l2 so that libv4lconvert can turn
/// formats Capture does not read itself (YUYV, Bayer, vendor formats) into RGB24.
///
/// Owns its file descriptor (closed on deinit) and is used by one thread at a time, so it is
/// deliberately not Sendable.
final class V4L2Device {
    let path: String
    private let fd: Int32

    /// Opens non-blocking: frames are awaited with `poll` and a timeout, never in DQBUF.
    init(path: String) throws(V4L2Error) {
        self.path = path
        let fd = rgi_v4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? .deviceMissing(path: path) : .openFailed(path: path, errno: code)
        }
        self.fd = fd
    }

    deinit { v4l2_close(fd) }

    /// One ioctl through libv4l2, retried on EINTR. Lost-device errors become `.disconnected`.
    func control<Argument>(_ request: UInt, _ name: String, _ argument: inout Argument) throws(V4L2Error) {
        while true {
            let result = withUnsafeMutablePointer(to: &argument) { rgi_v4l2_ioctl(fd, request, $0) }
            if result >= 0 { return }
            let code = errno
            if code == EINTR { continue }
            throw V4L2Error.isDeviceLost(code)
                ? .disconnected(path: path, errno: code)
                : .ioctlFailed(path: path, request: name, errno: code)
        }
    }

    /// Like `control`, but "this index or id does not exist" (EINVAL, ENOTTY) is `false`.
    func query<Argument>(_ request: UInt, _ name: String, _ argument: inout Argument) throws(V4L2Error) -> Bool {
        do {
            try control(request, name, &argument)
            return true
        } catch .ioctlFailed(_, _, let code) where code == EINVAL || code == ENOTTY {
            return false
        }
    }

    // MARK: - description

    func capability() throws(V4L2Error) -> v4l2_capability {
        var capability = v4l2_capability()
        try control(RGI_VIDIOC_QUERYCAP, "VIDIOC_QUERYCAP", &capability)
        return capability
    }

    /// Formats as libv4l2 lists them: the device's own, then those libv4lconvert emulates.
    func formats() throws(V4L2Error) -> [(format: PixelFormat, description: String, emulated: Bool)] {
        var found: [(PixelFormat, String, Bool)] = []
        for index in 0..<UInt32(256) {
            var description = v4l2_fmtdesc()
            description.index = index
            description.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard try query(RGI_VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", &description) else { break }
            found.append((PixelFormat(fourcc: description.pixelformat),
                          Self.string(description.description),
                          description.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0))
        }
        return found
    }

    /// Discrete sizes; a stepwise range is reported by its smallest and largest size.
    func frameSizes(_ format: PixelFormat) throws(V4L2Error) -> [FrameSize] {
        var sizes: [FrameSize] = []
        for index in 0..<UInt32(1024) {
            var size = v4l2_frmsizeenum()
            size.index = index
            size.pixel_format = format.fourcc
            guard try query(RGI_VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES", &size) else { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append(FrameSize(width: Int(size.discrete.width), height: Int(size.discrete.height)))
            } else {
                let range = size.stepwise
                sizes.append(FrameSize(width: Int(range.min_width), height: Int(range.min_height)))
                sizes.append(FrameSize(width: Int(range.max_width), height: Int(range.max_height)))
                break
            }
        }
        return sizes
    }

    /// Frame rates in frames per second, fastest first.
    func frameRates(_ format: PixelFormat, _ size: FrameSize) throws(V4L2Error) -> [Double] {
        var rates: [Double] = []
        for index in 0..<UInt32(256) {
            var interval = v4l2_frmivalenum()
            interval.index = index
            interval.pixel_format = format.fourcc
            interval.width = UInt32(size.width)
            interval.height = UInt32(size.height)
            guard try query(RGI_VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS", &interval) else { break }
            let fraction = interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue
                ? interval.discrete : interval.stepwise.min
            if fraction.numerator > 0 { rates.append(Double(fraction.denominator) / Double(fraction.numerator)) }
            if interval.type != V4L2_FRMIVAL_TYPE_DISCRETE.rawValue { break }
        }
        return rates.sorted(by: >)
    }

    // MARK: - configuration

    /// Sets the format; the driver may adjust the size, so the result is what it chose.
    func setFormat(_ format: PixelFormat, _ size: FrameSize) throws(V4L2Error) -> ActiveFormat {
        var request = v4l2_format()
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.fmt.pix.pixelformat = format.fourcc
        request.fmt.pix.width = UInt32(size.width)
        request.fmt.pix.height = UInt32(size.height)
        request.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        try control(RGI_VIDIOC_S_FMT, "VIDIOC_S_FMT", &request)
        let pix = request.fmt.pix
        return ActiveFormat(format: PixelFormat(fourcc: pix.pixelformat),
                            size: FrameSize(width: Int(pix.width), height: Int(pix.height)),
                            bytesPerLine: Int(pix.bytesperline), imageSize: Int(pix.sizeimage))
    }

    /// Asks for a frame rate; returns the one the device settled on (nil if it has no such setting).
    func setFrameRate(_ fps: Double) throws(V4L2Error) -> Double? {
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        guard try query(RGI_VIDIOC_G_PARM, "VIDIOC_G_PARM", &parameters),
              parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 else { return nil }
        parameters.parm.capture.timeperframe = v4l2_fract(numerator: 1000, denominator: UInt32((fps * 1000).rounded()))
        try control(RGI_VIDIOC_S_PARM, "VIDIOC_S_PARM", &parameters)
        return frameRate(parameters.parm.capture.timeperframe)
    }

    func frameRate() throws(V4L2Error) -> Double? {
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        guard try query(RGI_VIDIOC_G_PARM, "VIDIOC_G_PARM", &parameters) else { return nil }
        return frameRate(parameters.parm.capture.timeperframe)
    }

    private func frameRate(_ interval: v4l2_fract) -> Double? {
        interval.numerator > 0 ? Double(interval.denominator) / Double(interval.numerator) : nil
    }

    /// The control's range, or nil when the device does not expose it.
    func controlRange(_ id: UInt32) throws(V4L2Error) -> ClosedRange<Int>? {
        var query = v4l2_queryctrl()
        query.id = id
        guard try self.query(RGI_VIDIOC_QUERYCTRL, "VIDIOC_QUERYCTRL", &query),
              query.flags & UInt32(V4L2_CTRL_FLAG_DISABLED) == 0 else { return nil }
        return Int(query.minimum)...Int(max(query.minimum, query.maximum))
    }

    func setControl(_ id: UInt32, name: String, value: Int) throws(V4L2Error) {
        var setting = v4l2_control(id: id, value: Int32(clamping: value))
        do {
            try control(RGI_VIDIOC_S_CTRL, "VIDIOC_S_CTRL", &setting)
        } catch .ioctlFailed(_, _, let code) {
            throw .controlRejected(path: path, control: name, value: value, errno: code)
        }
    }

    /// Every control the device exposes (class headers skipped), in id order.
    func controls() throws(V4L2Error) -> [v4l2_queryctrl] {
        var found: [v4l2_queryctrl] = []
        var next = UInt32(V4L2_CTRL_FLAG_NEXT_CTRL)
        for _ in 0..<1024 {
            var query = v4l2_queryctrl()
            query.id = next
            guard try self.query(RGI_VIDIOC_QUERYCTRL, "VIDIOC_QUERYCTRL", &query) else { break }
            if query.type != V4L2_CTRL_TYPE_CTRL_CLASS.rawValue { found.append(query) }
            next = query.id | UInt32(V4L2_CTRL_FLAG_NEXT_CTRL)
        }
        return found
    }

    func controlValue(_ id: UInt32) throws(V4L2Error) -> Int {
        var value = v4l2_control(id: id, value: 0)
        try control(RGI_VIDIOC_G_CTRL, "VIDIOC_G_CTRL", &value)
        return Int(value.value)
    }

    // MARK: - streaming

    /// Allocates `count` mmap buffers; the driver may grant a different number.
    func requestBuffers(_ count: Int) throws(V4L2Error) -> Int {
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try control(RGI_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
        return Int(request.count)
    }

    func mapBuffer(_ index: Int) throws(V4L2Error) -> UnsafeMutableRawBufferPointer {
        var buffer = Self.buffer(index: index)
        try control(RGI_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer)
        let length = Int(buffer.length)
        guard let address = v4l2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, Int64(buffer.m.offset)),
              address != MAP_FAILED else {
            throw .mmapFailed(path: path, buffer: index, errno: errno)
        }
        return UnsafeMutableRawBufferPointer(start: address, count: length)
    }

    func unmap(_ buffer: UnsafeMutableRawBufferPointer) {
        v4l2_munmap(buffer.baseAddress, buffer.count)
    }

    func queue(_ index: Int) throws(V4L2Error) {
        var buffer = Self.buffer(index: index)
        try control(RGI_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
    }

    /// The next filled buffer, or nil if none is ready yet (EAGAIN: a spurious wake-up).
    func dequeue() throws(V4L2Error) -> v4l2_buffer? {
        var buffer = Self.buffer(index: 0)
        do {
            try control(RGI_VIDIOC_DQBUF, "VIDIOC_DQBUF", &buffer)
            return buffer
        } catch .ioctlFailed(_, _, let code) where code == EAGAIN {
            return nil
        }
    }

    func setStreaming(_ on: Bool) throws(V4L2Error) {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        if on {
            try control(RGI_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
        } else {
            try control(RGI_VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type)
        }
    }

    enum Readiness { case frame, timeout, hangup }

    /// Waits up to `milliseconds` for a filled buffer.
    func wait(milliseconds: Int32) throws(V4L2Error) -> Readiness {
        var entry = pollfd(fd: fd, events: Int16(POLLIN | POLLPRI), revents: 0)
        let result = Glibc.poll(&entry, 1, milliseconds)
        if result < 0 {
            let code = errno
            if code == EINTR { return .timeout }
            throw .ioctlFailed(path: path, request: "poll", errno: code)
        }
        if result == 0 { return .timeout }
        if entry.revents & Int16(POLLHUP | POLLNVAL) != 0 { return .hangup }
        // POLLERR alone also means "not streaming" or a lost device; DQBUF tells which.
        return .frame
    }

    private static func buffer(index: Int) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = UInt32(index)
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }

    /// A fixed-size, NUL-padded C string field of a V4L2 struct.
    static func string<Field>(_ field: Field) -> String {
        withUnsafeBytes(of: field) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
