/// A folder of images played back as a camera: for the demo, for tests, and to re-run a
/// production day's images through a new model.
public struct ReplayConfiguration: Sendable, Equatable {
    public enum Pacing: Sendable, Equatable {
        /// Like a camera: one frame per 1/fps, the oldest dropped if inspection falls behind.
        case framesPerSecond(Double)
        /// As fast as inspection takes them, none dropped.
        case asConsumed
    }

    public var folder: String
    /// Start again from the first image after the last.
    public var loop = false
    public var pacing: Pacing = .asConsumed
    public var sourceID: String

    public init(folder: String, loop: Bool = false, pacing: Pacing = .asConsumed, sourceID: String? = nil) {
        self.folder = folder
        self.loop = loop
        self.pacing = pacing
        self.sourceID = sourceID ?? "replay:" + folder
    }
}
