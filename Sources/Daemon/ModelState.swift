/// Where a product's model stands in the pool, as the status shows it.
public enum ModelState: Sendable, Equatable {
    /// Configured; loaded when the product is first inspected.
    case notLoaded
    case loaded(modelVersion: String)
    /// The bundle could not be loaded (or does not fit the configuration): `reason` says why.
    /// The product stays unavailable until a reload.
    case unavailable(reason: String)
}
