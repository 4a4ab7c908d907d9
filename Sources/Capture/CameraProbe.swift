import CV4L2
import Glibc

/// Finds and describes V4L2 devices (for `rgictl camera list` and `probe`).
public enum CameraProbe {
    /// The `video*` nodes in `folder`, in numeric order (video2 before video10).
    public static func devicePaths(in folder: String = "/dev") -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = V4L2Device.string(entry.pointee.d_name)
            if name.hasPrefix("video"), Int(name.dropFirst(5)) != nil { names.append(name) }
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return names.sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }.map { prefix + $0 }
    }

    /// Identity only (driver, card, bus, whether it captures): cheap enough for a listing.
    public static func identify(_ path: String) throws(V4L2Error) -> CameraInfo {
        try describe(V4L2Device(path: path), formats: false)
    }

    /// Identity, every format with its sizes and frame rates, and the controls with their values.
    public static func probe(_ path: String) throws(V4L2Error) -> CameraInfo {
        try describe(V4L2Device(path: path), formats: true)
    }

    private static func describe(_ device: V4L2Device, formats listFormats: Bool) throws(V4L2Error) -> CameraInfo {
        let capability = try device.capability()
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
        var info = CameraInfo(
            path: device.path, driver: V4L2Device.string(capability.driver),
            card: V4L2Device.string(capability.card), busInfo: V4L2Device.string(capability.bus_info),
            canCapture: caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0, formats: [], controls: [])
        guard listFormats, info.canCapture else { return info }
        for offered in try device.formats() {
            var modes: [CameraInfo.Mode] = []
            for size in try device.frameSizes(offered.format) {
                modes.append(CameraInfo.Mode(width: size.width, height: size.height,
                                             framesPerSecond: try device.frameRates(offered.format, size)))
            }
            info.formats.append(CameraInfo.Format(fourcc: offered.format.description, description: offered.description,
                                                  emulated: offered.emulated, modes: modes))
        }
        for control in try device.controls() {
            let readable = control.flags & UInt32(V4L2_CTRL_FLAG_WRITE_ONLY) == 0
            info.controls.append(CameraInfo.Control(
                name: V4L2Device.string(control.name), id: control.id,
                minimum: Int(control.minimum), maximum: Int(control.maximum),
                defaultValue: Int(control.default_value),
                value: readable ? try? device.controlValue(control.id) : nil))
        }
        return info
    }
}
