/// What a V4L2 device says about itself: what `rgictl camera probe` prints, and roughly what
/// `v4l2-ctl --all --list-formats-ext` shows.
public struct CameraInfo: Sendable, Codable, Equatable {
    public struct Mode: Sendable, Codable, Equatable {
        public var width: Int
        public var height: Int
        /// Fastest first.
        public var framesPerSecond: [Double]
    }

    public struct Format: Sendable, Codable, Equatable {
        public var fourcc: String
        public var description: String
        /// Produced by libv4lconvert from another format, not by the camera.
        public var emulated: Bool
        public var modes: [Mode]
    }

    public struct Control: Sendable, Codable, Equatable {
        public var name: String
        public var id: UInt32
        public var minimum: Int
        public var maximum: Int
        public var defaultValue: Int
        public var value: Int?
    }

    public var path: String
    public var driver: String
    public var card: String
    public var busInfo: String
    public var canCapture: Bool
    public var formats: [Format]
    public var controls: [Control]
}
