/// Anything that produces frames: a V4L2 camera, a replay folder, a line-scan assembler.
///
/// A source runs inside its consumer's task tree: `run(into:)` delivers frames into a ring
/// until the task is cancelled or a finite source is exhausted. Device faults are not errors
/// here — a camera source reports them in `status` and keeps trying — so `run` throws only
/// for a configuration that can never work (a replay folder with no images).
public protocol FrameSource: Sendable {
    /// Names the source in frames, logs and reports (e.g. the device path).
    var id: String { get }
    var status: SourceStatus { get }
    func run(into ring: FrameRing) async throws
}

extension FrameSource {
    /// Runs the source for the duration of `body`, which reads frames from the ring; the
    /// source is cancelled when `body` returns, and its own error (if any) is rethrown.
    public func withFrames<Result: Sendable>(
        capacity: Int = 4,
        _ body: (FrameRing) async throws -> Result
    ) async throws -> Result {
        let ring = FrameRing(capacity: capacity)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { ring.finish() }
                try await self.run(into: ring)
            }
            let result = try await body(ring)
            group.cancelAll()
            while try await group.next() != nil {}
            return result
        }
    }
}
