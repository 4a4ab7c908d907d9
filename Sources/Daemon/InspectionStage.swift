import Capture
import Foundation
import Inspection

/// The inspection stage: the active product's model, the ROI crop and the R-RGI solve of each
/// frame. An actor on its own thread, so the solver's long CPU-bound work runs there and control
/// requests (`use`, `reload`) run between two frames, never during one.
public actor InspectionStage {
    private let executor = ThreadExecutor(name: "rgid inspection")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let pool: ModelPool
    private let board: StatusBoard
    private let events: EventLog
    private let heartbeat: InspectionHeartbeat
    public private(set) var activeProduct: String

    public enum SwitchError: Error, CustomStringConvertible {
        case unknownProduct(String, known: [String])

        public var description: String {
            switch self {
            case let .unknownProduct(name, known):
                return "no product '\(name)' is configured (configured: \(known.joined(separator: ", ")))"
            }
        }
    }

    public init(configuration: DaemonConfiguration, board: StatusBoard, events: EventLog, heartbeat: InspectionHeartbeat) {
        self.board = board
        self.events = events
        self.heartbeat = heartbeat
        activeProduct = configuration.product
        pool = ModelPool(products: configuration.products, capacity: configuration.modelsInMemory, onFailure: { product, reason in
            board.model(product.name, .unavailable(reason: reason))
            events.emit(.modelLoadFailed(product: product.name, path: product.model, reason: reason))
        }, onWarning: { product, warning in
            events.emit(.modelWarning(product: product.name, path: product.model, warning: warning))
        })
    }

    /// Loads the active product's model now rather than at the first frame (start, reload,
    /// switch), so the status and journal tell at once whether it works.
    @discardableResult
    public func prepareActive() -> ModelState {
        _ = try? pool.inspector(for: activeProduct)
        publishModelStates()
        return pool.state(of: activeProduct)
    }

    /// Switches the line to `product`; its model is loaded now. An unavailable model is not an
    /// error here: the switch happens and the status says why frames are skipped.
    public func use(_ product: String) throws(SwitchError) -> ModelState {
        guard pool.products[product] != nil else {
            throw .unknownProduct(product, known: pool.products.keys.sorted())
        }
        let previous = activeProduct
        activeProduct = product
        board.activate(product)
        let state = prepareActive()
        if previous != product {
            let model: String = switch state {
            case .loaded(let version): version
            case .unavailable: "unavailable"
            case .notLoaded: "not loaded"
            }
            events.emit(.productSwitched(from: previous, to: product, model: model))
        }
        return state
    }

    /// New product definitions (a reloaded configuration): every model is read again.
    public func reload(_ products: [ProductConfiguration]) -> ModelState {
        pool.reload(products)
        board.configure(products)
        return prepareActive()
    }

    func inspect(_ frame: Frame, capturedAt: Date) -> InspectionOutcome {
        heartbeat.begin()
        defer { heartbeat.end() }
        let product = activeProduct
        let inspector: Inspector
        do {
            inspector = try pool.inspector(for: product)
        } catch {
            publishModelStates()
            return .skipped(product: product, reason: error.reason)
        }
        publishModelStates()
        let configuration = pool.products[product]!
        let started = ContinuousClock.now
        do {
            let image = try configuration.roi?.crop(frame.image) ?? frame.image
            var result = try inspector.inspect(image, frame: FrameInfo(sequence: frame.sequence, camera: frame.sourceID,
                                                                       capturedAt: capturedAt))
            // Reports, journal and status name the line's product as configured; the bundle's
            // own name stays in its model version.
            result.product = product
            return .inspected(result, overBudget: ContinuousClock.now - started > configuration.timeBudget)
        } catch {
            return .failed(product: product, reason: "\(error)")
        }
    }

    /// Models come and go (LRU, reload): the board shows each product's current state.
    private func publishModelStates() {
        for name in pool.products.keys { board.model(name, pool.state(of: name)) }
    }
}
