import Capture
import Foundation
import Synchronization

/// The daemon's live counters, written by the stages and read by the control socket and the
/// systemd STATUS line. Camera numbers are read from the source itself when a snapshot is made.
public final class StatusBoard: Sendable {
    struct ProductCounters {
        var configuration: ProductConfiguration
        var model: ModelState = .notLoaded
        var frames: UInt64 = 0
        var defects: UInt64 = 0
        var skipped: UInt64 = 0
        var errors: UInt64 = 0
        var overBudget: UInt64 = 0
        var lastDefectAt: Date?
        var lastReport: String?
        /// Inspection time: the frame taken from the camera queue → its result.
        var latency = LatencyWindow()
        /// Capture → result: inspection time plus the frame's wait in the camera queue, which is
        /// what a reject gate downstream of the camera has to allow for.
        var sinceCapture = LatencyWindow()
    }

    struct State {
        var state: DaemonStatus.State = .starting
        var activeProduct: String
        var products: [ProductCounters]
        var reports: DaemonStatus.Reports
        /// Arrival times (seconds since start) of recent frames, for the frame rate.
        var arrivals: [Double] = []
    }

    private let state: Mutex<State>
    private let started = Date()
    private let startedClock = ContinuousClock.now
    let version: String
    let configFile: String

    public init(configuration: DaemonConfiguration, version: String) {
        self.version = version
        configFile = configuration.file
        state = Mutex(State(
            activeProduct: configuration.product,
            products: configuration.products.map { ProductCounters(configuration: $0) },
            reports: .init(folder: configuration.reports.folder, written: 0, failed: 0, dropped: 0, bytes: 0, count: 0,
                           maxBytes: configuration.reports.maxBytes)))
    }

    public var daemonState: DaemonStatus.State { state.withLock { $0.state } }
    public var activeProduct: String { state.withLock { $0.activeProduct } }

    func set(_ daemonState: DaemonStatus.State) { state.withLock { $0.state = daemonState } }

    func activate(_ product: String) { state.withLock { $0.activeProduct = product } }

    /// After a reload: counters of products that stay are kept.
    func configure(_ products: [ProductConfiguration]) {
        state.withLock { state in
            state.products = products.map { p in
                var counters = state.products.first { $0.configuration.name == p.name } ?? ProductCounters(configuration: p)
                counters.configuration = p
                counters.model = .notLoaded
                return counters
            }
        }
    }

    func model(_ product: String, _ model: ModelState) {
        update(product) { $0.model = model }
    }

    func frameArrived() {
        let now = seconds()
        state.withLock { state in
            state.arrivals.append(now)
            if state.arrivals.count > 64 { state.arrivals.removeFirst(state.arrivals.count - 64) }
        }
    }

    func inspected(_ product: String, milliseconds: Double, sinceCaptureMilliseconds: Double, defect: Bool,
                   overBudget: Bool, at date: Date) {
        update(product) {
            $0.frames += 1
            $0.latency.add(milliseconds)
            $0.sinceCapture.add(sinceCaptureMilliseconds)
            if overBudget { $0.overBudget += 1 }
            if defect { $0.defects += 1; $0.lastDefectAt = date }
        }
    }

    func skipped(_ product: String) { update(product) { $0.skipped += 1 } }

    func failed(_ product: String) { update(product) { $0.errors += 1 } }

    func reportWritten(_ product: String, path: String, bytes: Int64) {
        state.withLock { state in
            state.reports.written += 1
            state.reports.bytes += bytes
            state.reports.count += 1
        }
        update(product) { $0.lastReport = path }
    }

    func reportFailed(_ error: String) {
        state.withLock {
            $0.reports.failed += 1
            $0.reports.lastError = error
        }
    }

    func reportDropped() { state.withLock { $0.reports.dropped += 1 } }

    func reportUsage(bytes: Int64, count: Int) {
        state.withLock {
            $0.reports.bytes = bytes
            $0.reports.count = count
        }
    }

    var reportFailures: UInt64 { state.withLock { $0.reports.failed } }

    var reportBytes: Int64 { state.withLock { $0.reports.bytes } }

    public func snapshot(camera source: SourceStatus, sourceID: String, droppedBehind: UInt64) -> DaemonStatus {
        let now = seconds()
        return state.withLock { state in
            let recent = state.arrivals.filter { now - $0 <= 10 }
            let fps = recent.count >= 2 ? Double(recent.count - 1) / max(1e-9, recent.last! - recent.first!) : 0
            return DaemonStatus(
                version: version, pid: getpid(), state: state.state, startedAt: started, uptimeSeconds: now,
                configFile: configFile, activeProduct: state.activeProduct,
                camera: .init(source: sourceID, state: source.state.rawValue, format: source.mode, framesPerSecond: fps,
                              frames: source.frames, droppedByCamera: source.droppedFrames, droppedBehind: droppedBehind,
                              corrupt: source.corruptFrames, reconnects: source.reconnects, lastError: source.lastError),
                products: state.products.map { p in
                    let (model, version, reason): (String, String?, String?) = switch p.model {
                    case .notLoaded: ("not-loaded", nil, nil)
                    case .loaded(let v): ("loaded", v, nil)
                    case .unavailable(let r): ("unavailable", nil, r)
                    }
                    return .init(name: p.configuration.name, active: p.configuration.name == state.activeProduct,
                                 modelPath: p.configuration.model, model: model, modelVersion: version, reason: reason,
                                 frames: p.frames, defects: p.defects, skipped: p.skipped, errors: p.errors,
                                 overBudget: p.overBudget, timeBudgetMs: Self.milliseconds(p.configuration.timeBudget),
                                 lastDefectAt: p.lastDefectAt, lastReport: p.lastReport,
                                 latencyP50Ms: p.latency.percentile(50), latencyP95Ms: p.latency.percentile(95),
                                 latencyP99Ms: p.latency.percentile(99),
                                 sinceCaptureP50Ms: p.sinceCapture.percentile(50),
                                 sinceCaptureP95Ms: p.sinceCapture.percentile(95),
                                 sinceCaptureP99Ms: p.sinceCapture.percentile(99))
                },
                reports: state.reports)
        }
    }

    private func update(_ product: String, _ change: (inout ProductCounters) -> Void) {
        state.withLock { state in
            guard let i = state.products.firstIndex(where: { $0.configuration.name == product }) else { return }
            change(&state.products[i])
        }
    }

    private func seconds() -> Double {
        let (s, atto) = (ContinuousClock.now - startedClock).components
        return Double(s) + Double(atto) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }
}
