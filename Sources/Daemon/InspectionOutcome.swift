import Inspection

/// What became of one frame in the inspection stage.
enum InspectionOutcome: Sendable {
    case inspected(InspectionResult, overBudget: Bool)
    /// The active product's model is unavailable: the frame was not inspected.
    case skipped(product: String, reason: String)
    /// The frame could not be inspected (smaller than the ROI or the tile).
    case failed(product: String, reason: String)
}
