import Synchronization

/// A line camera as a source of whole product frames: strips from `strips` (usually a
/// `V4L2Source`) go through a `LineScanAssembler`, and only assembled frames reach the ring.
public final class LineScanSource: FrameSource {
    public let strips: any FrameSource
    public let mode: LineScanMode
    private let counters = Mutex<(assembled: UInt64, discarded: UInt64)>((0, 0))

    public init(strips: any FrameSource, mode: LineScanMode) throws(LineScanError) {
        _ = try LineScanAssembler(mode: mode)  // reject a bad mode here, not at run time
        self.strips = strips
        self.mode = mode
    }

    public var id: String { strips.id }

    /// The camera's status; `frames` counts assembled frames, `corruptFrames` adds the
    /// frames discarded because a strip was lost.
    public var status: SourceStatus {
        var status = strips.status
        let (assembled, discarded) = counters.withLock { $0 }
        status.frames = assembled
        status.corruptFrames += discarded
        return status
    }

    public func run(into ring: FrameRing) async throws {
        var assembler = try LineScanAssembler(mode: mode)
        // Strips are small and come fast: a deeper ring rides out a slow assembly step.
        try await strips.withFrames(capacity: 64) { stripRing in
            for await strip in stripRing {
                for frame in try assembler.append(strip) { ring.push(frame) }
                counters.withLock { $0 = (assembler.framesAssembled, assembler.framesDiscarded) }
            }
        }
    }
}
