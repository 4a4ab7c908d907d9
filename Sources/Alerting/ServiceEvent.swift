/// A change in the daemon's life that operators and monitoring want in the journal, each with
/// its own MESSAGE_ID (`JournalMessageID`) and priority.
public enum ServiceEvent: Equatable, Sendable {
    case started(version: String, products: [String])
    case stopping(reason: String)
    case productSwitched(from: String?, to: String, model: String)
    case modelLoadFailed(product: String, path: String, reason: String)
    /// The model loaded but inspects less well than it could (`ModelBundle.warnings`).
    case modelWarning(product: String, path: String, warning: String)
    case cameraLost(camera: String, reason: String)
    case cameraBack(camera: String, downSeconds: Double)
    /// A report could not be written (disk full, read-only): the frame was inspected and
    /// counted, only its files are missing. `failures` counts them since start.
    case reportWriteFailed(path: String, reason: String, failures: Int)

    /// syslog priorities: 3 error (needs someone), 4 warning (should be fixed), 5 notice (worth knowing).
    public var priority: Int {
        switch self {
        case .modelLoadFailed, .cameraLost, .reportWriteFailed: return 3
        case .modelWarning: return 4
        case .started, .stopping, .productSwitched, .cameraBack: return 5
        }
    }

    public var messageID: String {
        switch self {
        case .started: return JournalMessageID.started
        case .stopping: return JournalMessageID.stopping
        case .productSwitched: return JournalMessageID.productSwitched
        case .modelLoadFailed: return JournalMessageID.modelLoadFailed
        case .modelWarning: return JournalMessageID.modelWarning
        case .cameraLost: return JournalMessageID.cameraLost
        case .cameraBack: return JournalMessageID.cameraBack
        case .reportWriteFailed: return JournalMessageID.reportWriteFailed
        }
    }

    /// The one readable line.
    public var message: String {
        switch self {
        case .started(let version, let products):
            return "rgid \(version) started, products: \(products.isEmpty ? "none" : products.joined(separator: ", "))"
        case .stopping(let reason):
            return "rgid stopping: \(reason)"
        case .productSwitched(let from, let to, let model):
            return "product switched from \(from ?? "none") to \(to) (model \(model))"
        case .modelLoadFailed(let product, let path, let reason):
            return "cannot load model for product \(product) from \(path): \(reason)"
        case .modelWarning(let product, let path, let warning):
            return "model for product \(product) at \(path): \(warning)"
        case .cameraLost(let camera, let reason):
            return "camera \(camera) lost: \(reason)"
        case .cameraBack(let camera, let downSeconds):
            return "camera \(camera) back after \(Self.seconds(downSeconds)) s"
        case .reportWriteFailed(let path, let reason, let failures):
            return "cannot write report \(path): \(reason) (\(failures) failed since start)"
        }
    }

    /// The RGI_* fields besides MESSAGE, PRIORITY and MESSAGE_ID.
    public var fields: [(name: String, value: String)] {
        switch self {
        case .started(let version, let products):
            return [("RGI_EVENT", "started"), ("RGI_VERSION", version), ("RGI_PRODUCTS", products.joined(separator: ","))]
        case .stopping(let reason):
            return [("RGI_EVENT", "stopping"), ("RGI_REASON", reason)]
        case .productSwitched(let from, let to, let model):
            return [("RGI_EVENT", "product-switched"), ("RGI_PRODUCT", to), ("RGI_PREVIOUS_PRODUCT", from ?? ""),
                    ("RGI_MODEL", model)]
        case .modelLoadFailed(let product, let path, let reason):
            return [("RGI_EVENT", "model-load-failed"), ("RGI_PRODUCT", product), ("RGI_MODEL_PATH", path),
                    ("RGI_ERROR", reason)]
        case .modelWarning(let product, let path, let warning):
            return [("RGI_EVENT", "model-warning"), ("RGI_PRODUCT", product), ("RGI_MODEL_PATH", path), ("RGI_WARNING", warning)]
        case .cameraLost(let camera, let reason):
            return [("RGI_EVENT", "camera-lost"), ("RGI_CAMERA", camera), ("RGI_ERROR", reason)]
        case .cameraBack(let camera, let downSeconds):
            return [("RGI_EVENT", "camera-back"), ("RGI_CAMERA", camera), ("RGI_DOWN_SECONDS", Self.seconds(downSeconds))]
        case .reportWriteFailed(let path, let reason, let failures):
            return [("RGI_EVENT", "report-write-failed"), ("RGI_REPORT", path), ("RGI_ERROR", reason),
                    ("RGI_FAILURES", String(failures))]
        }
    }

    private static func seconds(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}
