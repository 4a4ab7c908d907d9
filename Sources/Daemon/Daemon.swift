import Alerting
import Capture
import Foundation
import Inspection
import Logging
import Synchronization

/// rgid: capture → inspection → alerting, with bounded queues between the stages, the control
/// socket, signals and systemd's notify protocol.
///
/// Capture pushes into a `FrameRing` (a camera never waits: the oldest frame is dropped and
/// counted when inspection falls behind); inspection offers defective results to a
/// `BoundedQueue` (full: the report is dropped and counted, inspection never waits for a disk).
/// SIGTERM drains: capture stops, the frames already queued are inspected, every accepted report
/// is written, then `run` returns. SIGHUP (and `rgictl reload`) re-reads the configuration's
/// products and reloads the models.
public final class Daemon: Sendable {
    public static let version = "0.1.0"

    public struct Options: Sendable {
        /// A finite replay that has delivered its last frame ends the daemon (after the drain).
        public var exitAfterReplay = false
        /// How often the STATUS line and camera state are refreshed.
        public var statusInterval: Duration = .seconds(1)

        public init() {}
    }

    private let configuration: Mutex<DaemonConfiguration>
    private let options: Options
    private let events: EventLog
    private let notifier = SystemdNotifier()
    private let board: StatusBoard
    private let heartbeat = InspectionHeartbeat()
    private let inspection: InspectionStage
    private let alerting: AlertingStage
    private let source: any FrameSource
    private let ring: FrameRing
    private let reports: BoundedQueue<InspectionResult>
    private let stop = StopSignal()

    public init(configuration: DaemonConfiguration, options: Options = Options(), events: EventLog) {
        self.configuration = Mutex(configuration)
        self.options = options
        self.events = events
        board = StatusBoard(configuration: configuration, version: Self.version)
        inspection = InspectionStage(configuration: configuration, board: board, events: events, heartbeat: heartbeat)
        alerting = AlertingStage(configuration: configuration.reports, board: board, events: events)
        source = configuration.camera.makeSource()
        ring = FrameRing(capacity: configuration.camera.queue)
        reports = BoundedQueue(capacity: configuration.reports.queue)
    }

    private var logger: Logger { events.logger }

    /// Runs until SIGTERM/SIGINT (or the end of a replay with `exitAfterReplay`) and the drain.
    public func run() async throws(ControlServer.ServerError) {
        let config = configuration.withLock { $0 }
        // Caught from here on: a SIGTERM during start-up drains too.
        let signals = SignalStream([SIGTERM, SIGINT, SIGHUP])
        notifier.status("starting: preparing reports folder")
        await alerting.prepare()
        notifier.status("starting: loading model of \(config.product)")
        let model = await inspection.prepareActive()
        logger.info("product \(config.product): \(Self.describe(model))")
        let server = try ControlServer(path: config.controlSocket) { [self] request in await handle(request) }
        server.start()
        defer { server.stop() }
        events.emit(.started(version: Self.version, products: config.products.map(\.name)))

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.capture() }
            group.addTask { await self.inspectFrames() }
            group.addTask { await self.alerting.run(self.reports) }
            // Housekeeping ends when the pipeline has drained.
            let housekeeping = Task {
                await withTaskGroup(of: Void.self) { chores in
                    chores.addTask { await self.handleSignals(signals) }
                    chores.addTask { await self.superviseCamera() }
                    chores.addTask { await self.pingWatchdog() }
                }
            }
            await group.waitForAll()
            housekeeping.cancel()
            await housekeeping.value
        }
        board.set(.stopped)
        notifier.stopping(status: "stopped: \(board.activeProduct), \(summary())")
        logger.info("drained: \(summary())")
    }

    // MARK: stages

    /// Runs the source until it ends or the daemon stops; then ends the ring, so inspection
    /// drains the frames queued and stops.
    private func capture() async {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await self.source.run(into: self.ring)
                } catch {
                    self.logger.error("camera \(self.source.id): \(error)")
                    self.events.emit(.cameraLost(camera: self.source.id, reason: "\(error)"))
                }
                return true
            }
            group.addTask {
                await self.stop.wait()
                return false
            }
            let sourceEnded = await group.next()!
            if sourceEnded, !options.exitAfterReplay || source.status.state != .finished {
                logger.info("camera \(source.id) delivered its last frame; waiting for SIGTERM")
                await stop.wait()
            } else if sourceEnded {
                beginDrain("replay finished")
            }
            group.cancelAll()
        }
        ring.finish()
    }

    private func inspectFrames() async {
        while let frame = await ring.next() {
            board.frameArrived()
            let age = Self.secondsSinceCapture(frame)
            switch await inspection.inspect(frame, capturedAt: Date().addingTimeInterval(-age)) {
            case let .inspected(result, overBudget):
                board.inspected(result.product, milliseconds: result.timings.totalMs,
                                sinceCaptureMilliseconds: Self.secondsSinceCapture(frame) * 1000,
                                defect: result.decision == .defect, overBudget: overBudget, at: result.frame.capturedAt)
                if result.decision == .defect, !reports.offer(result) {
                    board.reportDropped()
                    logger.error("report queue full: report of frame \(frame.sequence) dropped")
                }
            case let .skipped(product, _):
                board.skipped(product)
            case let .failed(product, reason):
                board.failed(product)
                logger.error("frame \(frame.sequence) of \(frame.sourceID) not inspected: \(reason)")
            }
        }
        reports.finish()
    }

    // MARK: housekeeping

    private func handleSignals(_ signals: SignalStream) async {
        for await number in signals {
            if number == SIGHUP {
                let response = await reload()
                if let error = response.error { logger.error("reload: \(error)") }
                continue
            }
            let reason = number == SIGTERM ? "SIGTERM" : "SIGINT"
            beginDrain(reason)
        }
    }

    private func beginDrain(_ reason: String) {
        guard board.daemonState != .draining else { return }
        board.set(.draining)
        events.emit(.stopping(reason: reason))
        notifier.stopping(status: "draining (\(reason)): finishing queued frames and reports")
        stop.set(reason)
    }

    /// READY=1 once the camera delivers (or has failed for a while: the daemon is up and says
    /// so in STATUS); then a STATUS line per interval, and camera lost/back events.
    private func superviseCamera() async {
        var ready = false
        var lostSince: ContinuousClock.Instant?
        let started = ContinuousClock.now
        while !Task.isCancelled {
            let status = source.status
            let streaming = status.state == .streaming || status.state == .finished
            if !ready, streaming || ContinuousClock.now - started > .seconds(10) {
                ready = true
                if board.daemonState == .starting { board.set(.running) }
                notifier.ready(status: statusLine(status))
            } else if ready {
                notifier.status(statusLine(status))
            }
            switch status.state {
            case .disconnected, .stalled, .reconnecting:
                if lostSince == nil {
                    lostSince = .now
                    events.emit(.cameraLost(camera: source.id, reason: status.lastError ?? status.state.rawValue))
                }
            case .streaming:
                if let since = lostSince {
                    lostSince = nil
                    let (s, atto) = (ContinuousClock.now - since).components
                    events.emit(.cameraBack(camera: source.id, downSeconds: Double(s) + Double(atto) / 1e18))
                }
            case .idle, .finished:
                break
            }
            try? await Task.sleep(for: options.statusInterval)
        }
    }

    /// WATCHDOG=1 at half the interval systemd asks for, unless a frame has been in the solver
    /// for longer than the hang timeout: then the pings stop and systemd restarts the service.
    private func pingWatchdog() async {
        guard let interval = notifier.watchdogInterval else { return }
        let hangTimeout = configuration.withLock { $0.hangTimeout }
        while !Task.isCancelled {
            if let busy = heartbeat.busyFor, busy > hangTimeout {
                logger.critical("inspection stuck on one frame for \(busy): watchdog pings stopped")
            } else {
                notifier.watchdog()
            }
            try? await Task.sleep(for: interval / 2)
        }
    }

    // MARK: control

    func handle(_ request: ControlRequest) async -> ControlResponse {
        switch request.command {
        case .status:
            return .success(nil, status: status())
        case .reload:
            return await reload()
        case .use:
            guard let product = request.product, !product.isEmpty else {
                return .failure("'use' needs a product name")
            }
            do {
                let model = try await inspection.use(product)
                return .success("product \(product) active: \(Self.describe(model))", status: status())
            } catch {
                return .failure(error.description)
            }
        }
    }

    /// Re-reads the configuration's products and reloads every model. Camera, reports and socket
    /// settings need a restart; a configuration that no longer validates changes nothing.
    func reload() async -> ControlResponse {
        let file = configuration.withLock { $0.file }
        let previousState = board.daemonState
        board.set(.reloading)
        notifier.reloading(status: "reloading \(file)")
        defer {
            if board.daemonState == .reloading { board.set(previousState) }
            notifier.ready(status: statusLine(source.status))
        }
        let fresh: DaemonConfiguration
        do {
            fresh = try DaemonConfiguration.load(file)
        } catch {
            return .failure("reload refused, configuration unchanged: \(error.description)")
        }
        let active = board.activeProduct
        guard fresh.product(named: active) != nil else {
            return .failure("reload refused: the active product \(active) is no longer in \(file)")
        }
        configuration.withLock { $0.products = fresh.products }
        let model = await inspection.reload(fresh.products)
        logger.info("reloaded \(file): product \(active): \(Self.describe(model))")
        return .success("reloaded \(fresh.products.count) product(s); \(active): \(Self.describe(model))", status: status())
    }

    public func status() -> DaemonStatus {
        board.snapshot(camera: source.status, sourceID: source.id, droppedBehind: ring.droppedCount)
    }

    // MARK: text

    private func statusLine(_ camera: SourceStatus) -> String {
        let product = board.activeProduct
        return "\(board.daemonState.rawValue): \(product), \(summary()); camera \(camera.state.rawValue)"
    }

    private func summary() -> String {
        let snapshot = status()
        guard let p = snapshot.products.first(where: \.active) else { return "no product" }
        var text = "\(p.frames) frames, \(p.defects) defects"
        if let p95 = p.latencyP95Ms { text += String(format: ", p95 %.0f ms", p95) }
        if p.model == "unavailable" { text += ", model unavailable" }
        return text
    }

    /// Measured on CLOCK_MONOTONIC, the time base of `Frame.timestamp`.
    private static func secondsSinceCapture(_ frame: Frame) -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        let now = UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        return max(0, Double(Int64(bitPattern: now &- frame.timestamp)) / 1e9)
    }

    static func describe(_ model: ModelState) -> String {
        switch model {
        case .loaded(let version): return "model \(version) loaded"
        case .notLoaded: return "model not loaded"
        case .unavailable(let reason): return "model unavailable: \(reason)"
        }
    }
}
