import Dispatch

/// A V4L2 camera as a frame source that survives unplugs, stalls and a missing device.
///
/// Capture blocks in `poll`, so it runs on its own thread rather than a cooperative-pool
/// thread (two cores: a blocked pool thread would halve inspection). The thread stops within
/// one poll slice (≤ 100 ms) of the task being cancelled.
public final class V4L2Source: FrameSource {
    public let configuration: V4L2Configuration
    private let cell = StatusCell()

    public init(_ configuration: V4L2Configuration) {
        self.configuration = configuration
    }

    public var id: String { configuration.sourceID }
    public var status: SourceStatus { cell.snapshot }

    public func run(into ring: FrameRing) async {
        let stop = StopFlag()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue(label: "rgi.capture \(id)").async {
                    self.capture(into: ring, until: stop)
                    done.resume()
                }
            }
        } onCancel: {
            stop.set()
        }
    }

    /// Open, stream until the device fails, back off, reopen — until stopped.
    private func capture(into ring: FrameRing, until stop: StopFlag) {
        var backoff = Backoff(initial: configuration.reconnectInitialDelay,
                              maximum: configuration.reconnectMaximumDelay)
        var sequence = SequenceTracker()
        var lost = false
        while !stop.isSet {
            if lost { cell.update { $0.state = .reconnecting } }
            let stream: V4L2Stream
            do {
                stream = try V4L2Stream(configuration)
            } catch {
                cell.update {
                    $0.state = .disconnected
                    $0.lastError = error.description
                }
                lost = true
                stop.sleep(backoff.advance())
                continue
            }
            backoff.reset()
            sequence.restart()
            cell.update { [lost] status in
                if lost { status.reconnects += 1 }
                status.state = .streaming
                status.mode = stream.mode
                status.warnings = stream.warnings
            }
            do {
                try pump(stream, into: ring, sequence: &sequence, until: stop)
            } catch {
                cell.update {
                    $0.state = .disconnected
                    $0.lastError = error.description
                }
                lost = true
            }
        }
        cell.update { $0.state = .idle }
    }

    /// Moves frames from one stream into the ring until the stream fails or the source stops.
    private func pump(
        _ stream: V4L2Stream, into ring: FrameRing, sequence: inout SequenceTracker, until stop: StopFlag
    ) throws(V4L2Error) {
        let stallNanoseconds = MonotonicClock.nanoseconds(configuration.stallTimeout)
        let slice = Int32(min(100, max(1, stallNanoseconds / 1_000_000)))
        var quietSince = MonotonicClock.now()
        var stallsInARow = 0
        while !stop.isSet {
            let outcome = try stream.next(milliseconds: slice)
            switch outcome {
            case .frame(let image, let deviceSequence, let timestamp):
                let (number, dropped) = sequence.observe(deviceSequence: deviceSequence)
                ring.push(Frame(image: image, pixelFormat: stream.cameraFormat, sequence: number,
                                timestamp: timestamp, sourceID: id))
                cell.update {
                    $0.frames += 1
                    $0.droppedFrames += dropped
                    $0.state = .streaming
                }
                quietSince = MonotonicClock.now()
                stallsInARow = 0
            case .corrupt(let error, let deviceSequence):
                // It arrived, so it is no gap itself; its number is used up all the same.
                let (_, dropped) = sequence.observe(deviceSequence: deviceSequence)
                cell.update {
                    $0.corruptFrames += 1
                    $0.droppedFrames += dropped
                    $0.lastError = error.description
                }
                quietSince = MonotonicClock.now()
            case .timeout, .notReady:
                let quiet = MonotonicClock.now() - quietSince
                guard quiet >= stallNanoseconds else { continue }
                stallsInARow += 1
                quietSince = MonotonicClock.now()
                let seconds = Double(quiet) / 1e9 * Double(stallsInARow)
                cell.update {
                    if $0.state != .stalled { $0.stalls += 1 }
                    $0.state = .stalled
                    $0.lastError = "\(stream.device.path): no frame for \(Int(seconds * 1000)) ms"
                }
                if stallsInARow >= configuration.stallsBeforeRestart {
                    throw .stalled(path: stream.device.path, seconds: seconds)
                }
            }
        }
    }
}
