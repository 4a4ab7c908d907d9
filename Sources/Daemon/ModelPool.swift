import Foundation
import Inspection
import RGI

/// The product models, one bundle per product: loaded on first use, at most `capacity` kept in
/// memory (the least recently used is dropped first), all dropped on reload. A bundle that fails
/// to load marks its product unavailable with the reason until the next reload, so a broken
/// bundle is read once, not once per frame. Not thread-safe: owned by the inspection stage.
final class ModelPool {
    struct Unavailable: Error, CustomStringConvertible {
        var product: String
        var reason: String
        var description: String { "product \(product) is unavailable: \(reason)" }
    }

    private struct Entry {
        let inspector: Inspector
        var lastUse: UInt64
    }

    private(set) var products: [String: ProductConfiguration]
    private var loaded: [String: Entry] = [:]
    private var failures: [String: String] = [:]
    private var clock: UInt64 = 0
    let capacity: Int
    /// Called once per failed load, with the product and the reason.
    private let onFailure: (ProductConfiguration, String) -> Void
    /// Called once per warning of a loaded bundle (`ModelBundle.warnings`).
    private let onWarning: (ProductConfiguration, String) -> Void

    init(products: [ProductConfiguration], capacity: Int, onFailure: @escaping (ProductConfiguration, String) -> Void,
         onWarning: @escaping (ProductConfiguration, String) -> Void = { _, _ in }) {
        self.products = Dictionary(products.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.capacity = capacity
        self.onFailure = onFailure
        self.onWarning = onWarning
    }

    var loadedCount: Int { loaded.count }

    func state(of product: String) -> ModelState {
        if let entry = loaded[product] { return .loaded(modelVersion: entry.inspector.bundle.manifest.modelVersion) }
        if let reason = failures[product] { return .unavailable(reason: reason) }
        return .notLoaded
    }

    /// The product's inspector, loading its bundle if needed.
    func inspector(for name: String) throws(Unavailable) -> Inspector {
        clock += 1
        if loaded[name] != nil {
            loaded[name]!.lastUse = clock
            return loaded[name]!.inspector
        }
        if let reason = failures[name] { throw Unavailable(product: name, reason: reason) }
        guard let product = products[name] else { throw Unavailable(product: name, reason: "not configured") }
        let inspector: Inspector
        do {
            inspector = try Self.load(product)
        } catch {
            failures[name] = error.description
            onFailure(product, error.description)
            throw Unavailable(product: name, reason: error.description)
        }
        for warning in inspector.bundle.warnings { onWarning(product, warning) }
        while loaded.count >= capacity, let oldest = loaded.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            loaded[oldest] = nil
        }
        loaded[name] = Entry(inspector: inspector, lastUse: clock)
        return inspector
    }

    /// New product definitions; every model is read again on its next use.
    func reload(_ products: [ProductConfiguration]) {
        self.products = Dictionary(products.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        loaded = [:]
        failures = [:]
    }

    /// Errors here are model errors or configuration errors that only the model reveals
    /// (a tile size that does not match).
    private static func load(_ product: ProductConfiguration) throws(LoadFailure) -> Inspector {
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle.load(from: product.model)
        } catch {
            throw LoadFailure(description: "\(error)")
        }
        do {
            let settings = try product.settings(base: bundle.manifest.solver,
                                                modelTile: bundle.manifest.architecture.generator.tile)
            return Inspector(bundle: bundle, settings: settings,
                             thresholds: product.thresholds(bundle.manifest.thresholds(for: settings)),
                             maxTiles: product.maxTiles)
        } catch {
            throw LoadFailure(description: error.description)
        }
    }

    struct LoadFailure: Error, CustomStringConvertible {
        var description: String
    }
}
