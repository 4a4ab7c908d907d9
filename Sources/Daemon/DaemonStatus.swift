import Foundation

/// What `rgictl status` shows: the daemon's answer to a `status` request, shared by both sides
/// of the control socket. JSON keys are snake_case (see `ControlCoding`).
public struct DaemonStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case starting, running, reloading, draining, stopped
    }

    public var version: String
    public var pid: Int32
    public var state: State
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var configFile: String
    public var activeProduct: String
    public var camera: Camera
    public var products: [Product]
    public var reports: Reports

    public struct Camera: Codable, Sendable, Equatable {
        public var source: String
        /// `SourceState`'s raw value: streaming, stalled, disconnected, reconnecting, finished, idle.
        public var state: String
        /// What is captured, e.g. "GREY 1280x1024 @ 30 fps" or "replay of 12 images".
        public var format: String?
        /// Frames per second reaching inspection over the last few seconds.
        public var framesPerSecond: Double
        public var frames: UInt64
        /// Lost before reaching the daemon (device sequence gaps).
        public var droppedByCamera: UInt64
        /// Dropped because inspection fell behind (the capture queue was full).
        public var droppedBehind: UInt64
        public var corrupt: UInt64
        public var reconnects: UInt64
        public var lastError: String?
    }

    public struct Product: Codable, Sendable, Equatable {
        public var name: String
        public var active: Bool
        public var modelPath: String
        /// not-loaded, loaded or unavailable.
        public var model: String
        public var modelVersion: String?
        /// Why the model is unavailable.
        public var reason: String?
        public var frames: UInt64
        public var defects: UInt64
        /// Frames not inspected because the model was unavailable.
        public var skipped: UInt64
        /// Frames that could not be inspected (smaller than the ROI or the tile).
        public var errors: UInt64
        /// Frames whose inspection took longer than the time budget.
        public var overBudget: UInt64
        public var timeBudgetMs: Double
        public var lastDefectAt: Date?
        public var lastReport: String?
        /// Inspection time (frame taken from the camera queue → result) over the recent frames.
        public var latencyP50Ms: Double?
        public var latencyP95Ms: Double?
        public var latencyP99Ms: Double?
        /// Capture → result over the same frames: inspection time plus the wait in the camera queue.
        public var sinceCaptureP50Ms: Double?
        public var sinceCaptureP95Ms: Double?
        public var sinceCaptureP99Ms: Double?
    }

    public struct Reports: Codable, Sendable, Equatable {
        public var folder: String
        public var written: UInt64
        /// Could not be written (disk full, read-only): logged and counted.
        public var failed: UInt64
        /// Dropped because the report queue was full.
        public var dropped: UInt64
        public var bytes: Int64
        public var count: Int
        public var maxBytes: Int64?
        public var lastError: String?
    }
}
